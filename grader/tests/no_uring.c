/*
 * no_uring.c - run a command on a system without io_uring, as Docker's
 * default seccomp profile makes one: io_uring_setup fails with EPERM
 * for the command and everything it starts. make test runs the grader
 * and make check-lab5 under it: they must say so and skip lab 5.
 * Built with -DDENIED=SYS_unshare -DTOOL='"no-unshare"', it makes a
 * system without namespaces instead (as Docker's profile, or an Ubuntu
 * that keeps user namespaces from users): the grader must grade without.
 * With -DDENIED=SYS_io_uring_register -DTOOL='"no-bufring"', a kernel
 * that registers no provided-buffer ring: lab 5's step 6 is skipped, and
 * its reference lends each client buffers, as before step 6.
 *
 *   no-uring COMMAND [ARG...]
 *   no-unshare COMMAND [ARG...]
 *   no-bufring COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef DENIED
#define DENIED SYS_io_uring_setup
#define TOOL "no-uring"
#endif

int main(int argc, char *argv[])
{
	struct sock_filter deny_setup[] = {
		/* Another architecture's call numbers mean other calls. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DENIED, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof deny_setup / sizeof deny_setup[0],
		.filter = deny_setup,
	};

	if (argc < 2) {
		fputs("usage: " TOOL " COMMAND [ARG...]\n", stderr);
		return 2;
	}
	/* Without it, only root may install a filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror(TOOL ": seccomp");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
