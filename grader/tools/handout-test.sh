#!/bin/sh
# handout-test.sh - make test in the students' handout, which has no
# solutions to test the kit against: it builds everything, runs common/'s
# unit tests (Check), and grades every lab folder as it stands (make
# check-labN). The last line sums the unit tests' and the grader's verdicts,
# "N passed, M failed": a fresh handout fails most of them, and each lab
# written brings its share over.
set -u
cd "$(dirname "$0")/../.."
log=$(mktemp -d /tmp/serverlab-handout-test.XXXXXX)
trap 'rm -rf "$log"' EXIT
passed=0 failed=0
if ! make -s all common/tests/unit > "$log/build" 2>&1; then
	cat "$log/build"
	echo "the build failed: fix the first error above"
	echo "0 passed, 1 failed"
	exit 1
fi
./common/tests/unit > "$log/unit" 2>&1
summary=$(tail -n 1 "$log/unit")
echo "common/ $summary"
p=$(echo "$summary" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(echo "$summary" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
passed=$((passed + ${p:-0})) failed=$((failed + ${f:-1}))
for dir in labs/lab*/; do
	n=$(basename "$dir" | sed 's/^lab\([0-9]*\).*/\1/')
	make -s --no-print-directory check-lab"$n" > "$log/lab$n" 2>&1
	rc=$?
	p=$(grep -c '^PASS ' "$log/lab$n") f=$(grep -c '^FAIL ' "$log/lab$n")
	# lab 4's runtime tests (Check) count too: "coro: N passed, M failed"
	cp=$(sed -n 's/^coro: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log/lab$n")
	cf=$(sed -n 's/^coro: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log/lab$n")
	p=$((p + ${cp:-0})) f=$((f + ${cf:-0}))
	# a check that failed with no verdict line (a build, the grader) fails
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	echo "lab $n ($dir): $p passed, $f failed; $(grep -m1 '^score:\|^skipped:' "$log/lab$n")"
done
echo "(make check-labN shows each failure with its hint)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
