/*
 * clock.h - the grader's clock, the running test's deadline, and the
 * signals that stop the grader: every wait asks time_is_up().
 */
#ifndef SERVERLAB_CLOCK_H
#define SERVERLAB_CLOCK_H



double now_s(void); /* CLOCK_MONOTONIC, in seconds */
void sleep_s(double s);

/* Set by SIGINT/SIGTERM/SIGHUP/SIGQUIT: every wait in the grader checks it. */
extern volatile int grader_interrupted;
/* When the running test must end (0: no limit). */
extern double test_deadline;
/* Interrupted, or the test's time is up: every wait stops. */
int time_is_up(void);


/* handler for SIGINT, SIGTERM, SIGHUP and SIGQUIT: the ways to stop us. */
void on_stop_signals(void (*handler)(int));
/* Hold those four signals back (1), or put the mask back as it was (0). */
void hold_stop_signals(int hold);
/* Set once the grader is pid 1 of its namespace: stop signals from inside
 * it (a server's) are then ignored. */
extern volatile int stop_signals_from_outside;

#endif
