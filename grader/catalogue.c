/*
 * catalogue.c - the test table: every test's name, points, function and
 * reproduce line (SERVER stands for the binary under test), and the labs
 * that put them in order (labN.c).
 */
#include "harness.h"

#include <string.h>

#define LISTEN7000 "SERVER 127.0.0.1:7000 & sleep 1; "
static const struct test tests[] = {
	{"starts", 2, test_starts,
	 "SERVER 127.0.0.1:0    # expect: listening on 127.0.0.1:PORT, then: nc -zv 127.0.0.1 PORT"},
	{"bad-args", 2, test_bad_args,
	 "SERVER nonsense; echo \"exit $?\"    # expect one usage line, then: exit 2"},
	{"addr-in-use", 2, test_addr_in_use,
	 LISTEN7000 "SERVER 127.0.0.1:7000; echo \"exit $?\"; kill %1    # expect one line, then: exit 1"},
	{"echo-basic", 2, test_echo_basic,
	 LISTEN7000 "printf 'hello\\n' | nc -N 127.0.0.1 7000 | od -c; kill %1"},
	{"echo-binary", 2, test_echo_binary,
	 LISTEN7000 "python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' > /tmp/in; "
	 "nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same; kill %1"},
	{"echo-large", 3, test_echo_large,
	 LISTEN7000 "head -c 8M /dev/urandom > /tmp/in; nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same; kill %1"},
	{"many-messages", 2, test_many_messages,
	 LISTEN7000 "for i in $(seq 1000); do echo \"message $i\"; sleep 0.001; done | nc -N 127.0.0.1 7000 | tail -n 2; kill %1"
	 "    # expect: message 999, message 1000"},
	{"partial-io", 3, test_partial_io,
	 "LD_PRELOAD=$PWD/grader/inject/libshortio.so SHORTIO_SEED=1 " LISTEN7000
	 "head -c 4M /dev/urandom > /tmp/in; nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same; kill %1"},
	{"sequential", 3, test_sequential,
	 LISTEN7000 "ls /proc/$!/fd | wc -l; for i in $(seq 200); do echo hi | nc -N 127.0.0.1 7000 > /dev/null || echo \"client $i failed\"; done; "
	 "ls /proc/$!/fd | wc -l; kill %1    # expect the same count twice"},
	{"half-close", 2, test_half_close,
	 LISTEN7000 "head -c 8M /dev/urandom > /tmp/in; nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same; kill %1"},
	{"client-reset", 2, test_client_reset,
	 LISTEN7000 "python3 -c 'import socket,struct; s=socket.create_connection((\"127.0.0.1\",7000)); "
	 "s.sendall(bytes(1<<20)); s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\",1,0)); s.close()'; "
	 "echo still there | nc -N 127.0.0.1 7000; kill %1"},
	{"early-close", 2, test_early_close,
	 LISTEN7000 "python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); "
	 "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536); s.connect((\"127.0.0.1\",7000)); s.sendall(bytes(100<<10)); "
	 "s.shutdown(socket.SHUT_WR); time.sleep(0.3); s.close()'; sleep 0.5; echo still there | nc -N 127.0.0.1 7000; kill %1"},
	{"ipv6", 1, test_ipv6,
	 "SERVER [::1]:7000    # expect: listening on [::1]:7000, then: nc -zv ::1 7000"},
	{"idle-client", 3, test_idle_client,
	 LISTEN7000 "nc 127.0.0.1 7000 & sleep 0.5; echo hello | timeout 2 nc -N 127.0.0.1 7000 || echo 'no echo while A idles'; kill %2; kill %1"},
	{"idle-cpu", 2, test_idle_cpu,
	 LISTEN7000 "for i in 1 2 3; do (echo hi; sleep 5) | nc 127.0.0.1 7000 > /dev/null & done; sleep 1; "
	 "ps -o pid,time,cmd -p $!; sleep 3; ps -o pid,time,cmd -p $!; kill %1    # expect TIME to stay at 00:00:00"},
	{"slow-sender", 2, test_slow_sender,
	 LISTEN7000 "(for i in $(seq 100); do printf x; sleep 0.05; done) | nc -N 127.0.0.1 7000 & "
	 "sleep 0.3; echo hello | timeout 2 nc -N 127.0.0.1 7000; kill %1"},
	{"slow-reader", 3, test_slow_reader,
	 LISTEN7000 "head -c 64M /dev/urandom > /tmp/in; (nc -N 127.0.0.1 7000 < /tmp/in | (sleep 5; cmp - /tmp/in && echo same)) & "
	 "sleep 2; grep VmRSS /proc/$(pgrep -n -f 'SERVER')/status; echo hello | timeout 2 nc -N 127.0.0.1 7000; kill %1"},
	{"concurrent", 3, test_concurrent,
	 LISTEN7000 "s=$!; for i in $(seq 200); do (head -c 20000 /dev/urandom > /tmp/in.$i; nc -N 127.0.0.1 7000 < /tmp/in.$i | cmp - /tmp/in.$i || echo \"client $i differs\") & done; "
	 "wait $(jobs -p | grep -v \"^$s$\"); kill $s"},
	{"churn", 3, test_churn,
	 LISTEN7000 "s=$!; ls /proc/$s/fd | wc -l; for i in $(seq 2000); do echo hi | nc -N 127.0.0.1 7000 > /dev/null & "
	 "[ $((i % 50)) = 0 ] && wait $(jobs -p | grep -v \"^$s$\"); done; sleep 1; ls /proc/$s/fd | wc -l; kill $s    # expect the same count twice"},
	{"fd-limit", 3, test_fd_limit,
	 "(ulimit -n 64; SERVER 127.0.0.1:7000) & sleep 1; for i in $(seq 200); do sleep 30 | nc 127.0.0.1 7000 & done; "
	 "sleep 2; top -b -n 1 | head -n 12; pkill -f 'sleep 30'; sleep 1; echo hi | nc -N 127.0.0.1 7000; kill %1"},
	{"strategy", 2, test_strategy,
	 LISTEN7000 "for i in 1 2 3; do sleep 30 | nc 127.0.0.1 7000 & done; sleep 1; p=$(pgrep -n -f 'SERVER'); "
	 "grep Threads /proc/$p/status; ls -l /proc/$p/fd | grep eventpoll; cat /proc/$p/syscall; kill %1"
	 "    # expect Threads: 1 and an eventpoll descriptor"},
};

const struct test *test_find(const char *name)
{
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

extern const struct lab lab1, lab2;
static const struct lab *const all_labs[] = {&lab1, &lab2};

const struct lab *lab_find(int number)
{
	for (size_t i = 0; i < sizeof all_labs / sizeof all_labs[0]; i++)
		if (all_labs[i]->number == number)
			return all_labs[i];
	return NULL;
}

size_t lab_runs(const struct lab *lab, struct plan_run *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->nplan && n < max; i++)
		out[n++] = (struct plan_run){lab->plan[i].test, &lab->plan[i], NULL};
	for (size_t i = 0; i < lab->nvariants && n < max; i++)
		out[n++] = (struct plan_run){lab->variants[i].name,
					     &lab->variants[i].entry,
					     lab->variants[i].env};
	return n;
}
