/*
 * status.h - a process's wait status in words.
 */
#ifndef SERVERLAB_STATUS_H
#define SERVERLAB_STATUS_H

#include <stddef.h>

/* "exited with status 3", "killed by SIGSEGV (segmentation fault)" */
void describe_status(int status, char *buf, size_t len);

#endif
