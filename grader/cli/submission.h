/*
 * submission.h - which folder of a submission (perhaps a whole
 * repository) holds a lab's files.
 */
#ifndef SERVERLAB_SUBMISSION_H
#define SERVERLAB_SUBMISSION_H

#include <stddef.h>

/* The folder of the submission at root that holds lab's files, relative
 * to root ("." for its top): 0, or -1 when none has any. */
int submission_folder(const char *root, int lab, char *out, size_t len);

#endif
