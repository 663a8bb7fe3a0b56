#!/bin/sh
# handout.sh [TARBALL] - make handout: the students' tarball. Everything a
# student builds and grades with, and nothing that shows a solution: no
# solutions/, none of grader/tests/ but the coroutine runtime's unit tests
# (make check-lab4 runs them), none of the maintainers' scripts (test.sh and
# its mutants, bench, demo). Its README is grader/handout/README.md; its
# make test grades the labs as they stand (grader/tools/handout-test.sh).
set -eu
cd "$(dirname "$0")/../.."
out=${1:-serverlab-handout.tar.gz}
case $out in /*) ;; *) out=$PWD/$out ;; esac
stage=$(mktemp -d /tmp/handout.XXXXXX)
trap 'rm -rf "$stage"' EXIT
top=$stage/serverlab
mkdir -p "$top/common/tests" "$top/grader/inject" "$top/grader/tools" \
	"$top/grader/tests" "$top/classroom"
cp Makefile .gitignore "$top/"
cp grader/handout/README.md "$top/README.md"
cp common/*.c common/*.h "$top/common/"
cp common/tests/*.c common/tests/*.h "$top/common/tests/"
for layer in engine checks plans cli; do
	mkdir -p "$top/grader/$layer"
	cp grader/$layer/*.c grader/$layer/*.h "$top/grader/$layer/"
done
cp grader/inject/*.c "$top/grader/inject/"
cp grader/tools/deps.sh grader/tools/handout-test.sh "$top/grader/tools/"
cp grader/tests/test_coro.c "$top/grader/tests/"
for dir in labs/lab*/; do
	lab=$(basename "$dir")
	mkdir -p "$top/labs/$lab"
	for f in "$dir"*.c "$dir"*.h "$dir"README.md; do
		if [ -f "$f" ]; then cp "$f" "$top/labs/$lab/"; fi
	done
	n=$(echo "$lab" | sed 's/^lab\([0-9]*\).*/\1/')
	./grader/grader --lab "$n" --classroom > "$top/classroom/lab$n.yml"
done
tar -C "$stage" -czf "$out" serverlab
echo "$out: the students' handout (unpack it, then make check-lab1)"
