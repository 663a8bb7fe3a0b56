#!/bin/sh
# gradescope.sh LAB [ZIP] - make gradescope: autograder-labLAB.zip, what Gradescope
# takes as a programming assignment's autograder. setup.sh, run_autograder
# and check-image.sh at its top (grader/gradescope/; IF_UNAVAILABLE in the
# environment: lab 5's score where io_uring is refused), and the kit's sources the
# grader is built from: the Makefile, common/, grader/ (no tests, no bench),
# and the lab's folder from labs/ (its skeleton: a submission's files go over it).
set -eu
cd "$(dirname "$0")/../.."
lab=$1
folder=$(ls -d labs/lab"$lab"-* 2> /dev/null | head -n 1)
if [ -z "$folder" ]; then
	echo "make gradescope LAB=N: no folder labs/lab$lab-* (labs: $(ls labs | tr '\n' ' '))" >&2
	exit 2
fi
command -v zip > /dev/null || { echo "gradescope: zip is missing: run make deps" >&2; exit 1; }
stage=$(mktemp -d /tmp/gradescope.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/grader/inject" "$stage/common" "$stage/$folder"
cp Makefile "$stage/"
cp common/*.c common/*.h "$stage/common/"
cp grader/*.c grader/*.h "$stage/grader/"
cp grader/inject/*.c "$stage/grader/inject/"
for f in "$folder"/*.c "$folder"/*.h "$folder"/README.md; do
	if [ -f "$f" ]; then cp "$f" "$stage/$folder/"; fi
done
policy=${IF_UNAVAILABLE:-pending}
case $policy in full|zero|pending) ;; *)
	echo "make gradescope: IF_UNAVAILABLE is full, zero or pending, not '$policy'" >&2; exit 2 ;;
esac
for f in setup.sh run_autograder check-image.sh; do
	sed "s/@LAB@/$lab/g; s/@POLICY@/$policy/g" grader/gradescope/$f > "$stage/$f"
	chmod 755 "$stage/$f"
done
out=${2:-autograder-lab$lab.zip}
case $out in /*) ;; *) out=$PWD/$out ;; esac
rm -f "$out"
(cd "$stage" && zip -qr "$out" .)
echo "$out: upload it as the autograder of lab $lab's Gradescope assignment"
