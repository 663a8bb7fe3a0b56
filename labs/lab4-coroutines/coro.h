/*
 * coro.h - coroutines over epoll, in one thread (lab 4).
 *
 * A coroutine is a function with a stack of its own. It runs until it
 * would block, then hands the CPU to the scheduler (coro_run), which
 * runs the next ready coroutine, and puts it back in line once epoll
 * says its descriptor is ready or its deadline has passed. Nothing runs
 * at the same time as anything else: between two calls that may park,
 * a coroutine owns every byte of the program's memory.
 *
 * Calls that may park (switch to another coroutine) say so.
 */
#ifndef SERVERLAB_CORO_H
#define SERVERLAB_CORO_H

#include <stddef.h>
#include <sys/types.h>

/* Before anything else, and after setting RLIMIT_NOFILE: stacks of
 * stack_size bytes (a guard page below each is added). 0, or -1, errno. */
int coro_init(size_t stack_size);
/* Run fn(arg) as a new coroutine, after those already waiting. Returns 0,
 * or -1 with errno (ENOMEM: no stack). Does not park. */
int coro_spawn(void (*fn)(void *), void *arg);
/* Run every coroutine until none is left (or one fails: -1, errno). */
int coro_run(void);

/* Parks: let every other ready coroutine run once first. */
void coro_yield(void);
/* Ends the running coroutine (returning from its function does too). */
void coro_exit(void) __attribute__((noreturn));
/* CLOCK_MONOTONIC, in seconds. */
double coro_now(void);
/* Parks until coro_now() >= deadline. */
void coro_sleep_until(double deadline);
/* Parks until fd is readable (out == 0) or writable (out == 1), or has
 * an error. 0, or -1 with errno (EBUSY: another coroutine waits there). */
int coro_wait(int fd, int out);

/* Non-blocking descriptors only. Each tries the call and, on EAGAIN,
 * parks until epoll says it may succeed. */
ssize_t coro_read(int fd, void *buf, size_t len);   /* as read(2) */
ssize_t coro_write(int fd, const void *buf, size_t len); /* all, or -1 */
int coro_accept(int listen_fd); /* non-blocking, close-on-exec; or -1 */
/* close(fd), and forget what epoll was told about it: the next
 * descriptor of that number starts clean. */
int coro_close(int fd);

#endif
