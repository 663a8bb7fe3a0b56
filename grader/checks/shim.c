/*
 * shim.c - the grader's shim (grader/inject/shortio.c) preloaded into a
 * server: its socket calls return short counts, and EINTR where a signal
 * could cause one; partial-io checks the echo stays exact.
 */
#define _GNU_SOURCE
#include "checks/shim.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/contain.h"
#include "engine/pattern.h"
#include "engine/procfs.h"
#include "engine/status.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* grader/inject/libshortio.so, beside the running grader binary, as an
 * absolute path (LD_PRELOAD needs one); -1 when it is not there. */
static int shim_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	buf[0] = '\0';
	if (n < 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	if (snprintf(buf, len, "%s/inject/libshortio.so", exe) >= (int)len)
		return -1;
	return access(buf, R_OK);
}

/* The file the shim creates when it first injects EINTR ("": none). */
static const char *eintr_mark(void)
{
	static char path[160];

	if (contain_work_dir()[0] == '\0')
		return "";
	snprintf(path, sizeof path, "%s/shortio-eintr", contain_work_dir());
	return path;
}

/* Give the next server the shim: LD_PRELOAD, its seed and its mark file
 * in c->env. */
int preload_shim(struct ctx *c)
{
	/* static: c->env points at them */
	static char preload[PATH_MAX + 16], asan[512], mark[200];
	char shim[PATH_MAX];
	const char *asan_was = getenv("ASAN_OPTIONS");

	if (shim_path(shim, sizeof shim) < 0) {
		c->hint = "run make at the top of the kit: it builds the grader "
			  "and its shim";
		return fail(c, "the grader's shim (grader/inject/libshortio.so) "
			    "beside the grader", "%s is missing", shim);
	}
	snprintf(preload, sizeof preload, "LD_PRELOAD=%s", contain_path(shim));
	/* gcc's AddressSanitizer runtime, a shared library, refuses to start
	 * behind a preloaded one unless told that the order is meant. */
	snprintf(asan, sizeof asan, "ASAN_OPTIONS=%.400s%sverify_asan_link_order=0",
		 asan_was ? asan_was : "", asan_was ? ":" : "");
	c->env[0] = preload;
	c->env[1] = "SHORTIO_SEED=1";
	c->env[2] = asan;
	if (eintr_mark()[0] != '\0') {
		snprintf(mark, sizeof mark, "SHORTIO_MARK=%s", eintr_mark());
		unlink(eintr_mark());
		c->env[3] = mark;
	}
	return 0;
}

/* The shim is in the server's address space. Under valgrind s->pid is
 * valgrind's process, which maps the server's libraries too. */
int shim_loaded(struct ctx *c, struct server *s)
{
	const char *expected = "the server to run with the grader's shim "
			       "(grader/inject/libshortio.so) loaded";
	int loaded = proc_maps_file(s->pid, "/libshortio.so");

	if (loaded < 0)
		return unreadable(c, s, expected);
	if (loaded > 0)
		return 0;
	c->hint = "link the server dynamically, as the kit's Makefile does "
		  "(no -static): the grader injects short counts and EINTR "
		  "through the C library";
	return fail(c, expected, "the server does not load the grader's shim "
		    "(statically linked?)");
}

/*
 * On loopback a blocking write takes everything, so a server that writes
 * once per read passes every other echo test. Here the server runs with
 * the grader's shim preloaded (grader/inject/shortio.c): its socket calls
 * now and then move fewer bytes than asked, or fail with EINTR (blocking
 * ones, where a signal handler could interrupt them), as POSIX allows. A bulk echo, then lockstep messages (a
 * short write of a small message leaves the client waiting for its end).
 */
int test_partial_io(struct ctx *c)
{
	struct flow_spec stream = {.total = T.partial_bytes,
				   .pattern = PAT_RANDOM, .seed = 5,
				   .end = END_CLOSE};
	struct flow_spec lockstep = {
		.total = (uint64_t)T.partial_messages * T.message_size,
		.pattern = PAT_RANDOM, .seed = 6,
		.msg_min = T.message_size, .msg_max = T.message_size,
		.end = END_CLOSE,
	};
	char bulk[200], messages[200];
	struct flows fs;
	struct server *s;
	int rc;

	if (preload_shim(c) < 0 ||
	    (s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs)) == NULL)
		return -1;
	snprintf(bulk, sizeof bulk, "with short counts and EINTR injected into "
		 "the server's socket calls, %llu MiB of random bytes, sent "
		 "while reading, come back exactly",
		 (unsigned long long)(T.partial_bytes >> 20));
	snprintf(messages, sizeof messages, "with short counts and EINTR "
		 "injected into the server's socket calls, %d messages of %u "
		 "bytes, each echoed before the next is sent, come back exactly",
		 T.partial_messages, T.message_size);
	rc = shim_loaded(c, s);
	if (rc == 0) {
		flow_start(&fs, &stream);
		rc = run_flows(c, &fs, s, T.bulk_s, bulk);
	}
	if (rc == 0) {
		flow_start(&fs, &lockstep);
		rc = run_flows(c, &fs, s, T.bulk_s, messages);
	}
	flows_free(&fs);
	if (rc == 0 && eintr_mark()[0] != '\0' && access(eintr_mark(), F_OK) != 0)
		snprintf(c->note, sizeof c->note, "no EINTR was injected, as none "
			 "could reach this server: its socket calls do not wait, or "
			 "no signal could interrupt them (no handler without "
			 "SA_RESTART, or the signal blocked); short counts were");
	return rc;
}
