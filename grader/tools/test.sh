#!/usr/bin/env bash
# test.sh - the kit's own test suite (make test). Every check prints one line,
# "ok NAME" or "FAIL NAME: why"; the grader's PASS/FAIL lines and Check's
# results are counted test by test. The last line is "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0
log=$(mktemp -d /tmp/serverlab-test.XXXXXX)
trap 'rm -rf "$log"' EXIT

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
labs() { ls -d solutions/lab*/ 2>/dev/null | sed 's,solutions/,,; s,/,,'; }
lab_number() { echo "$1" | sed 's/^lab\([0-9]\).*/\1/'; }

echo "== builds (gcc and clang, -Werror)"
check "build with clang" make -s clean all broken common/tests/unit CC=clang
check "build with gcc" make -s clean all broken common/tests/unit CC=gcc

echo "== unit tests (Check)"
./common/tests/unit > "$log/unit" 2>&1
summary=$(tail -n 1 "$log/unit")
if [[ $summary =~ ^unit:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
	echo "$summary"
	grep -E ':[EF]:' "$log/unit" | sed 's/^/    /'
else
	bad "unit tests" "no summary line: $(tail -n 3 "$log/unit")"
fi

echo "== skeletons are generated from the solutions"
for f in solutions/lab*/*.[ch]; do
	skel=labs/${f#solutions/}
	if awk -f grader/tools/skeleton.awk "$f" | diff -u "$skel" - > "$log/diff" 2>&1; then
		ok "skeleton $skel in sync"
	else
		bad "skeleton $skel in sync" "differs from its solution outside the TODO regions (run make skeletons): $(head -n 12 "$log/diff")"
	fi
done

# The slow part (valgrind runs, broken and hostile servers: mostly waiting
# on timeouts) runs as background jobs, JOBS at a time; results are read in
# order afterwards, so the report reads the same whatever finished first.
JOBS=${JOBS:-5}
job() { # job NAME COMMAND...: run in the background; output in $log/job.NAME
	local name=$1; shift
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	( start=$(date +%s); "$@" > "$log/job.$name" 2>&1; rc=$?
	  echo "$rc $(( $(date +%s) - start ))" > "$log/job.$name.rc" ) &
}
job_rc() { cut -d' ' -f1 "$log/job.$1.rc"; }
job_secs() { cut -d' ' -f2 "$log/job.$1.rc"; }

echo "== reference solutions at full marks"
for lab in $(labs); do
	n=$(lab_number "$lab")
	./grader/grader --lab "$n" "solutions/$lab/server" > "$log/sol" 2>&1
	count_grader "solution $lab" "$log/sol"
	grep -q '^score: \([0-9]*\)/\1$' "$log/sol" || bad "solution $lab full marks" "$(tail -n 1 "$log/sol")"
done

# The valgrind runs are the longest jobs: start them first.
for lab in $(labs); do
	job "valgrind.$lab" ./grader/grader --lab "$(lab_number "$lab")" --valgrind "solutions/$lab/server"
done
# A student's server after step K (reference code for steps 1..K, stand-ins
# after): it must build and pass every test of steps 1..K.
steps=()
for lab in $(labs); do
	last=$(cat solutions/$lab/*.[ch] | grep -o 'TODO(step [0-9]*)' | grep -o '[0-9]*' | sort -n | tail -n 1)
	for k in $(seq 1 "$last"); do
		dir="$log/step.$lab.$k"; mkdir -p "$dir"
		for f in solutions/$lab/*.[ch]; do
			awk -v upto="$k" -f grader/tools/skeleton.awk "$f" > "$dir/$(basename "$f")"
		done
		srcs=$(ls "$dir"/*.c | grep -v '/client\.c$')
		if cc -std=c11 -Wall -Wextra -Werror -O2 -Icommon -I"$dir" -o "$dir/server" $srcs \
			common/libcommon.a -pthread > "$dir/build" 2>&1; then
			steps+=("$lab $k")
			job "step.$lab.$k" ./grader/grader --lab "$(lab_number "$lab")" --step "$k" "$dir/server"
		else
			bad "$lab after step $k builds" "$(head -n 5 "$dir/build")"
		fi
	done
done
# manifest: NAME LAB EXPECT... ; EXPECT = tests that must fail, ?TEST may
# fail, or the word "hostile" (then: contained, see below).
hostile=() broken=()
while read -r name lab expect; do
	case $name in ''|'#'*) continue ;; esac
	if [ "$expect" = hostile ]; then
		hostile+=("$name $lab")
		job "hostile.$name" timeout 90 ./grader/grader --lab "$lab" "grader/tests/bin/$name"
	else
		broken+=("$name $lab $expect")
		job "broken.$name.$lab" ./grader/grader --lab "$lab" "grader/tests/bin/$name"
	fi
done < grader/tests/manifest
# mutants: NAME @ LAB @ FILE @ FIND @ REPLACE @ TESTS [@ HINT] (grader/tests/mutants)
mutants=()
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	IFS='@' read -r name lab file find replace expect hint <<< "$line"
	name=$(echo $name) lab=$(echo $lab) file=$(echo $file) expect=$(echo $expect)
	hint=${hint# } hint=${hint% }
	find=${find# } find=${find% } replace=${replace# } replace=${replace% }
	dir="$log/mutant.$name"; mkdir -p "$dir"
	cp solutions/lab$lab-*/*.[ch] "$dir"/
	awk -v find="$find" -v repl="$replace" '{ if ((i = index($0, find)) > 0) {
		$0 = substr($0, 1, i - 1) repl substr($0, i + length(find)); n++ } print }
		END { exit n ? 0 : 1 }' "solutions/lab$lab-"*/"$file" > "$dir/$file" ||
		{ bad "mutant $name" "'$find' is no longer in $file"; continue; }
	if cc -std=c11 -Wall -Wextra -O2 -Icommon -I"$dir" -o "$dir/server" \
		$(ls "$dir"/*.c | grep -v '/client\.c$') common/libcommon.a -pthread > "$dir/build" 2>&1; then
		mutants+=("$name@$lab@$expect@$hint")
		job "mutant.$name" ./grader/grader --lab "$lab" --test "$(echo $expect | tr ' ' ',')" "$dir/server"
	else
		bad "mutant $name builds" "$(head -n 5 "$dir/build")"
	fi
done < grader/tests/mutants
wait

echo "== reference solutions under valgrind"
for lab in $(labs); do
	count_grader "solution $lab under valgrind ($(job_secs "valgrind.$lab") s)" "$log/job.valgrind.$lab"
done

echo "== a student's server after step K passes the tests of steps 1..K"
for entry in "${steps[@]}"; do
	set -- $entry
	out="$log/job.step.$1.$2"
	if grep -q '^score: \([0-9]*\)/\1$' "$out"; then
		ok "$1 after step $2: $(tail -n 1 "$out")"
	else
		bad "$1 after step $2" "$(grep -A1 '^FAIL' "$out" | head -n 4)"
	fi
done

echo "== skeletons build, run, and fail at step 1"
for lab in $(labs); do
	n=$(lab_number "$lab")
	./grader/grader --lab "$n" "labs/$lab/server" > "$log/skel" 2>&1
	rc=$?
	first_hint=$(grep -m1 '^  hint:' "$log/skel")
	if [ $rc -eq 1 ] && [[ $first_hint == *"step 1"* ]]; then
		ok "skeleton $lab fails with a step-1 hint"
	else
		bad "skeleton $lab fails with a step-1 hint" "exit $rc, first hint: $first_hint"
	fi
done

echo "== each broken server fails exactly its tests"
for entry in "${broken[@]}"; do
	read -r name lab expect <<< "$entry"
	out="$log/job.broken.$name.$lab"
	got=$(sed -n 's/^FAIL \([^ ]*\) .*/\1/p' "$out" | sort | tr '\n' ' ')
	missing="" extra=""
	for t in $expect; do
		case $t in '?'*) continue ;; esac
		grep -q "^FAIL $t " "$out" || missing="$missing $t"
	done
	for t in $got; do
		[[ " $expect " == *" $t "* || " $expect " == *" ?$t "* ]] || extra="$extra $t"
	done
	if [ -z "$missing$extra" ]; then ok "broken $name (lab $lab) fails: ${got:-nothing}($(job_secs "broken.$name.$lab") s)"
	else bad "broken $name (lab $lab)" "expected to fail [$expect], failed [$got]"; fi
done

echo "== each mutant of a reference solution fails its tests"
for entry in "${mutants[@]}"; do
	IFS='@' read -r name lab expect hint <<< "$entry"
	out="$log/job.mutant.$name" missing=""
	for t in $expect; do grep -q "^FAIL $t " "$out" || missing="$missing $t"; done
	first_hint=$(grep -m1 '^  hint:' "$out")
	if [ -n "$hint" ] && [[ $first_hint != *"$hint"* ]]; then
		bad "mutant $name (lab $lab)" "first hint lacks '$hint': $first_hint"
	elif [ -z "$missing" ]; then ok "mutant $name (lab $lab) fails $expect ($(job_secs "mutant.$name") s)"
	else bad "mutant $name (lab $lab)" "did not fail:$missing; $(tail -n 1 "$out")"; fi
done

echo "== hostile servers are contained (grader ends within 60 s, no process left)"
for entry in "${hostile[@]}"; do
	set -- $entry
	rcs=$(job_rc "hostile.$1") secs=$(job_secs "hostile.$1")
	left=$(pgrep -x "${1:0:15}" | tr '\n' ' ')
	# exit 0 or 1 both mean it finished and scored (ignore-term may pass)
	if [ "$rcs" -le 1 ] && [ "$secs" -lt 60 ] && [ -z "$left" ]; then
		ok "hostile $1 contained (${secs} s, $(grep -c '^FAIL' "$log/job.hostile.$1") tests failed)"
	else
		bad "hostile $1 contained" "grader exit $rcs after ${secs} s; processes left: [$left]"
		[ -n "$left" ] && kill -9 $left 2> /dev/null
	fi
done

echo "== the grader itself"
expect_exit() { # expect_exit CODE COMMAND...
	local want=$1; shift
	"$@" > /dev/null 2>&1; [ $? -eq "$want" ]
}
check "grader: no arguments is a usage error (2)" expect_exit 2 ./grader/grader
check "grader: --lab 9 is a usage error (2)" expect_exit 2 ./grader/grader --lab 9 solutions/lab1-simple/server
check "grader: unknown test is a usage error (2)" expect_exit 2 ./grader/grader --lab 1 --test nosuch solutions/lab1-simple/server
check "grader: missing binary is a usage error (2)" expect_exit 2 ./grader/grader --lab 1 /nonexistent/server
check "grader: --step 1 runs step 1 only" bash -c \
	'./grader/grader --lab 1 --step 1 solutions/lab1-simple/server | grep -q "^score: 7/7$"'
check "grader: --json writes Gradescope results" bash -c "
	./grader/grader --lab 1 --json '$log/r.json' grader/tests/bin/no-sigpipe > /dev/null
	grep -q '\"max_score\": 28' '$log/r.json' && grep -q '\"name\": \"early-close\", \"score\": 0' '$log/r.json' &&
	{ ! command -v python3 > /dev/null || python3 -m json.tool '$log/r.json' > /dev/null; }"
check "grader: a statically linked server fails partial-io, told why" bash -c "
	cc -static -O2 -Icommon -o '$log/static' solutions/lab1-simple/server.c common/libcommon.a 2> /dev/null &&
	./grader/grader --lab 1 --test partial-io '$log/static' | grep -q '^FAIL partial-io .*does not load the grader.s shim'"
check "grader: without its shim beside it, partial-io says to run make" bash -c "
	cp grader/grader '$log/grader' && '$log/grader' --lab 1 --test partial-io solutions/lab1-simple/server | grep -q 'hint: run make'"
check "grader: a valgrind error fails the test it happened in" bash -c \
	'./grader/grader --lab 1 --valgrind --test sequential grader/tests/bin/leak-per-client | grep -q "^FAIL sequential .*valgrind found"'
check "grader: Ctrl-C stops the grader and every server process" bash -c '
	./grader/grader --lab 1 grader/tests/bin/ignore-term > /dev/null 2>&1 & g=$!
	sleep 1; kill -INT $g; wait $g; rc=$?
	sleep 0.2; [ $rc -eq 130 ] && ! pgrep -x ignore-term'

echo "== the lab 1 client"
sh grader/tools/client-check.sh solutions/lab1-simple/server solutions/lab1-simple/client > "$log/client" 2>&1
count_grader "reference client (make check-lab1's step 5)" "$log/client"
check "the skeleton client fails the client check" expect_exit 1 \
	sh grader/tools/client-check.sh solutions/lab1-simple/server labs/lab1-simple/client
# The reference client without its shutdown: the check must say why it hung.
sed 's/shutdown(fd, SHUT_WR) < 0) {/0) {/' solutions/lab1-simple/client.c > "$log/client-noshut.c"
check "a client that never shuts down fails, with a shutdown hint" bash -c "
	cc -std=c11 -O2 -Icommon -o '$log/client-noshut' '$log/client-noshut.c' common/libcommon.a &&
	! cmp -s '$log/client-noshut.c' solutions/lab1-simple/client.c &&
	sh grader/tools/client-check.sh solutions/lab1-simple/server '$log/client-noshut' |
	grep -A1 '^FAIL client-echo: .*stopped' | grep -q 'hint: .*shutdown(fd, SHUT_WR)'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
