#!/bin/sh
# demo.sh - make demo: grade every reference solution, then show what a
# student sees on an untouched skeleton. Run from the top of the kit after
# `make all`.
cd "$(dirname "$0")/../.." || exit 1
rc=0
for dir in solutions/lab*/; do
	lab=$(basename "$dir")
	n=$(echo "$lab" | sed 's/^lab\([0-9]\).*/\1/')
	echo "== grader/grader --lab $n $dir""server   (the reference solution)"
	./grader/grader --lab "$n" "$dir"server
	case $? in
	0) ;;
	77) echo; continue ;; # the grader said why this system cannot run it
	*) rc=1 ;;
	esac
	echo
	echo "== grader/grader --lab $n --step 1 labs/$lab/server   (the untouched skeleton a student starts from)"
	out=$(./grader/grader --lab "$n" --step 1 "labs/$lab/server")
	echo "$out"
	echo "   (what a student sees before writing step 1: the one failure, with its hint and a"
	echo "   command to reproduce it; what needs a server that starts is not run until it does)"
	echo
done
echo "== grader/grader bench: every strategy side by side, 1 and 100 clients (make bench: the full run)"
[ $rc -eq 0 ] || echo "demo: a reference solution lost points (see above)."
if ! sh grader/tools/bench.sh --short; then
	echo "demo: grader bench failed (its message is above)."
	rc=1
fi
echo
if [ $rc -eq 0 ]; then
	echo "demo: every reference solution has full marks."
	echo "Next: read labs/lab1-simple/README.md and run 'make check-lab1'."
fi
exit $rc
