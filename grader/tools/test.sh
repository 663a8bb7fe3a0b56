#!/usr/bin/env bash
# test.sh - the kit's own test suite (make test). Every check prints one line,
# "ok NAME" or "FAIL NAME: why"; the grader's PASS/FAIL lines and Check's
# results are counted test by test. The last line is "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0
log=$(mktemp -d /tmp/serverlab-test.XXXXXX)
trap 'rm -rf "$log"' EXIT

# A section's heading; with TIMES=1, when it began (s since the start).
section() { echo "== $1${TIMES:+ (at ${SECONDS} s)}"; }
ok() { passed=$((passed + 1)); echo "ok $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
check() { # check NAME COMMAND...: ok when the command succeeds
	local name=$1; shift
	if "$@" > "$log/out" 2>&1; then ok "$name"; else bad "$name" "$(tail -n 5 "$log/out")"; fi
}
# Count a grader run's PASS and FAIL lines into the totals.
count_grader() { # count_grader LABEL FILE
	local p f
	p=$(grep -c '^PASS ' "$2"); f=$(grep -c '^FAIL ' "$2")
	passed=$((passed + p)); failed=$((failed + f))
	echo "$1: $p passed, $f failed"
	grep -A2 '^FAIL ' "$2" | sed 's/^/    /'
}
all_labs() { ls -d solutions/lab*/ 2>/dev/null | sed 's,solutions/,,; s,/,,'; }
lab_number() { echo "$1" | sed 's/^lab\([0-9]\).*/\1/'; }
# A lab's steps are 1..last_step: the highest K of its TODO(step K) marks.
last_step() { cat solutions/$1/*.[ch] | grep -o 'TODO(step [0-9]*)' | grep -o '[0-9]*' | sort -n | tail -n 1; }
# A lab this system cannot run (lab 5 where io_uring is refused) is
# skipped: said once here, and its checks counted as not run at the end.
skipped_labs=" " not_run=0
for lab in $(all_labs); do
	n=$(lab_number "$lab")
	./grader/grader --lab "$n" --test starts /bin/true > "$log/avail" 2>&1
	[ $? -eq 77 ] || continue
	skipped_labs="$skipped_labs$n "
	cat "$log/avail"
done
lab_skipped() { [[ $skipped_labs == *" $1 "* ]]; }
labs() { for lab in $(all_labs); do lab_skipped "$(lab_number "$lab")" || echo "$lab"; done; }
# The points of a lab's tests, from the grader: points LAB [OPTIONS...]
# (--step K, --test NAMES), summed.
points() { local lab=$1; shift; ./grader/grader --lab "$lab" "$@" --list | awk '{s += $(NF - 1)} END {print s}'; }
# A server (or client) in folder DIR, built by the Makefile as make
# builds a lab's: build_in DIR TARGET [MAKE-VARIABLES...], quiet.
build_in() { local dir=$1 target=$2; shift 2; make -s SUBMISSION="$dir" "$@" "$dir/$target"; }

# The slow part (valgrind runs, broken and hostile servers: mostly waiting
# on timeouts) runs as background jobs, JOBS at a time; results are read in
# order afterwards, so the report reads the same whatever finished first.
# Most jobs mostly wait: twelve keep 2 cores busy to the end (with eight,
# make test ran 7m21s on 2 cores; with twelve, 6m39s, the cores ~100% busy).
JOBS=${JOBS:-12}
declare -A job_pid
# CPU seconds of a shell and all it waited for: times' second line, which
# `times > FILE` writes (in $(times) it would be another shell's).
times_cpu() { awk 'NR == 2 { gsub(/[ms]/, " "); printf "%.1f", $1 * 60 + $2 + $3 * 60 + $4 }' "$1"; }
job() { # job NAME COMMAND...: run in the background; output in $log/job.NAME
	local name=$1; shift
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	( start=$(date +%s); "$@" > "$log/job.$name" 2>&1; rc=$?
	  times > "$log/job.$name.times"
	  echo "$rc $(( $(date +%s) - start )) $(times_cpu "$log/job.$name.times")" > "$log/job.$name.rc" ) &
	job_pid[$name]=$!
}
wait_for() { # wait_for PREFIX: until every job whose name begins so has ended
	local name
	for name in "${!job_pid[@]}"; do
		[[ $name != "$1"* ]] || wait "${job_pid[$name]}" 2> /dev/null
	done
	return 0
}
job_rc() { cut -d' ' -f1 "$log/job.$1.rc"; }
job_secs() { cut -d' ' -f2 "$log/job.$1.rc"; }

# Checks that take a while run as jobs too; report_bg says how they went.
bg_checks=()
check_bg() { # check_bg NAME COMMAND...
	local name=$1; shift
	job "chk.${#bg_checks[@]}" "$@"
	bg_checks+=("$name")
}
report_bg() {
	for k in "${!bg_checks[@]}"; do
		if [ "$(job_rc "chk.$k")" = 0 ]; then ok "${bg_checks[$k]}"
		else bad "${bg_checks[$k]}" "$(tail -n 5 "$log/job.chk.$k")"; fi
	done
}

section "builds (gcc, and clang's warnings; -Werror)"
# clean on its own: with -j2 it would race the build it precedes. Clang
# checks every C file beside it (make syntax: its front end, which gives
# all its warnings, and writes nothing).
built="all broken common/tests/unit grader/tests/bin/test-coro grader/tests/bin/test-latency"
make -s clean
check_bg "clang: every C file free of warnings (make syntax CC=clang)" make -s syntax CC=clang
check "build with gcc" make -s -j2 $built CC=gcc
# The grader's layers, from the objects just built (grader/tools/layers.sh).
check "grader: layers engine <- checks <- plans <- cli, no circle" bash grader/tools/layers.sh

# Count a Check run's last line, "WHAT: N passed, M failed", into the totals.
count_check() { # count_check WHAT FILE
	local summary
	summary=$(tail -n 1 "$2")
	if [[ $summary =~ ^$1:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
		echo "$summary"
		grep -E ':[EF]:' "$2" | sed 's/^/    /'
	else
		bad "$1 unit tests" "no summary line: $(tail -n 3 "$2")"
	fi
}

section "unit tests (Check)"
./common/tests/unit > "$log/unit" 2>&1
count_check unit "$log/unit"
./grader/tests/bin/test-latency > "$log/latency" 2>&1
count_check latency "$log/latency"

section "skeletons are generated from the solutions"
for f in solutions/lab*/*.[ch]; do
	skel=labs/${f#solutions/}
	if awk -f grader/tools/skeleton.awk "$f" | diff -u "$skel" - > "$log/diff" 2>&1; then
		ok "skeleton $skel in sync"
	else
		bad "skeleton $skel in sync" "differs from its solution outside the TODO regions (run make skeletons): $(head -n 12 "$log/diff")"
	fi
done


# The valgrind runs are the longest jobs: start them first. Lab 3 (threads)
# also runs under helgrind, and built with ThreadSanitizer; a racy broken
# server must fail under helgrind.
thread_labs=$(labs | grep threads)
for lab in $thread_labs; do
	job "helgrind.$lab" ./grader/grader --lab "$(lab_number "$lab")" --helgrind "solutions/$lab/server"
done
for lab in $(labs); do
	job "valgrind.$lab" ./grader/grader --lab "$(lab_number "$lab")" --valgrind "solutions/$lab/server"
	job "solution.$lab" ./grader/grader --lab "$(lab_number "$lab")" "solutions/$lab/server"
done
# By hand, not by make SAN=thread: common/ must be built with ThreadSanitizer
# too, and the kit's own common/libcommon.a is not.
for lab in $thread_labs; do
	mkdir -p "$log/tsan.$lab"
	if cc -std=c11 -Wall -Wextra -Werror -O1 -g -fsanitize=thread -Icommon -I"solutions/$lab" \
		-o "$log/tsan.$lab/server" $(ls solutions/$lab/*.c | grep -v '/client\.c$') common/*.c \
		-pthread > "$log/tsan.$lab/build" 2>&1; then
		job "tsan.$lab" ./grader/grader --lab "$(lab_number "$lab")" "$log/tsan.$lab/server"
	else
		bad "$lab builds with ThreadSanitizer" "$(head -n 5 "$log/tsan.$lab/build")"
	fi
done
# A busy desktop: the user runs 300 more threads while lab 3 is graded, and
# the task budget must still leave the server its share. RLIMIT_NPROC counts
# every task of the uid (root is not bound by it: then this shows nothing).
job "busy-user" bash -c 'grader/tests/bin/hold-threads 300 120 > "$0" & h=$!
	for i in $(seq 50); do [ -s "$0" ] && break; sleep 0.1; done
	echo "$(cat "$0"), $(ps -L -u "$(id -u)" --no-headers | wc -l) tasks of uid $(id -u)"
	./grader/grader --lab 3 --test concurrent,churn,fd-limit solutions/lab3-threads/server
	rc=$?; kill $h; exit $rc' "$log/held"
job "helgrind-race" ./grader/grader --lab 3 --helgrind --test concurrent grader/tests/bin/threads-unlocked-stats
if cc -std=c11 -O1 -g -fsanitize=thread -D'FLAW="threads-unlocked-stats"' -Icommon -o "$log/tsan-racy" \
	grader/tests/broken_threads.c common/*.c -pthread > "$log/tsan-racy.build" 2>&1; then
	job "tsan-race" ./grader/grader --lab 3 --test concurrent "$log/tsan-racy"
else
	bad "threads-unlocked-stats builds with ThreadSanitizer" "$(head -n 5 "$log/tsan-racy.build")"
fi
# A student's server after step K (reference code for steps 1..K, stand-ins
# after): it must build and pass every test of steps 1..K. The tree after
# the last step is the solution but for its "// skeleton:" comments: the
# solution's own grading above stands for it.
steps=()
for lab in $(labs); do
	for k in $(seq 1 $(($(last_step "$lab") - 1))); do
		dir="$log/step.$lab.$k"; mkdir -p "$dir"
		for f in solutions/$lab/*.[ch]; do
			awk -v upto="$k" -f grader/tools/skeleton.awk "$f" > "$dir/$(basename "$f")"
		done
		if build_in "$dir" server > "$dir/build" 2>&1; then
			steps+=("$lab $k")
			job "step.$lab.$k" ./grader/grader --lab "$(lab_number "$lab")" --step "$k" "$dir/server"
		else
			bad "$lab after step $k builds" "$(head -n 5 "$dir/build")"
		fi
	done
done
# Where the grader has no PID namespace, it says why under --verbose.
no_pid_ns=$(./grader/grader --lab 1 --verbose --test starts /bin/false | grep 'no PID namespace')
[ -z "$no_pid_ns" ] || echo "$no_pid_ns"
# manifest: NAME LAB EXPECT... ; EXPECT = tests that must fail, ?TEST may
# fail, or the word "hostile" (then: contained, see below; hostile-root:
# the same, only when make test runs as root).
hostile=() broken=()
# A variant (--list: "with VAR=value") runs a test again with a switch set
# in the server's environment. A broken server whose binary never names
# VAR runs the very same code there: make test leaves such variants out
# (lab 2's -poll tests of the mux-* servers, a quarter of their CPU), and
# their names in its manifest line (a full grading fails them alike).
declare -A lab_list unread_of # grader --list of lab N; a broken line's unread variants
for lab in $(labs); do n=$(lab_number "$lab"); lab_list[$n]=$(./grader/grader --lab "$n" --list); done
variants_unread() { # variants_unread LAB BINARY: one name a line
	echo "${lab_list[$1]}" | while read -r test _ _ with var _; do
		[ "$with" = with ] && ! grep -qF "${var%%=*}" "$2" && echo "$test"
	done
	return 0
}
# Lab 1's tests include its client's: the broken servers go with the
# reference client, so that only their own flaw fails.
client_for() { [ "$1" != 1 ] || echo "--client solutions/lab1-simple/client"; }
while read -r name lab expect; do
	case $name in ''|'#'*) continue ;; esac
	lab_skipped "$lab" && { not_run=$((not_run + 1)); continue; }
	if { [ "$expect" = hostile-root ] && [ "$(id -u)" -ne 0 ]; } ||
	   { [ "$expect" = hostile-ns ] && [ "$(id -u)" -ne 0 ] && [ -n "$no_pid_ns" ]; }; then
		echo "not run: hostile $name (its containment holds as root${no_pid_ns:+, or with a PID namespace})"
		not_run=$((not_run + 1))
	elif [[ $expect == hostile* ]]; then
		hostile+=("$name $lab")
		job "hostile.$name" timeout 90 ./grader/grader --lab "$lab" $(client_for "$lab") "grader/tests/bin/$name"
	else
		unread=$(variants_unread "$lab" "grader/tests/bin/$name")
		broken+=("$name $lab $expect") unread_of[$name.$lab]=$(echo $unread)
		job "broken.$name.$lab" ./grader/grader --lab "$lab" $(client_for "$lab") \
			${unread:+--test "$(echo "${lab_list[$lab]}" | cut -d' ' -f1 |
				grep -vxF "$unread" | paste -sd,)"} "grader/tests/bin/$name"
	fi
done < grader/tests/manifest
# mutants: NAME @ LAB[:K] @ FILE @ FIND @ REPLACE @ TESTS [@ HINT] (grader/tests/mutants)
mutants=()
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	IFS='@' read -r name lab file find replace expect hint <<< "$line"
	name=$(echo $name) lab=$(echo $lab) file=$(echo $file) expect=$(echo $expect)
	upto=99; [[ $lab == *:* ]] && upto=${lab#*:} lab=${lab%%:*}
	lab_skipped "$lab" && { not_run=$((not_run + 1)); continue; }
	hint=${hint# } hint=${hint% }
	find=${find# } find=${find% } replace=${replace# } replace=${replace% }
	dir="$log/mutant.$name"; mkdir -p "$dir"
	for f in solutions/lab$lab-*/*.[ch]; do # the tree after step upto
		awk -v upto="$upto" -f grader/tools/skeleton.awk "$f" > "$dir/$(basename "$f")"
	done
	awk -v find="$find" -v repl="$replace" '{ if ((i = index($0, find)) > 0) {
		$0 = substr($0, 1, i - 1) repl substr($0, i + length(find)); n++ } print }
		END { exit n == 1 ? 0 : 1 }' "$dir/$file" > "$dir/$file.mutant" &&
		mv "$dir/$file.mutant" "$dir/$file" ||
		{ bad "mutant $name" "'$find' is not on exactly one line of $file"; continue; }
	# A mutant may warn (a variable its change left unused): no -Werror.
	if build_in "$dir" server WERROR= > "$dir/build" 2>&1; then
		# TESTS may begin with --valgrind: the mistake shows only there.
		vg=""
		[[ $expect == --valgrind\ * ]] && vg=--valgrind expect=${expect#--valgrind }
		mutants+=("$name@$lab@$expect@$hint")
		job "mutant.$name" ./grader/grader --lab "$lab" $vg --test "$(echo $expect | tr -d '?' | tr ' ' ',')" "$dir/server"
	else
		bad "mutant $name builds" "$(head -n 5 "$dir/build")"
	fi
done < grader/tests/mutants
# Lab 4's runtime: its unit tests, then each mutant of it (grader/tests/
# coro-mutants: NAME @ FIND @ REPLACE @ TEST) must fail its test.
job coro ./grader/tests/bin/test-coro
coro_mutants=()
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	IFS='@' read -r name find replace test <<< "$line"
	name=$(echo $name) test=$(echo $test)
	find=${find# } find=${find% } replace=${replace# } replace=${replace% }
	dir="$log/coro-mutant.$name"; mkdir -p "$dir"; cp solutions/lab4-coroutines/coro.h "$dir"/
	if ! awk -v find="$find" -v repl="$replace" '{ if ((i = index($0, find)) > 0) {
		$0 = substr($0, 1, i - 1) repl substr($0, i + length(find)); n++ } print }
		END { exit n == 1 ? 0 : 1 }' solutions/lab4-coroutines/coro.c > "$dir/coro.c"; then
		bad "runtime mutant $name" "'$find' is not on exactly one line of coro.c"
	elif make -s WERROR= "$dir/test-coro" > "$dir/build" 2>&1; then
		coro_mutants+=("$name $test")
		job "coro-mutant.$name" "$dir/test-coro"
	else
		bad "runtime mutant $name builds" "$(head -n 3 "$dir/build")"
	fi
done < grader/tests/coro-mutants
check_bg "grader: --step 1 runs step 1 only" bash -c \
	"./grader/grader --lab 1 --step 1 solutions/lab1-simple/server | grep -q '^score: $(points 1 --step 1)/$(points 1 --step 1)$'"
check_bg "grader: --json writes Gradescope results" bash -c "
	./grader/grader --lab 1 --json '$log/r.json' grader/tests/bin/term-exit-1 > /dev/null
	grep -q '\"max_score\": $(points 1)' '$log/r.json' && grep -q '\"name\": \"sigterm\", \"score\": 0' '$log/r.json' &&
	{ ! command -v python3 > /dev/null || python3 -m json.tool '$log/r.json' > /dev/null; }"
check_bg "grader: a statically linked server fails partial-io, told why" bash -c "
	mkdir -p '$log/static' && cp solutions/lab1-simple/server.c '$log/static/' &&
	make -s SUBMISSION='$log/static' LDFLAGS=-static '$log/static/server' 2> /dev/null &&
	./grader/grader --lab 1 --test partial-io '$log/static/server' | grep -q '^FAIL partial-io .*does not load the grader.s shim'"
check_bg "grader: without its shim beside it, partial-io says to run make" bash -c "
	cp grader/grader '$log/grader' && '$log/grader' --lab 1 --test partial-io solutions/lab1-simple/server | grep -q 'hint: run make'"
check_bg "grader: without io_uring, lab 5 is skipped in one line (exit 77)" bash -c '
	out=$(grader/tests/bin/no-uring ./grader/grader --lab 5 solutions/lab5-uring/server); rc=$?
	[ $rc -eq 77 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] &&
	[[ $out == "skipped: lab 5 cannot run on this system: io_uring_setup failed: Operation not permitted"* ]]'
check_bg "grader: without buffer rings, step 6's tests say so (one line each); the rest grade" bash -c '
	out=$(grader/tests/bin/no-bufring ./grader/grader --lab 5 --test echo-basic,concurrent,idle-memory,pool-dry \
		solutions/lab5-uring/server) &&
	[ "$(echo "$out" | grep -c "^SKIP [a-z-]*: not available on this machine: the kernel registers no provided-buffer ring")" -eq 2 ] &&
	[ "$(echo "$out" | grep -c "^PASS ")" -eq 2 ] && [ "$(echo "$out" | tail -n 1)" = "score: 5/5" ]'
check_bg "make check-lab5 without io_uring says so, and does not fail" bash -c '
	out=$(grader/tests/bin/no-uring make -s check-lab5 LABS=solutions 2>&1) &&
	[[ $out == *"skipped: lab 5 cannot run on this system"* ]]'
# A server of another contract (no listening line, a log on stdout):
# graded with --args to full marks; without, starts' hint names --args.
check_bg "grader --args: a server with no listening line, graded to full marks" bash -c '
	./grader/grader --lab 2 --args "SERVER {addr}" grader/tests/bin/mux-log-stdout > "$0" &&
	grep -q "^score: \([0-9]*\)/\1$" "$0"' "$log/any-server"
check_bg "grader: without --args, starts says to use it for a server that listens but prints no line" bash -c '
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
check_bg "grader: lab 3's reference with a buffer malloc'd in each thread keeps its marks" malloc_per_thread
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
check_bg "grader: lab 3's reference without its EINTR retry passes partial-io (it catches no signal)" no_eintr_retry
# A process per client crosses lab 3's task budget (a lab's rule, not a
# flaw of the echo): concurrent's hint must say so.
if cc -std=c11 -O2 -Icommon -D'FLAW="fork-linger"' -o "$log/fork-linger" grader/tests/broken.c \
	common/libcommon.a -pthread > "$log/fork-linger.build" 2>&1; then
	check_bg "grader: a process per client at lab 3's task budget: concurrent's hint names the limit" bash -c '
		./grader/grader --lab 3 --test concurrent "$0" | grep -A1 "^FAIL concurrent " |
		grep -q "hint: a lab limit, not an echo bug: .* at lab 3.s task budget of 600"' "$log/fork-linger"
else
	bad "fork-linger builds" "$(head -n 5 "$log/fork-linger.build")"
fi
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
check_bg "grader: --json is strict UTF-8 JSON whatever bytes a server printed" json_of_garbage
# grader bench: what it must notice (make bench measures; this checks).
check_bg "grader bench: a server that flips one byte in a million is caught (exit 1)" bash -c '
	out=$(./grader/grader bench --clients 1 --size 4096 --seconds 5 grader/tests/bin/corrupt-rare 2>&1)
	[ $? -eq 1 ] && [[ $out == *"client 1 of 1, after 999999 bytes came back right: byte 999999 came back as"* ]]'
check_bg "grader bench: a one-at-a-time server is reported serialised, not hung" bash -c '
	out=$(./grader/grader bench --clients 1,3,10 --seconds 0.5 solutions/lab1-simple/server 2>&1) &&
	[[ $out == *"serialised: 1 of 3 clients served; the other 2 waited"* ]] &&
	[[ $out == *"serialised at 3 clients already: not run"* ]]'
check_bg "grader bench: every run in the CSV, and the plot or why not" bash -c "
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
check_bg "grader --leaderboard: round trips/s in results.json and Autolab's scoreboard; 0 if serialised" bash -c "
	./grader/grader --lab 2 --test starts --leaderboard --json '$log/lb.json' --autolab solutions/lab2-multiplex/server |
		tail -n 1 | grep -q '^{\"scores\": {\"starts\": 2}, \"scoreboard\": \[2, [1-9][0-9]*\]}\$' &&
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[\"leaderboard\"][0][\"value\"] > 0, d' '$log/lb.json' &&
	./grader/grader --lab 2 --test starts --leaderboard --autolab solutions/lab1-simple/server | tail -n 1 |
		grep -q 'scoreboard\": \[2, 0\]}\$'"
check_bg "grader: a valgrind error fails the test it happened in" bash -c \
	'./grader/grader --lab 1 --valgrind --test sequential grader/tests/bin/leak-per-client | grep -q "^FAIL sequential .*valgrind.s memcheck found"'
# The lab 1 client (the grader's client test, step 5).
check_bg "the lab 1 reference client passes" bash -c \
	'./grader/grader --lab 1 --test client solutions/lab1-simple/server | grep -q "^PASS client (3/3)$"'
check_bg "the lab 1 skeleton client fails, saying what it printed on stderr" bash -c \
	'./grader/grader --lab 1 --test client labs/lab1-simple/server | grep -q "^FAIL client (0/3): .*TODO step 5"'
# The reference client without its shutdown: the check must say why it hung.
mkdir -p "$log/noshut"
sed 's/shutdown(fd, SHUT_WR) < 0) {/0) {/' solutions/lab1-simple/client.c > "$log/noshut/client.c"
check_bg "a lab 1 client that never shuts down fails, with a shutdown hint" bash -c "
	make -s SUBMISSION='$log/noshut' WERROR= '$log/noshut/client' &&
	! cmp -s '$log/noshut/client.c' solutions/lab1-simple/client.c &&
	./grader/grader --lab 1 --test client --client '$log/noshut/client' solutions/lab1-simple/server |
	grep -A1 '^FAIL client (0/3): .*never shut down' | grep -q 'hint: .*shutdown(fd, SHUT_WR)'"
# Each lab's skeleton, as a student first runs it (reported below).
for lab in $(labs); do
	job "skel.$lab" make -s --no-print-directory check-lab"$(lab_number "$lab")"
done
. grader/tools/test_instructors.sh
# The by-hand lines need only the broken servers' runs: they start while
# the longest jobs (valgrind) still run.
wait_for broken.

# Every by-hand line the grader printed for a broken server runs as it
# would for a student: alone in a session (setsid), so whatever of it is
# left afterwards is what that session still holds, on a port of its own
# (PORT). The same lines run on the lab's reference, once per test, and
# two of them get a Ctrl-C halfway, sent to the line's process group as a
# terminal sends it.
session() { # session SID [PS-FILE]: its live processes, as pid/name (now, or then)
	{ if [ -n "${2:-}" ]; then cat "$2"; else ps -e -o sid=,stat=,pid=,comm=; fi; } |
		awk -v s="$1" '$1 == s && $2 !~ /^Z/ { printf "%s/%s ", $3, $4 }'
}
by_hand() { # by_hand SIDFILE PORT LINE
	PORT=$2 timeout 30 setsid bash -c 'echo $$ > "$1"; eval "$2"' _ "$1" "$3"
}
by_hand_ctrl_c() { # by_hand_ctrl_c SIDFILE PORT DELAY LINE
	# A background job ignores SIGINT; env gives the line the default back.
	PORT=$2 setsid env --default-signal=INT bash -c 'echo $$ > "$1"; eval "$2"' \
		_ "$1" "$4" &
	local pid=$! sid t0
	sleep "$3"
	sid=$(cat "$1"); session "$sid" > "$1.running"
	t0=$(date +%s%N); kill -INT -- -"$sid"; wait "$pid"
	local rc=$?
	echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$1.ms"
	return $rc
}
lab_dir() { ls -d solutions/lab"$1"-* | sed 's,solutions/,,'; }
port=$((20000 + RANDOM % 9000)) hands=() refs=() seen=" "
for entry in "${broken[@]}"; do
	read -r name lab expect <<< "$entry"
	while IFS=$'\t' read -r test line; do
		port=$((port + 1)); k=${#hands[@]}
		hands+=("$k $name $lab $test")
		job "hand.$k" by_hand "$log/hand.$k.sid" "$port" "$line"
		[[ $seen == *" $lab/$test "* ]] && continue
		seen="$seen$lab/$test "
		ref=${line//"grader/tests/bin/$name "/"solutions/$(lab_dir "$lab")/server "}
		echo "$ref" > "$log/ref.$lab.$test.line"
		port=$((port + 1)); refs+=("$lab $test")
		job "ref.$lab.$test" by_hand "$log/ref.$lab.$test.sid" "$port" "$ref"
	done < <(awk '/^FAIL / { test = $2 } sub(/^  by hand: /, "") { print test "\t" $0 }' \
		"$log/job.broken.$name.$lab")
done
interrupts=("half-close 1.5" "echo-large 0.5")
for entry in "${interrupts[@]}"; do
	read -r test delay <<< "$entry"
	port=$((port + 1))
	job "ctrl-c.$test" by_hand_ctrl_c "$log/ctrl-c.$test.sid" "$port" "$delay" \
		"$(cat "$log/ref.1.$test.line")"
done
# A reproduce line is the grader with --trace on that one test: run two.
reproduce=("linger-reset 1 half-close" "mux-fd-leak 2 churn")
for entry in "${reproduce[@]}"; do
	read -r name lab test <<< "$entry"
	line=$(awk -v t="$test" '/^FAIL / { f = $2 } f == t && sub(/^  reproduce: /, "")' \
		"$log/job.broken.$name.$lab")
	echo "$line" > "$log/repro.$name.line"
	job "repro.$name" timeout 90 bash -c "$line"
done

wait
# Every job has ended: what is left of their sessions, seen once.
ps -e -o sid=,stat=,pid=,comm= > "$log/ps.after"
section "unit tests of lab 4's coroutine runtime (Check), and each fails on a mutant"
count_check coro "$log/job.coro"
for entry in "${coro_mutants[@]}"; do
	read -r name test <<< "$entry"
	if grep -qE ":[EF]:runtime:$test:" "$log/job.coro-mutant.$name"; then
		ok "runtime mutant $name fails $test"
	else
		bad "runtime mutant $name" "$test did not fail: $(tail -n 1 "$log/job.coro-mutant.$name")"
	fi
done

section "reference solutions at full marks"
for lab in $(labs); do
	out="$log/job.solution.$lab"
	count_grader "solution $lab ($(job_secs "solution.$lab") s)" "$out"
	grep -q '^score: \([0-9]*\)/\1$' "$out" || bad "solution $lab full marks" "$(tail -n 1 "$out")"
done

section "reference solutions under valgrind"
for lab in $(labs); do
	count_grader "solution $lab under valgrind ($(job_secs "valgrind.$lab") s)" "$log/job.valgrind.$lab"
	grep -q '^score: \([0-9]*\)/\1$' "$log/job.valgrind.$lab" ||
		bad "solution $lab under valgrind full marks" "$(tail -n 1 "$log/job.valgrind.$lab")"
done

section "lab 3 under helgrind and ThreadSanitizer; a race fails under either"
for lab in $thread_labs; do
	count_grader "solution $lab under helgrind ($(job_secs "helgrind.$lab") s)" "$log/job.helgrind.$lab"
	grep -q '^score: \([0-9]*\)/\1$' "$log/job.helgrind.$lab" ||
		bad "solution $lab under helgrind full marks" "$(tail -n 1 "$log/job.helgrind.$lab")"
	[ -f "$log/job.tsan.$lab" ] || continue
	count_grader "solution $lab built with ThreadSanitizer ($(job_secs "tsan.$lab") s)" "$log/job.tsan.$lab"
	grep -q '^score: \([0-9]*\)/\1$' "$log/job.tsan.$lab" ||
		bad "solution $lab with ThreadSanitizer full marks" "$(tail -n 1 "$log/job.tsan.$lab")"
done
if grep -q '^FAIL concurrent .*valgrind.s helgrind found .*Possible data race' "$log/job.helgrind-race"; then
	ok "grader --helgrind: threads-unlocked-stats fails concurrent with helgrind's race report ($(job_secs helgrind-race) s)"
else
	bad "grader --helgrind fails a racy server" "$(grep -m1 -A1 '^FAIL\|^score' "$log/job.helgrind-race")"
fi
if [ "$(job_rc busy-user)" = 0 ] && grep -q '^holding 300' "$log/job.busy-user"; then
	ok "lab 3 reference at full marks while the user runs 300 more threads ($(head -n 1 "$log/job.busy-user"))"
else
	bad "lab 3 reference while the user runs 300 more threads" "$(grep -v '^PASS' "$log/job.busy-user" | head -n 4)"
fi
if [ -f "$log/job.tsan-race" ] &&
	grep -q '^FAIL concurrent .*no sanitizer reports; .*ThreadSanitizer: data race' "$log/job.tsan-race"; then
	ok "grader: threads-unlocked-stats built with ThreadSanitizer fails concurrent with its race report ($(job_secs tsan-race) s)"
elif [ -f "$log/job.tsan-race" ]; then
	bad "grader fails a racy server built with ThreadSanitizer" "$(grep -m1 -A1 '^FAIL\|^score' "$log/job.tsan-race")"
fi

section "a student's server after step K passes the tests of steps 1..K"
for entry in "${steps[@]}"; do
	set -- $entry
	out="$log/job.step.$1.$2"
	if grep -q '^score: \([0-9]*\)/\1$' "$out"; then
		ok "$1 after step $2: $(tail -n 1 "$out")"
	else
		bad "$1 after step $2" "$(grep -A1 '^FAIL' "$out" | head -n 4)"
	fi
done

section "skeletons build, run, and fail at step 1: once, the rest not run"
for lab in $(labs); do
	n=$(lab_number "$lab") skel=$log/job.skel.$lab rc=$(job_rc "skel.$lab")
	first_hint=$(grep -m1 '^  hint:' "$skel")
	fails=$(grep '^FAIL' "$skel" | cut -d' ' -f2 | tr '\n' ' ')
	lines=$(wc -l < "$skel")
	if [ "$rc" -ne 0 ] && [[ $first_hint == *"step 1"* ]] && [ "$fails" = "starts " ] &&
		grep -q '^NOT RUN because starts failed: ' "$skel" && [ "$lines" -lt 15 ]; then
		ok "make check-lab$n on the skeleton: FAIL starts with a step-1 hint, the rest not run ($lines lines)"
	else
		bad "make check-lab$n on the skeleton" "exit $rc, $lines lines, failed [$fails], first hint: $first_hint"
	fi
done

section "each broken server fails exactly its tests"
# One awk a line (a fork costs): the tests failed, in order; those of
# EXPECT that did not fail; and those failed that EXPECT does not name.
judge_broken() { # judge_broken EXPECT UNREAD FILE: "GOT|MISSING|EXTRA"
	# LC_ALL=C: a server's stderr in a FAIL line may be no UTF-8 at all
	LC_ALL=C awk -v expect="$1" -v unread="$2" '
		BEGIN { n = split(expect, e, " "); split(unread, u, " ")
			for (k in u) skip[u[k]] = 1 }
		/^FAIL / { failed[$2] = 1; got = got $2 " " }
		/^score: [0-9]+\/[0-9]+$/ { scored = 1 }
		END {
			for (i = 1; i <= n; i++) {
				t = e[i]; may = sub(/^\?/, "", t)
				if (t in skip) continue
				want[t] = 1
				if (!may && !(t in failed)) missing = missing " " t
			}
			for (t in failed) if (!(t in want)) extra = extra " " t
			# A run that crashed or printed no score fails nothing, and
			# must not pass for the lines that expect nothing to fail.
			if (!scored) extra = extra " (no score line)"
			printf "%s|%s|%s", got, missing, extra
		}' "$3"
}
for entry in "${broken[@]}"; do
	read -r name lab expect <<< "$entry"
	out="$log/job.broken.$name.$lab" unread=${unread_of[$name.$lab]}
	IFS='|' read -r got missing extra <<< "$(judge_broken "$expect" "$unread" "$out")"
	if [ -z "$missing$extra" ]; then ok "broken $name (lab $lab) fails: ${got:-nothing }($(job_secs "broken.$name.$lab") s${unread:+; not run, the switch unread: $unread})"
	else bad "broken $name (lab $lab)" "expected to fail [$expect], failed [$got]${extra:+; $(tail -n 1 "$out")}"; fi
done

section "each mutant of a reference solution fails its tests"
for entry in "${mutants[@]}"; do
	IFS='@' read -r name lab expect hint <<< "$entry"
	out="$log/job.mutant.$name" missing=""
	for t in $expect; do
		case $t in '?'*) continue ;; esac # may pass: load decides
		grep -q "^FAIL $t " "$out" || missing="$missing $t"
	done
	first_hint=$(grep -m1 '^  hint:' "$out")
	# The hint is checked where the mutant failed (a ?TEST may pass).
	if [ -n "$hint" ] && [ -n "$first_hint" ] && [[ $first_hint != *"$hint"* ]]; then
		bad "mutant $name (lab $lab)" "first hint lacks '$hint': $first_hint"
	elif [ -z "$missing" ]; then ok "mutant $name (lab $lab) fails $expect ($(job_secs "mutant.$name") s)"
	else bad "mutant $name (lab $lab)" "did not fail:$missing; $(tail -n 1 "$out")"; fi
done

section "by-hand lines end within 30 s, show the failure, leave nothing behind"
check_by_hand() { # check_by_hand JOB LABEL VERDICT...: in time, nothing left, a VERDICT last
	local job=$1 label=$2 sid verdict left want match=no
	shift 2
	sid=$(cat "$log/$job.sid") verdict=$(tail -n 1 "$log/job.$job")
	left=$(session "$sid" "$log/ps.after")
	for want; do [[ $verdict == $want ]] && match=yes; done
	if [ "$(job_rc "$job")" != 124 ] && [ -z "$left" ] && [ $match = yes ]; then
		ok "$label says \"$verdict\" ($(job_secs "$job") s)"
	else
		bad "$label" "exit $(job_rc "$job") after $(job_secs "$job") s, last line \"$verdict\", left behind: [$left]"
		[ -n "$left" ] && pkill -KILL -s "$sid"
	fi
}
for entry in "${hands[@]}"; do
	read -r k name lab test <<< "$entry"
	check_by_hand "hand.$k" "by hand: $name (lab $lab) $test" different "no EOF*"
done
for entry in "${refs[@]}"; do
	read -r lab test <<< "$entry"
	check_by_hand "ref.$lab.$test" "by hand: the lab $lab reference, $test" same
done
for entry in "${interrupts[@]}"; do
	read -r test delay <<< "$entry"
	f="$log/ctrl-c.$test.sid" sid=$(cat "$f")
	running=$(cat "$f.running") ms=$(cat "$f.ms") left=$(session "$sid" "$log/ps.after")
	if [ "$(job_rc "ctrl-c.$test")" = 130 ] && [ "$ms" -lt 3000 ] && [ -z "$left" ] &&
		[[ $running == *"/server "* ]]; then
		ok "by hand: Ctrl-C after $delay s in $test (lab 1 reference) ends it in $ms ms, server and all"
	else
		bad "by hand: Ctrl-C in $test" "exit $(job_rc "ctrl-c.$test") $ms ms after SIGINT; running then: [$running]; left behind: [$left]"
		[ -n "$left" ] && pkill -KILL -s "$sid"
	fi
done

section "reproduce lines: the grader on that test with --trace, within its time limit"
bad_lines=$(for entry in "${broken[@]}"; do
	read -r name lab expect <<< "$entry"
	client=$(client_for "$lab")
	awk -v want="./grader/grader --lab $lab --test %s${client:+ $client} --trace grader/tests/bin/$name" '
		/^FAIL / { test = $2 }
		sub(/^  reproduce: /, "") && $0 != sprintf(want, test) { print FILENAME ": " $0 }' \
		"$log/job.broken.$name.$lab"
done)
if [ -z "$bad_lines" ]; then ok "every reproduce line is the --trace command of its test"
else bad "every reproduce line is the --trace command of its test" "$(echo "$bad_lines" | head -n 3)"; fi
for entry in "${reproduce[@]}"; do
	read -r name lab test <<< "$entry"
	out="$log/job.repro.$name" rc=$(job_rc "repro.$name") secs=$(job_secs "repro.$name")
	lines=$(wc -l < "$out")
	if [ "$rc" = 1 ] && [ "$secs" -le 60 ] && grep -q "^trace of $test " "$out" &&
		grep -q "^FAIL $test " "$out" && [ "$lines" -lt 150 ]; then
		ok "reproduce: $(cat "$log/repro.$name.line") fails $test again, in $secs s, $lines lines"
	else
		bad "reproduce: $(cat "$log/repro.$name.line")" "exit $rc after $secs s, $lines lines: $(grep -m1 '^FAIL' "$out")"
	fi
done

section "hostile servers are contained (grader ends within 60 s, no process left)"
for entry in "${hostile[@]}"; do
	set -- $entry
	rcs=$(job_rc "hostile.$1") secs=$(job_secs "hostile.$1")
	# any uid: run as root, the grader gives servers one of their own
	left=$(pgrep -x "${1:0:15}" | tr '\n' ' ')
	# exit 0 or 1 both mean it finished and scored (ignore-term may pass)
	if [ "$rcs" -le 1 ] && [ "$secs" -lt 60 ] && [ -z "$left" ]; then
		ok "hostile $1 contained (${secs} s, $(grep -c '^FAIL' "$log/job.hostile.$1") tests failed)"
	else
		bad "hostile $1 contained" "grader exit $rcs after ${secs} s; processes left: [$left]"
		[ -n "$left" ] && kill -9 $left 2> /dev/null
	fi
done

section "the grader itself"
expect_exit() { # expect_exit CODE COMMAND...
	local want=$1; shift
	"$@" > /dev/null 2>&1; [ $? -eq "$want" ]
}
check "grader: no arguments is a usage error (2)" expect_exit 2 ./grader/grader
check "grader: --lab 9 is a usage error (2)" expect_exit 2 ./grader/grader --lab 9 solutions/lab1-simple/server
check "grader: unknown test is a usage error (2)" expect_exit 2 ./grader/grader --lab 1 --test nosuch solutions/lab1-simple/server
check "grader: missing binary is a usage error (2)" expect_exit 2 ./grader/grader --lab 1 /nonexistent/server
check "grader: --trace without --test is a usage error (2, one line)" bash -c '
	./grader/grader --lab 1 --trace solutions/lab1-simple/server 2> "$0"; [ $? -eq 2 ] &&
	[ "$(wc -l < "$0")" -eq 1 ]' "$log/trace-usage"
report_bg
check "grader: Ctrl-C stops the grader and every server process" bash -c '
	./grader/grader --lab 1 grader/tests/bin/ignore-term > /dev/null 2>&1 & g=$!
	sleep 1; kill -INT $g; wait $g; rc=$?
	sleep 0.2; [ $rc -eq 130 ] && ! pgrep -u "$(id -u)" -x ignore-term'

for lab in $(all_labs); do
	lab_skipped "$(lab_number "$lab")" || continue
	# its solution, valgrind run, skeleton, and each step's tree but the last
	not_run=$((not_run + 2 + $(last_step "$lab")))
done
if [ "$skipped_labs" != " " ]; then
	echo "skipped: lab(s)$skipped_labs(this system cannot run them, see the top): $not_run checks not run"
elif [ "$not_run" -gt 0 ]; then
	echo "$not_run checks not run (root-only, said above)"
fi
# TIMES=1: where the time went, the jobs that used most CPU first.
if [ -n "${TIMES:-}" ]; then
	echo "== the jobs that used most CPU (seconds: CPU, wall)"
	for f in "$log"/job.*.rc; do
		j=${f#"$log/job."}; echo "$(cut -d' ' -f3 "$f") $(job_secs "${j%.rc}") ${j%.rc}"
	done | sort -rn -k1,1 | head -n 40 | sed 's/^/  /'
	echo "  by kind (what a job's name begins with): CPU seconds, jobs"
	for f in "$log"/job.*.rc; do j=${f#"$log/job."}; echo "${j%%.*} $(cut -d' ' -f3 "$f")"; done |
		awk '{ c[$1] += $2; n[$1]++ } END { for (k in c) printf "  %7.1f %4d %s\n", c[k], n[k], k }' | sort -rn
	jobs_cpu=$(cat "$log"/job.*.rc | awk '{ c += $3 } END { print c }')
	times > "$log/times" # all this shell waited for, the jobs among it
	echo "  all jobs: $jobs_cpu s CPU; the rest (builds and checks in line):" \
		"$(awk -v all="$(times_cpu "$log/times")" -v j="$jobs_cpu" 'BEGIN { printf "%.0f", all - j }') s"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
