/*
 * options.h - what the grader's and bench's command-line parsers share.
 */
#ifndef SERVERLAB_OPTIONS_H
#define SERVERLAB_OPTIONS_H



/* s as a whole number from lo to hi; anything else goes to usage_fn with
 * "WHAT takes a whole number from LO to HI" (usage_fn does not return). */
long parse_number(const char *s, long lo, long hi, const char *what,
		  void (*usage_fn)(const char *why));
/* An option neither parser knows: --help and -h ask usage_fn for the
 * usage (NULL), anything else is "unknown option 'A'". */
void option_not_known(const char *a, void (*usage_fn)(const char *why));

#endif
