# test_grader.sh - make test's checks of the grader's own behaviour: its
# options, the shim, the bench, the lab 1 client, servers of other
# contracts. Sourced by test.sh (its check, $log); each check is a job.

check "grader: --step 1 runs step 1 only" bash -c \
	"./grader/grader --lab 1 --step 1 solutions/lab1-simple/server | grep -q '^score: $(points 1 --step 1)/$(points 1 --step 1)$'"
check "grader: --json writes Gradescope results" bash -c "
	./grader/grader --lab 1 --json '$log/r.json' grader/tests/bin/term-exit-1 > /dev/null
	grep -q '\"max_score\": $(points 1)' '$log/r.json' && grep -q '\"name\": \"sigterm\", \"score\": 0' '$log/r.json' &&
	{ ! command -v python3 > /dev/null || python3 -m json.tool '$log/r.json' > /dev/null; }"
check "grader: a statically linked server fails partial-io, told why" bash -c "
	mkdir -p '$log/static' && cp solutions/lab1-simple/server.c '$log/static/' &&
	make -s SUBMISSION='$log/static' LDFLAGS=-static '$log/static/server' 2> /dev/null &&
	./grader/grader --lab 1 --test partial-io '$log/static/server' | grep -q '^FAIL partial-io .*does not load the grader.s shim'"
check "grader: without its shim beside it, partial-io says to run make" bash -c "
	cp grader/grader '$log/grader' && '$log/grader' --lab 1 --test partial-io solutions/lab1-simple/server | grep -q 'hint: run make'"
check "grader: without io_uring, lab 5 is skipped in one line (exit 77)" bash -c '
	out=$(grader/tests/bin/no-uring ./grader/grader --lab 5 solutions/lab5-uring/server); rc=$?
	[ $rc -eq 77 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] &&
	[[ $out == "skipped: lab 5 cannot run on this system: io_uring_setup failed: Operation not permitted"* ]]'
check "grader: without buffer rings, step 6's tests say so (one line each); the rest grade" bash -c '
	out=$(grader/tests/bin/no-bufring ./grader/grader --lab 5 --test echo-basic,concurrent,idle-memory,pool-dry \
		solutions/lab5-uring/server) &&
	[ "$(echo "$out" | grep -c "^SKIP [a-z-]*: not available on this machine: the kernel registers no provided-buffer ring")" -eq 2 ] &&
	[ "$(echo "$out" | grep -c "^PASS ")" -eq 2 ] && [ "$(echo "$out" | tail -n 1)" = "score: 5/5" ]'
check "make check-lab5 without io_uring says so, and does not fail" bash -c '
	out=$(grader/tests/bin/no-uring make -s check-lab5 LABS=solutions 2>&1) &&
	[[ $out == *"skipped: lab 5 cannot run on this system"* ]]'
# A server of another contract (no listening line, a log on stdout):
# graded with --args to full marks; without, starts' hint names --args.
check "grader --args: a server with no listening line, graded to full marks" bash -c '
	./grader/grader --lab 2 --args "SERVER {addr}" grader/tests/bin/mux-log-stdout > "$0" &&
	grep -q "^score: \([0-9]*\)/\1$" "$0"' "$log/any-server"
check "grader: without --args, starts says to use it for a server that listens but prints no line" bash -c '
	./grader/grader --lab 2 --test starts grader/tests/bin/mux-log-stdout |
	grep -A1 "^FAIL starts " | grep -q "hint: the server listens .*--args TEMPLATE"'
# glibc gives each thread that mallocs an arena of 64 MiB of address
# space: lab 3's reference with its buffer malloc'd in each client thread
# must keep its marks (memory is bounded resident, address space only as
# a backstop).
malloc_per_thread() {
	local d=$log/malloc-per-thread
	mkdir -p "$d" && cp solutions/lab3-threads/*.[ch] "$d"/ &&
	sed -i 's/^\tchar buf\[BUFSIZE\];$/\tchar *buf = malloc(BUFSIZE);/;
		s/n = read(fd, buf, sizeof buf);/n = buf ? read(fd, buf, BUFSIZE) : -1;/' "$d/server.c" &&
	awk '/^\tclose\(fd\);$/ && !done { print "\tfree(buf);"; done = 1 } { print }' \
		"$d/server.c" > "$d/s.c" && mv "$d/s.c" "$d/server.c" &&
	grep -q 'malloc(BUFSIZE)' "$d/server.c" && grep -q 'free(buf)' "$d/server.c" &&
	cc -std=c11 -Wall -Wextra -Werror -O2 -Icommon -I"$d" -o "$d/server" "$d/server.c" \
		common/libcommon.a -pthread &&
	./grader/grader --lab 3 --test concurrent,churn,slow-reader,strategy "$d/server"
}
check "grader: lab 3's reference with a buffer malloc'd in each thread keeps its marks" malloc_per_thread
# EINTR only where a signal could cause it: lab 3's reference takes its
# signals with sigwait, so without its EINTR retry it still passes
# partial-io, with a note (eintr-fatal, whose SIGHUP handler has no
# SA_RESTART, fails it: the manifest).
no_eintr_retry() {
	local d=$log/no-eintr-retry
	mkdir -p "$d" && cp solutions/lab3-threads/*.[ch] "$d"/ &&
	sed -i '/^\t\tif (n < 0 \&\& errno == EINTR)$/{N;d}' "$d/server.c" &&
	! cmp -s "$d/server.c" solutions/lab3-threads/server.c &&
	cc -std=c11 -Wall -Wextra -Werror -O2 -Icommon -I"$d" -o "$d/server" "$d/server.c" \
		common/libcommon.a -pthread &&
	./grader/grader --lab 3 --test partial-io "$d/server" > "$d/out" &&
	grep -q '^  note: no EINTR was injected' "$d/out"
}
check "grader: lab 3's reference without its EINTR retry passes partial-io (it catches no signal)" no_eintr_retry
# A process per client crosses lab 3's task budget (a lab's rule, not a
# flaw of the echo): concurrent's hint must say so.
fork_linger() {
	cc -std=c11 -O2 -Icommon -D'FLAW="fork-linger"' -o "$log/fork-linger" grader/tests/broken.c \
		common/libcommon.a -pthread &&
	./grader/grader --lab 3 --test concurrent "$log/fork-linger" | grep -A1 "^FAIL concurrent " |
		grep -q "hint: a lab limit, not an echo bug: .* at lab 3.s task budget of 600"
}
check "grader: a process per client at lab 3's task budget: concurrent's hint names the limit" fork_linger
# Gradescope's results.json from a server whose stderr is no UTF-8.
json_of_garbage() {
	local j=$log/g.json
	./grader/grader --lab 1 --json "$j" grader/tests/bin/stderr-garbage > /dev/null
	iconv -f UTF-8 -t UTF-8 "$j" > /dev/null && grep -q 'café' "$j" &&
	grep -qF '\ufffd' "$j" && ! grep -q "$(printf '\033')" "$j" &&
	grep -q '"execution_time": [0-9]' "$j" &&
	grep -q '"status": "failed", "visibility": "visible"' "$j" &&
	{ ! command -v python3 > /dev/null || python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["score"] == sum(t["score"] for t in d["tests"]), d["score"]' "$j"; }
}
check "grader: --json is strict UTF-8 JSON whatever bytes a server printed" json_of_garbage
# grader bench: what it must notice (make bench measures; this checks).
check "grader bench: a server that flips one byte in a million is caught (exit 1)" bash -c '
	out=$(./grader/grader bench --clients 1 --size 4096 --seconds 5 grader/tests/bin/corrupt-rare 2>&1)
	[ $? -eq 1 ] && [[ $out == *"client 1 of 1, after 999999 bytes came back right: byte 999999 came back as"* ]]'
check "grader bench: a one-at-a-time server is reported serialised, not hung" bash -c '
	out=$(./grader/grader bench --clients 1,3,10 --seconds 0.5 solutions/lab1-simple/server 2>&1) &&
	[[ $out == *"serialised: 1 of 3 clients served; the other 2 waited"* ]] &&
	[[ $out == *"serialised at 3 clients already: not run"* ]]'
check "grader bench: every run in the CSV, and the plot or why not" bash -c "
	./grader/grader bench --clients 1,20 --seconds 0.3 --repeat 2 --csv '$log/b.csv' --svg '$log/b.svg' \
		--as epoll solutions/lab2-multiplex/server --as poll --env LAB2_BACKEND=poll \
		solutions/lab2-multiplex/server > '$log/b.out' 2>&1; rc=\$?
	[ \$(grep -c '^epoll,[0-9]*,64,0,0.3,ok,[1-9].*,2,[1-9][0-9]*,[1-9][0-9]*,\$' '$log/b.csv') -eq 2 ] &&
	[ \$(grep -c '^poll,[0-9]*,64,0,0.3,ok,[1-9].*,2,[1-9][0-9]*,[1-9][0-9]*,\$' '$log/b.csv') -eq 2 ] &&
	if command -v gnuplot > /dev/null; then
		[ \$rc -eq 0 ] && [ \$(grep -c '<path' '$log/b.svg') -ge 4 ]
	else
		[ \$rc -eq 2 ] && grep -q 'gnuplot-nox' '$log/b.out'
	fi"
# --leaderboard: a figure for Gradescope's leaderboard and Autolab's
# scoreboard; a server that serves one client at a time races to 0.
check "grader --leaderboard: round trips/s in results.json and Autolab's scoreboard; 0 if serialised" bash -c "
	./grader/grader --lab 2 --test starts --leaderboard --json '$log/lb.json' --autolab solutions/lab2-multiplex/server |
		tail -n 1 | grep -q '^{\"scores\": {\"starts\": 2}, \"scoreboard\": \[2, [1-9][0-9]*\]}\$' &&
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[\"leaderboard\"][0][\"value\"] > 0, d' '$log/lb.json' &&
	./grader/grader --lab 2 --test starts --leaderboard --autolab solutions/lab1-simple/server | tail -n 1 |
		grep -q 'scoreboard\": \[2, 0\]}\$'"
check "grader: a valgrind error fails the test it happened in" bash -c \
	'./grader/grader --lab 1 --valgrind --test sequential grader/tests/bin/leak-per-client | grep -q "^FAIL sequential .*valgrind.s memcheck found"'
# The lab 1 client (the grader's client test, step 5).
check "the lab 1 reference client passes" bash -c \
	'./grader/grader --lab 1 --test client solutions/lab1-simple/server | grep -q "^PASS client (3/3)$"'
check "the lab 1 skeleton client fails, saying what it printed on stderr" bash -c \
	'./grader/grader --lab 1 --test client labs/lab1-simple/server | grep -q "^FAIL client (0/3): .*TODO step 5"'
# The reference client without its shutdown: the check must say why it hung.
mkdir -p "$log/noshut"
sed 's/shutdown(fd, SHUT_WR) < 0) {/0) {/' solutions/lab1-simple/client.c > "$log/noshut/client.c"
check "a lab 1 client that never shuts down fails, with a shutdown hint" bash -c "
	make -s SUBMISSION='$log/noshut' WERROR= '$log/noshut/client' &&
	! cmp -s '$log/noshut/client.c' solutions/lab1-simple/client.c &&
	./grader/grader --lab 1 --test client --client '$log/noshut/client' solutions/lab1-simple/server |
	grep -A1 '^FAIL client (0/3): .*never shut down' | grep -q 'hint: .*shutdown(fd, SHUT_WR)'"
