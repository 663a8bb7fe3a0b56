/*
 * procfs.h - what /proc says about a process: descriptors, threads,
 * memory, CPU time, what it waits in, its TCP sockets.
 */
#ifndef SERVERLAB_PROCFS_H
#define SERVERLAB_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

int proc_fd_count(pid_t pid);          /* -1 if unreadable */
int proc_blocking_sockets(pid_t pid);  /* sockets without O_NONBLOCK */
int proc_sockets(pid_t pid);           /* sockets among its descriptors */
int proc_threads(pid_t pid);           /* -1 if unreadable */
long proc_rss_kb(pid_t pid);           /* -1 if unreadable */
long proc_vm_peak_kb(pid_t pid);       /* the most address space it held */
int proc_catches_signal(pid_t pid, int sig); /* a handler is set: 1, 0, -1 */
double proc_cpu_s(pid_t pid);          /* user + system; -1 if unreadable */
double proc_runnable_s(pid_t pid);     /* on a CPU or queued for one */
int proc_uses_epoll(pid_t pid);        /* an anon_inode:[eventpoll] fd */
int proc_uses_uring(pid_t pid);        /* an anon_inode:[io_uring] fd */
int proc_io_workers(pid_t pid);        /* the kernel's io_uring threads */
int proc_maps_file(pid_t pid, const char *name); /* 1, 0, -1 unreadable */
int proc_waits_in_poll(pid_t pid);      /* asleep in poll/select/epoll_wait */
/* A descriptor two of its threads are blocked reading at once, or -1. */
int proc_shared_read_fd(pid_t pid);
int proc_descendants(pid_t root, pid_t *out, int max); /* count found */
long proc_user_tasks(uid_t uid);       /* what RLIMIT_NPROC counts */
/* For each of n connections from remote_ports[k] to local_port: its TCP
 * state (-1: none such) and send queue. 0, or -1 if unreadable. */
int proc_tcp_sockets(unsigned local_port, size_t n, const unsigned *remote_ports,
		     int *states, long *send_queues);

#endif
