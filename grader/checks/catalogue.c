/*
 * catalogue.c - the test table: every test's name, points, function and
 * by-hand line (reproduce.c), and the labs that put them in order
 * (labN.c).
 */
#include "checks/catalogue.h"
#include "checks/contract.h"
#include "checks/shim.h"
#include "checks/startup.h"
#include "checks/concurrency.h"
#include "checks/threads.h"
#include "checks/pool.h"
#include "checks/client.h"
#include "checks/fairness.h"
#include "checks/completion.h"

#include <string.h>

/*
 * By-hand parts (reproduce.c runs the server first; $p, $d): each client
 * has a time limit, and the last line says "same" or what went wrong.
 * many-messages writes its 1000 messages one by one (dd, a write of 100
 * bytes each; a process each took seconds on a busy machine);
 * echo-large reads the echo a second late, so a server's writes come
 * back short; half-close sends, shuts down, and is read only two seconds
 * later through a narrow window (nc -I), so the server still owes echo
 * when the EOF reaches it: 1 MiB fits the buffers between, so all of it
 * is sent before anything is read; 8 MiB is more than a server's socket
 * buffer holds, so at EOF it still holds echo itself, and its writes come
 * back short (one second was too short once, under make test's load:
 * the server had not yet filled its buffer). A server that never closes
 * runs into nc's time limit (status 124). The late reader is a
 * subshell, ( sleep N; cat ), not { ...; }: an interactive zsh runs a
 * pipeline's last { } in the shell itself, and a Ctrl-C there ends the
 * subshell without its traps.
 */
#define SAME "cmp \"$d/in\" \"$d/got\" && echo same || echo different"
#define NC(secs) "timeout --foreground " #secs " nc -N "

static const struct test tests[] = {
	{"starts", 2, test_starts, NULL,
	 "listen on the address its command line gives, promptly, and keep "
	 "running until stopped"},
	{"bad-args", 2, test_bad_args, NULL,
	 "a command line it cannot use (no address, a port out of range) "
	 "is refused with a message on stderr and a non-zero exit status, "
	 "at once"},
	{"addr-in-use", 2, test_addr_in_use, NULL,
	 "when its address is taken, say so on stderr and exit with a "
	 "non-zero status; do not wait or retry"},
	{"echo-basic", 2, test_echo_basic,
	 "printf 'hello\\n' > \"$d/in\"; " NC(5) "127.0.0.1 $p < \"$d/in\" > "
	 "\"$d/got\"; od -c \"$d/got\" | head -n 5; " SAME,
	 "send back to each client exactly the bytes it sent, as they "
	 "arrive"},
	{"echo-binary", 2, test_echo_binary,
	 "LC_ALL=C awk 'BEGIN { for (i = 0; i < 256; i++) printf \"%c\", i }' > "
	 "\"$d/in\"; " NC(5) "127.0.0.1 $p < \"$d/in\" > \"$d/got\"; " SAME,
	 "the data is bytes, not text: every value, zero bytes and "
	 "newlines included, comes back as it came"},
	{"echo-large", 3, test_echo_large,
	 "head -c 8M /dev/urandom > \"$d/in\"; " NC(10) "127.0.0.1 $p < "
	 "\"$d/in\" | ( sleep 1; cat ) > \"$d/got\"; " SAME,
	 "a write or send may take only part of a large echo: keep what it "
	 "did not take and send it once the socket is writable again"},
	{"many-messages", 2, test_many_messages,
	 "head -c 100000 /dev/urandom > \"$d/in\"; dd if=\"$d/in\" bs=100 "
	 "status=none | " NC(15) "127.0.0.1 $p > \"$d/got\"; " SAME,
	 "keep serving a client after each echo, until it closes"},
	{"partial-io", 3, test_partial_io, NULL,
	 "a read or write may move fewer bytes than asked, and where a "
	 "signal handler can run a blocking call may fail with EINTR: "
	 "carry on with what is left"},
	{"sequential", 3, test_sequential, NULL,
	 "when a client leaves, close its socket and free what it held: "
	 "the next client finds the server as the first one did"},
	{"half-close", 2, test_half_close,
	 "for m in 1 8; do head -c ${m}M /dev/urandom > \"$d/in\"; { " NC(10)
	 "-I 4096 127.0.0.1 $p < \"$d/in\"; echo $? > \"$d/rc\"; } | "
	 "( sleep 2; cat ) > \"$d/got\"; cmp -s \"$d/in\" \"$d/got\" && "
	 "[ $(cat \"$d/rc\") != 124 ] || break; done; if [ $(cat \"$d/rc\") "
	 "= 124 ]; then echo 'no EOF within 10 s'; else " SAME "; fi",
	 "a client's EOF means it sends no more: send it all the echo it "
	 "is still owed, then close"},
	{"client-reset", 2, test_client_reset, NULL,
	 "an error on one connection ends that connection only; the server "
	 "serves on"},
	{"early-close", 2, test_early_close, NULL,
	 "a write to a client that has gone must not end the server: "
	 "ignore SIGPIPE (or send with MSG_NOSIGNAL) and end that client "
	 "on EPIPE or ECONNRESET"},
	{"ipv6", 1, test_ipv6, NULL,
	 "listen on the address as given: an IPv6 one ([::1]:PORT) too"},
	{"sigterm", 1, test_sigterm, NULL,
	 "SIGTERM and SIGINT end the server promptly: leave them their "
	 "default action, or exit when they come"},
	{"idle-client", 3, test_idle_client, NULL,
	 "never wait on one client: a client that sends nothing must not "
	 "hold up the others"},
	{"idle-cpu", 2, test_idle_cpu, NULL,
	 "sleep while nothing happens: wait for readiness or for "
	 "completions, never poll in a loop"},
	{"slow-sender", 2, test_slow_sender, NULL,
	 "echo what has arrived; never wait for a client to send more "
	 "first"},
	{"slow-reader", 3, test_slow_reader, NULL,
	 "bound what is held for a client that does not read: stop reading "
	 "from it while its echo waits (backpressure)"},
	{"concurrent", 3, test_concurrent, NULL,
	 "serve many clients at once, each with buffers and state of its "
	 "own"},
	{"churn", 3, test_churn, NULL,
	 "every way out of a connection closes its socket and frees what "
	 "it held: memory, and its thread or task"},
	{"fd-limit", 3, test_fd_limit, NULL,
	 "when accept fails for want of descriptors (EMFILE), wait without "
	 "spinning until a client leaves, then accept again"},
	{"strategy", 2, test_strategy, NULL, NULL},
	{"stats", 3, test_stats, NULL, NULL},
	{"orderly-exit", 1, test_orderly_exit, NULL, NULL},
	{"idle-memory", 3, test_idle_memory, NULL,
	 "an idle client should cost little memory: no buffer kept per "
	 "client while it sends nothing"},
	{"pool-dry", 2, test_pool_dry, NULL, NULL},
	{"error-completion", 2, test_error_completion, NULL,
	 "a read or write that fails ends that connection (or is tried "
	 "again); its result is never a byte count"},
	{"fairness", 2, test_fairness, NULL,
	 "a client that sends without pause must not starve the others: "
	 "serve each a bounded amount before the next gets its turn"},
	{"client", 3, test_client, NULL, NULL},
};

const struct test *test_find(const char *name)
{
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

/*
 * What a test needs (gradelib's "parent"): a server that starts, for
 * these; for every other test, one that echoes, which starts too. When
 * the test it needs failed, a test is not run: it could show nothing but
 * the same failure under another hint.
 */
static const char *const need_only_start[] = {
	"sigterm", "bad-args", "addr-in-use", "ipv6", "echo-basic",
	"client", /* against the grader's own echo; but a step-1 tree has none */
};

const char *test_needs(const char *name)
{
	if (strcmp(name, "starts") == 0)
		return NULL;
	for (size_t i = 0; i < sizeof need_only_start / sizeof need_only_start[0]; i++)
		if (strcmp(need_only_start[i], name) == 0)
			return "starts";
	return "echo-basic";
}
