#!/usr/bin/env bash
# test.sh - the kit's own test suite (make test), as a list. Each check is
# registered on one line: `check NAME COMMAND...` (ok when the command
# succeeds), or `register ID JUDGE ARGS...` for a judge function that runs
# something and prints its own verdict lines. Every check runs as a
# background job, JOBS at a time; one loop reports them in the order they
# were registered, whatever finished first, as soon as each is done.
# A verdict line is "ok NAME", "FAIL NAME: why", or "WHAT: N passed, M
# failed" (a grader's or Check's tests, counted one by one). The last line
# of all is "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
log=$(mktemp -d /tmp/serverlab-test.XXXXXX)
trap 'rm -rf "$log"' EXIT

# ---- the list: jobs, their registration, the report ----

# Most jobs mostly wait on timeouts: with eight, make test ran 7m21s on
# 2 cores; with twelve, 6m39s. With twelve the cores were still idle 13-17%
# of the run (lab 3's long waits held the slots); with fifteen, 11%: 4m55s
# against 5m12s, the same 520 s of CPU (one hour, the same build time).
JOBS=${JOBS:-15}
declare -A job_pid
order=() reported=0 passed=0 failed=0
# CPU seconds of a shell and all it waited for: times' second line, which
# `times > FILE` writes (in $(times) it would be another shell's).
times_cpu() { awk 'NR == 2 { gsub(/[ms]/, " "); printf "%.1f", $1 * 60 + $2 + $3 * 60 + $4 }' "$1"; }
job() { # job ID COMMAND...: in the background; its output in $log/job.ID
	local id=$1; shift
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; report_ready; done
	( start=$(date +%s); "$@" > "$log/job.$id" 2>&1; rc=$?
	  times > "$log/job.$id.times"
	  echo "$rc $(( $(date +%s) - start )) $(times_cpu "$log/job.$id.times")" > "$log/job.$id.rc" ) &
	job_pid[$id]=$!
}
heading() { order+=("== $1"); }
register() { # register ID JUDGE [ARGS...]: a job whose output is its verdict
	order+=("$1"); job "$@"
}
checks=0
check() { # check NAME COMMAND...: ok when the command succeeds
	checks=$((checks + 1)); register "chk.$checks" succeeds "$@"
}
now() { # now ID JUDGE [ARGS...]: register, and wait for it (what follows needs it)
	register "$@"; wait "${job_pid[$1]}"
}
wait_for() { # wait_for PREFIX: until every job whose ID begins so has ended
	local id
	for id in "${!job_pid[@]}"; do
		[[ $id != "$1"* ]] || wait "${job_pid[$id]}" 2> /dev/null
	done
	return 0
}
job_rc() { cut -d' ' -f1 "$log/job.$1.rc"; }
# Print entry k of the list, and count its verdicts.
report_entry() {
	local entry=${order[$1]} line verdicts=0
	case $entry in "== "*) echo "$entry"; return ;; esac
	while IFS= read -r line; do
		echo "$line"
		if [[ $line == "ok "* ]]; then passed=$((passed + 1)) verdicts=1
		elif [[ $line == "FAIL "* ]]; then failed=$((failed + 1)) verdicts=1
		elif [[ $line =~ ^[^\ ].*:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2])) verdicts=1
		fi
	done < "$log/job.$entry"
	if [ $verdicts = 0 ]; then
		failed=$((failed + 1))
		echo "FAIL $entry: said nothing (exit $(job_rc "$entry")): $(tail -n 3 "$log/job.$entry")"
	fi
}
# The entries at the head of the list whose jobs have ended (progress).
report_ready() {
	while [ "$reported" -lt "${#order[@]}" ]; do
		local entry=${order[$reported]}
		[[ $entry == "== "* ]] || [ -e "$log/job.$entry.rc" ] || return 0
		report_entry "$reported"; reported=$((reported + 1))
	done
}
report_rest() {
	while [ "$reported" -lt "${#order[@]}" ]; do
		local entry=${order[$reported]}
		[[ $entry == "== "* ]] || wait "${job_pid[$entry]}" 2> /dev/null
		report_entry "$reported"; reported=$((reported + 1))
	done
}

# ---- what judges use ----

ok() { echo "ok $1"; }
expect_exit() { # expect_exit CODE COMMAND...
	local want=$1; shift
	"$@" > /dev/null 2>&1; [ $? -eq "$want" ]
}
bad() { echo "FAIL $1: $2"; }
succeeds() { # succeeds NAME COMMAND...: ok when the command succeeds
	local name=$1 out=$log/out.$BASHPID; shift
	if "$@" > "$out" 2>&1; then ok "$name"; else bad "$name" "$(tail -n 5 "$out")"; fi
}
# A grader run's PASS and FAIL lines counted, its FAIL lines below; and
# a score below full marks fails.
full_marks() { # full_marks LABEL COMMAND...
	local label=$1 out=$log/full.$BASHPID start=$SECONDS; shift
	"$@" > "$out" 2>&1
	echo "$label ($((SECONDS - start)) s): $(grep -c '^PASS ' "$out") passed, $(grep -c '^FAIL ' "$out") failed"
	grep -A2 '^FAIL ' "$out" | sed 's/^/    /'
	grep -q '^score: \([0-9]*\)/\1$' "$out" || bad "$label full marks" "$(tail -n 1 "$out")"
}
# A Check run's last line, "WHAT: N passed, M failed", and its failures.
count_check() { # count_check WHAT COMMAND...
	local what=$1 out=$log/check.$BASHPID; shift
	"$@" > "$out" 2>&1
	if [[ $(tail -n 1 "$out") =~ ^$what:\ [0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
		tail -n 1 "$out"; grep -E ':[EF]:' "$out" | sed 's/^/    /'
	else
		bad "$what unit tests" "no summary line: $(tail -n 3 "$out")"
	fi
}
all_labs() { ls -d solutions/lab*/ 2>/dev/null | sed 's,solutions/,,; s,/,,'; }
lab_number() { echo "$1" | sed 's/^lab\([0-9]\).*/\1/'; }
lab_dir() { ls -d solutions/lab"$1"-* | sed 's,solutions/,,'; }
# A lab's steps are 1..last_step: the highest K of its TODO(step K) marks.
last_step() { cat solutions/$1/*.[ch] | grep -o 'TODO(step [0-9]*)' | grep -o '[0-9]*' | sort -n | tail -n 1; }
# The points of a lab's tests, from the grader: points LAB [OPTIONS...]
# (--step K, --test NAMES), summed.
points() { local lab=$1; shift; ./grader/grader --lab "$lab" "$@" --list | awk '{s += $(NF - 1)} END {print s}'; }
# A server (or client) in folder DIR, built by the Makefile as make
# builds a lab's: build_in DIR TARGET [MAKE-VARIABLES...], quiet.
build_in() { local dir=$1 target=$2; shift 2; make -s SUBMISSION="$dir" "$@" "$dir/$target"; }
# The tree after step K of lab LAB's reference, in DIR.
tree_after() { # tree_after LAB K DIR
	local f
	mkdir -p "$3" && for f in solutions/$1/*.[ch]; do
		awk -v upto="$2" -f grader/tools/skeleton.awk "$f" > "$3/$(basename "$f")"
	done
}
# FILE with FIND replaced by REPLACE, on exactly one line.
replace_once() { # replace_once FILE FIND REPLACE
	awk -v find="$2" -v repl="$3" '{ if ((i = index($0, find)) > 0) {
		$0 = substr($0, 1, i - 1) repl substr($0, i + length(find)); n++ } print }
		END { exit n == 1 ? 0 : 1 }' "$1" > "$1.new" && mv "$1.new" "$1"
}

# ---- before any check: what this system cannot run, and the build ----

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

heading "builds (gcc, and clang's warnings; -Werror)"
# clean on its own: with -j2 it would race the build it precedes. Clang
# checks every C file beside it (make syntax: its front end, which gives
# all its warnings, and writes nothing).
make -s clean
check "clang: every C file free of warnings (make syntax CC=clang)" make -s syntax CC=clang
now build succeeds "build with gcc" make -s -j2 all broken common/tests/unit \
	grader/tests/bin/test-coro grader/tests/bin/test-latency CC=gcc
# The grader's layers, from the objects just built (grader/tools/layers.sh).
check "grader: layers engine <- checks <- plans <- cli, no circle" bash grader/tools/layers.sh

heading "unit tests (Check)"
register unit count_check unit ./common/tests/unit
register latency count_check latency ./grader/tests/bin/test-latency

heading "skeletons are generated from the solutions"
skeletons_in_sync() {
	local f skel
	for f in solutions/lab*/*.[ch]; do
		skel=labs/${f#solutions/}
		if awk -f grader/tools/skeleton.awk "$f" | diff -u "$skel" - > "$log/diff" 2>&1; then
			ok "skeleton $skel in sync"
		else
			bad "skeleton $skel in sync" "differs from its solution outside the TODO regions (run make skeletons): $(head -n 12 "$log/diff")"
		fi
	done
}
register sync skeletons_in_sync

# ---- the references ----

# The valgrind runs are the longest jobs: registered first. Lab 3
# (threads) also runs under helgrind, and built with ThreadSanitizer; a
# racy broken server must fail under either.
heading "reference solutions at full marks, natively, under valgrind; lab 3 under helgrind and ThreadSanitizer"
# Under a tool, labs 2-5 leave out the tests of starting up: they run
# common/listener.c, which lab 1's run under valgrind covers. They leave
# out too what measures time, CPU or threads over code the other tests
# already run (strategy, idle-cpu, and lab 2's poll variants of tests
# whose epoll runs stay). Each start under valgrind reads glibc's debug
# information (half a second): these were a third of the tools' CPU.
# `grader --valgrind` still runs them all.
tool_tests() { # tool_tests LAB: --test and the tests a tool run needs
	[ "$1" = 1 ] || echo "--test $(./grader/grader --lab "$1" --list | cut -d' ' -f1 |
		grep -vxE 'starts|bad-args|addr-in-use|ipv6|strategy|idle-cpu|idle-cpu-poll|idle-client-poll|fd-limit-poll' |
		paste -sd,)"
}
thread_labs=$(labs | grep threads)
for lab in $thread_labs; do
	n=$(lab_number "$lab")
	register "helgrind.$lab" full_marks "solution $lab under helgrind, but for starting up and timing" \
		./grader/grader --lab "$n" $(tool_tests "$n") --helgrind "solutions/$lab/server"
done
for lab in $(labs); do
	n=$(lab_number "$lab")
	register "valgrind.$lab" full_marks "solution $lab under valgrind$([ "$n" = 1 ] || echo ", but for starting up and timing")" \
		./grader/grader --lab "$n" $(tool_tests "$n") --valgrind "solutions/$lab/server"
	register "solution.$lab" full_marks "solution $lab" \
		./grader/grader --lab "$(lab_number "$lab")" "solutions/$lab/server"
done
# By hand, not by make SAN=thread: common/ must be built with ThreadSanitizer
# too, and the kit's own common/libcommon.a is not.
tsan_build() { # tsan_build OUT SOURCES...: built with ThreadSanitizer (its log: OUT.build)
	local out=$1; shift
	cc -std=c11 -Wall -Wextra -O1 -g -fsanitize=thread -Icommon "$@" common/*.c -pthread \
		-o "$out" > "$out.build" 2>&1
}
for lab in $thread_labs; do
	mkdir -p "$log/tsan.$lab"
	if tsan_build "$log/tsan.$lab/server" -Werror -I"solutions/$lab" $(ls solutions/$lab/*.c | grep -v '/client\.c$'); then
		n=$(lab_number "$lab")
		register "tsan.$lab" full_marks "solution $lab built with ThreadSanitizer, but for starting up and timing" \
			./grader/grader --lab "$n" $(tool_tests "$n") "$log/tsan.$lab/server"
	else
		register "tsan.$lab" bad "$lab builds with ThreadSanitizer" "$(head -n 5 "$log/tsan.$lab/server.build")"
	fi
done
# A busy desktop: the user runs 300 more threads while lab 3 is graded, and
# the task budget must still leave the server its share. RLIMIT_NPROC counts
# every task of the uid (root is not bound by it: then this shows nothing).
busy_user() {
	local held=$log/held h rc i
	grader/tests/bin/hold-threads 300 120 > "$held" & h=$!
	for i in $(seq 50); do [ -s "$held" ] && break; sleep 0.1; done
	./grader/grader --lab 3 --test concurrent,churn,fd-limit solutions/lab3-threads/server > "$held.out" 2>&1
	rc=$?; kill $h
	if [ $rc = 0 ] && grep -q '^holding 300' "$held"; then
		ok "lab 3 reference at full marks while the user runs 300 more threads ($(cat "$held"), $(ps -L -u "$(id -u)" --no-headers | wc -l) tasks of uid $(id -u))"
	else
		bad "lab 3 reference while the user runs 300 more threads" "$(grep -v '^PASS' "$held.out" | head -n 4)"
	fi
}
# The first test with clients is enough: the racy server's threads share
# its counters unlocked from the first two clients on (concurrent, 500
# threads under a sanitizer on a loaded machine, failed on time instead).
racy_fails() { # racy_fails TOOL COMMAND...: a racy server fails sequential, the race named
	local tool=$1 out=$log/racy.$BASHPID start=$SECONDS; shift
	"$@" > "$out" 2>&1
	if [ "$tool" = helgrind ] && grep -q '^FAIL sequential .*valgrind.s helgrind found .*Possible data race' "$out"; then
		ok "grader --helgrind: threads-unlocked-stats fails sequential with helgrind's race report ($((SECONDS - start)) s)"
	elif [ "$tool" = tsan ] && grep -q '^FAIL sequential .*no sanitizer reports; .*ThreadSanitizer: data race' "$out"; then
		ok "grader: threads-unlocked-stats built with ThreadSanitizer fails sequential with its race report ($((SECONDS - start)) s)"
	else
		bad "grader fails a racy server ($tool)" "$(grep -m1 -A1 '^FAIL\|^score' "$out")"
	fi
}
if [ -n "$thread_labs" ]; then
	register busy-user busy_user
	register helgrind-race racy_fails helgrind ./grader/grader --lab 3 --helgrind --test sequential grader/tests/bin/threads-unlocked-stats
	if tsan_build "$log/tsan-racy" -D'FLAW="threads-unlocked-stats"' grader/tests/broken_threads.c; then
		register tsan-race racy_fails tsan ./grader/grader --lab 3 --test sequential "$log/tsan-racy"
	else
		register tsan-race bad "threads-unlocked-stats builds with ThreadSanitizer" "$(head -n 5 "$log/tsan-racy.build")"
	fi
fi

# ---- the manifest: broken servers fail exactly their line ----

# Registered before the step trees: lab 3's lines take 50-80 s of wall
# each (threads tests wait out their bounds), and the by-hand checks at
# the end wait for every one of them.

# Where the grader has no PID namespace, it says why under --verbose.
no_pid_ns=$(./grader/grader --lab 1 --verbose --test starts /bin/false | grep 'no PID namespace')
[ -z "$no_pid_ns" ] || echo "$no_pid_ns"
# manifest: NAME LAB EXPECT... ; EXPECT = tests that must fail, ?TEST may
# fail, or the word "hostile" (then: contained, see below; hostile-root:
# the same, only when make test runs as root).
# A variant (--list: "with VAR=value") runs a test again with a switch set
# in the server's environment. A broken server whose binary never names
# VAR runs the very same code there: make test leaves such variants out
# (lab 2's -poll tests of the mux-* servers, a quarter of their CPU), and
# their names in its manifest line (a full grading fails them alike).
declare -A lab_list # grader --list of lab N
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
broken_line() { # broken_line NAME LAB "EXPECT" "UNREAD" "AGAIN": its output kept in $log/broken.NAME.LAB
	local name=$1 lab=$2 expect=$3 unread=$4 again=$5 out=$log/broken.$1.$2 start=$SECONDS got missing extra
	local skip=$(echo $unread $again)
	./grader/grader --lab "$lab" $(client_for "$lab") \
		${skip:+--test "$(echo "${lab_list[$lab]}" | cut -d' ' -f1 | grep -vxF "${skip// /$'\n'}" | paste -sd,)"} \
		"grader/tests/bin/$name" > "$out" 2>&1
	IFS='|' read -r got missing extra <<< "$(judge_broken "$expect" "$skip" "$out")"
	if [ -z "$missing$extra" ]; then ok "broken $name (lab $lab) fails: ${got:-nothing }($((SECONDS - start)) s${unread:+; not run, the switch unread: $unread}${again:+; its echo contract graded on its first line})"
	else bad "broken $name (lab $lab)" "expected to fail [$expect], failed [$got]${extra:+; $(tail -n 1 "$out")}"; fi
}
# Hostile: the grader ends within 60 s, and no process of it is left.
hostile_line() { # hostile_line NAME LAB
	local out=$log/hostile.$1 start=$SECONDS rc secs left
	timeout 90 ./grader/grader --lab "$2" $(client_for "$2") "grader/tests/bin/$1" > "$out" 2>&1
	rc=$? secs=$((SECONDS - start))
	# any uid: run as root, the grader gives servers one of their own
	left=$(pgrep -x "${1:0:15}" | tr '\n' ' ')
	# exit 0 or 1 both mean it finished and scored (ignore-term may pass)
	if [ "$rc" -le 1 ] && [ "$secs" -lt 60 ] && [ -z "$left" ]; then
		ok "hostile $1 contained (${secs} s, $(grep -c '^FAIL' "$out") tests failed)"
	else
		bad "hostile $1 contained" "grader exit $rc after ${secs} s; processes left: [$left]"
		[ -n "$left" ] && kill -9 $left 2> /dev/null
	fi
}
heading "the manifest: each broken server fails exactly its tests; hostile ones are contained"
# A server on a second line (another lab) runs the same code through the
# echo contract (lab 1's tests, one function each whatever the lab): its
# first line grades that; the second, what its lab adds (strategy, load).
contract=$(echo "${lab_list[1]}" | cut -d' ' -f1 | grep -vx client)
declare -A first_lab
broken=()
while read -r name lab expect; do
	case $name in ''|'#'*) continue ;; esac
	lab_skipped "$lab" && { not_run=$((not_run + 1)); continue; }
	if { [ "$expect" = hostile-root ] && [ "$(id -u)" -ne 0 ]; } ||
	   { [ "$expect" = hostile-ns ] && [ "$(id -u)" -ne 0 ] && [ -n "$no_pid_ns" ]; }; then
		echo "not run: hostile $name (its containment holds as root${no_pid_ns:+, or with a PID namespace})"
		not_run=$((not_run + 1))
	elif [[ $expect == hostile* ]]; then
		register "hostile.$name" hostile_line "$name" "$lab"
	else
		broken+=("$name $lab") again=""
		[ -z "${first_lab[$name]:-}" ] || again=$(echo "${lab_list[$lab]}" | cut -d' ' -f1 |
			grep -xF "$contract" | paste -sd' ')
		first_lab[$name]=${first_lab[$name]:-$lab}
		register "broken.$name.$lab" broken_line "$name" "$lab" "$expect" \
			"$(variants_unread "$lab" "grader/tests/bin/$name" | paste -sd' ')" "$again"
	fi
done < grader/tests/manifest

# A student's server after step K (reference code for steps 1..K, stand-ins
# after): it must build and pass every test of steps 1..K. The tree after
# the last step is the solution but for its "// skeleton:" comments: the
# solution's own grading above stands for it.
heading "a student's server after step K passes the tests of steps 1..K"
# Built here, before the job (compilers beside the timed jobs cost them
# more CPU than the builds take); the job grades.
step_graded() { # step_graded LAB K DIR
	./grader/grader --lab "$(lab_number "$1")" --step "$2" "$3/server" > "$3/out" 2>&1
	if grep -q '^score: \([0-9]*\)/\1$' "$3/out"; then ok "$1 after step $2: $(tail -n 1 "$3/out")"
	else bad "$1 after step $2" "$(grep -A1 '^FAIL' "$3/out" | head -n 4)"; fi
}
for lab in $(labs); do
	for k in $(seq 1 $(($(last_step "$lab") - 1))); do
		dir=$log/step.$lab.$k
		tree_after "$lab" "$k" "$dir"
		if build_in "$dir" server > "$dir/build" 2>&1; then register "step.$lab.$k" step_graded "$lab" "$k" "$dir"
		else register "step.$lab.$k" bad "$lab after step $k builds" "$(head -n 5 "$dir/build")"; fi
	done
done

# ---- the instructors' side ----

# Its two longest checks (the handout built from scratch, the Classroom
# workflow's fifteen steps) take 20-30 s each: registered last, they
# kept the cores half idle at the end.
heading "the instructors' side: batch, Classroom, Gradescope, PrairieLearn, Autolab, the handout"
. grader/tools/test_instructors.sh

# ---- mutants: one-line mistakes in a reference fail their tests ----

heading "each mutant of a reference solution fails its tests"
# mutants: NAME @ LAB[:K] @ FILE @ FIND @ REPLACE @ TESTS [@ HINT] (grader/tests/mutants)
mutant_graded() { # mutant_graded NAME LAB DIR TESTS HINT
	local name=$1 lab=$2 dir=$3 expect=$4 hint=$5 vg="" missing="" t first_hint
	# TESTS may begin with --valgrind: the mistake shows only there.
	[[ $expect == --valgrind\ * ]] && vg=--valgrind expect=${expect#--valgrind }
	./grader/grader --lab "$lab" $vg --test "$(echo $expect | tr -d '?' | tr ' ' ',')" "$dir/server" > "$dir/out" 2>&1
	for t in $expect; do
		case $t in '?'*) continue ;; esac # may pass: load decides
		grep -q "^FAIL $t " "$dir/out" || missing="$missing $t"
	done
	first_hint=$(grep -m1 '^  hint:' "$dir/out")
	# The hint is checked where the mutant failed (a ?TEST may pass).
	if [ -n "$hint" ] && [ -n "$first_hint" ] && [[ $first_hint != *"$hint"* ]]; then
		bad "mutant $name (lab $lab)" "first hint lacks '$hint': $first_hint"
	elif [ -z "$missing" ]; then ok "mutant $name (lab $lab) fails $expect"
	else bad "mutant $name (lab $lab)" "did not fail:$missing; $(tail -n 1 "$dir/out")"; fi
}
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	IFS='@' read -r name lab file find replace expect hint <<< "$line"
	name=$(trim "$name") lab=$(trim "$lab") file=$(trim "$file") expect=$(echo $expect)
	upto=99; [[ $lab == *:* ]] && upto=${lab#*:} lab=${lab%%:*}
	lab_skipped "$lab" && { not_run=$((not_run + 1)); continue; }
	hint=${hint# } hint=${hint% } find=${find# } find=${find% } replace=${replace# } replace=${replace% }
	dir=$log/mutant.$name
	tree_after "$(lab_dir "$lab")" "$upto" "$dir"
	if ! replace_once "$dir/$file" "$find" "$replace"; then
		register "mutant.$name" bad "mutant $name" "'$find' is not on exactly one line of $file"
	# A mutant may warn (a variable its change left unused): no -Werror.
	elif ! build_in "$dir" server WERROR= > "$dir/build" 2>&1; then
		register "mutant.$name" bad "mutant $name builds" "$(head -n 5 "$dir/build")"
	else
		register "mutant.$name" mutant_graded "$name" "$lab" "$dir" "$expect" "$hint"
	fi
done < grader/tests/mutants
# Lab 4's runtime: its unit tests, then each mutant of it (grader/tests/
# coro-mutants: NAME @ FIND @ REPLACE @ TEST) must fail its test.
heading "unit tests of lab 4's coroutine runtime (Check), and each fails on a mutant"
register coro count_check coro ./grader/tests/bin/test-coro
# A mutant's test may hang until Check's timeout (2 s), spinning: half of
# it is enough to fail (the reference's tests take milliseconds each).
coro_mutant_run() { # coro_mutant_run NAME DIR TEST
	CK_TIMEOUT_MULTIPLIER=0.5 "$2/test-coro" > "$2/out" 2>&1
	if grep -qE ":[EF]:runtime:$3:" "$2/out"; then ok "runtime mutant $1 fails $3"
	else bad "runtime mutant $1" "$3 did not fail: $(tail -n 1 "$2/out")"; fi
}
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	IFS='@' read -r name find replace test <<< "$line"
	find=${find# } find=${find% } replace=${replace# } replace=${replace% }
	name=$(trim "$name") test=$(trim "$test")
	dir=$log/coro-mutant.$name
	mkdir -p "$dir" && cp solutions/lab4-coroutines/coro.[ch] "$dir"/
	if ! replace_once "$dir/coro.c" "$find" "$replace"; then
		register "coro-mutant.$name" bad "runtime mutant $name" "'$find' is not on exactly one line of coro.c"
	elif ! make -s WERROR= "$dir/test-coro" > "$dir/build" 2>&1; then
		register "coro-mutant.$name" bad "runtime mutant $name builds" "$(head -n 3 "$dir/build")"
	else
		register "coro-mutant.$name" coro_mutant_run "$name" "$dir" "$test"
	fi
done < grader/tests/coro-mutants

# ---- the grader's own behaviour ----

heading "the grader itself"
check "grader: no arguments is a usage error (2)" expect_exit 2 ./grader/grader
check "grader: --lab 9 is a usage error (2)" expect_exit 2 ./grader/grader --lab 9 solutions/lab1-simple/server
check "grader: unknown test is a usage error (2)" expect_exit 2 ./grader/grader --lab 1 --test nosuch solutions/lab1-simple/server
check "grader: missing binary is a usage error (2)" expect_exit 2 ./grader/grader --lab 1 /nonexistent/server
check "grader: --trace without --test is a usage error (2, one line)" bash -c '
	./grader/grader --lab 1 --trace solutions/lab1-simple/server 2> "$0"; [ $? -eq 2 ] &&
	[ "$(wc -l < "$0")" -eq 1 ]' "$log/trace-usage"
check "grader: Ctrl-C stops the grader and every server process" bash -c '
	cp grader/tests/bin/ignore-term "$0" || exit 1 # a name of its own for pgrep
	./grader/grader --lab 1 "$0" > /dev/null 2>&1 & g=$!
	sleep 1; kill -INT $g; wait $g; rc=$?
	sleep 0.2; [ $rc -eq 130 ] && ! pgrep -u "$(id -u)" -x ctrlc-ignore' "$log/ctrlc-ignore"
. grader/tools/test_grader.sh

heading "skeletons build, run, and fail at step 1: once, the rest not run"
skeleton_check() { # skeleton_check LAB: make check-labN on its skeleton
	local n out=$log/skel.$1 rc first_hint fails lines
	n=$(lab_number "$1")
	make -s --no-print-directory check-lab"$n" > "$out" 2>&1; rc=$?
	first_hint=$(grep -m1 '^  hint:' "$out")
	fails=$(grep '^FAIL' "$out" | cut -d' ' -f2 | tr '\n' ' ')
	lines=$(wc -l < "$out")
	if [ "$rc" -ne 0 ] && [[ $first_hint == *"step 1"* ]] && [ "$fails" = "starts " ] &&
		grep -q '^NOT RUN because starts failed: ' "$out" && [ "$lines" -lt 15 ]; then
		ok "make check-lab$n on the skeleton: FAIL starts with a step-1 hint, the rest not run ($lines lines)"
	else
		bad "make check-lab$n on the skeleton" "exit $rc, $lines lines, failed [$fails], first hint: $first_hint"
	fi
}
for lab in $(labs); do register "skel.$lab" skeleton_check "$lab"; done


# ---- by hand: what the broken servers' FAIL lines tell a student to run ----

# They need the broken servers' runs only: they start while the longest
# jobs (valgrind) still run.
wait_for broken.
. grader/tools/test_by_hand.sh

report_rest
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
		j=${f#"$log/job."}; echo "$(cut -d' ' -f3 "$f") $(cut -d' ' -f2 "$f") ${j%.rc}"
	done | sort -rn -k1,1 | head -n 40 | sed 's/^/  /'
	echo "  by kind (what a job's ID begins with): CPU seconds, jobs"
	for f in "$log"/job.*.rc; do j=${f#"$log/job."}; echo "${j%%.*} $(cut -d' ' -f3 "$f")"; done |
		awk '{ c[$1] += $2; n[$1]++ } END { for (k in c) printf "  %7.1f %4d %s\n", c[k], n[k], k }' | sort -rn
	jobs_cpu=$(cat "$log"/job.*.rc | awk '{ c += $3 } END { print c }')
	times > "$log/times" # all this shell waited for, the jobs among it
	echo "  all jobs: $jobs_cpu s CPU; the rest (this shell): " \
		"$(awk -v all="$(times_cpu "$log/times")" -v j="$jobs_cpu" 'BEGIN { printf "%.0f", all - j }') s"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
