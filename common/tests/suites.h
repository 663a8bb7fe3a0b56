/*
 * suites.h - every Check suite of the common/ unit tests.
 *
 * To add a suite: declare its constructor here and append it to the array
 * in unit.c; unit.c runs every suite in that array through one SRunner.
 */
#ifndef SERVERLAB_SUITES_H
#define SERVERLAB_SUITES_H

#include <check.h>

Suite *net_suite(void); /* test_net.c: common/net.c */
Suite *outbuf_suite(void); /* test_outbuf.c: common/outbuf.c */

#endif
