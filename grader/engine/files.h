/*
 * files.h - copying, writing and removing files, errors as values.
 */
#ifndef SERVERLAB_FILES_H
#define SERVERLAB_FILES_H



int copy_file(const char *from, const char *to, unsigned mode); /* 0 or -1 */
int write_text(const char *path, const char *text);  /* all of it: 0, or -1 */
void remove_tree(const char *path);                  /* what it can of it */

#endif
