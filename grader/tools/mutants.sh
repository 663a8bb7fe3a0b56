#!/usr/bin/env bash
# mutants.sh LAB [JOBS] - make mutants LAB=N: the grader's fidelity, measured.
#
# Every one-line mutant of lab LAB's reference (grader/tools/mutate.awk:
# inside its TODO(step K) regions, a statement deleted, a comparison or
# logical operator flipped) is built as a submission (make SUBMISSION=DIR
# DIR/server, as grader --batch builds one) and graded, tests in plan
# order until the first failure; lab 4's runtime (coro.c) must also pass
# its unit tests (grader/tests/test_coro.c). A mutant is killed when a test
# or unit test fails, survives when all pass, and does not count when it
# does not build. Survivors listed in grader/tests/equivalent-mutants (with
# why they change nothing a client can see) count apart; the rest are tests
# to add. JOBS mutants at once (2). Not part of make test: it takes long.
set -u
cd "$(dirname "$0")/../.."
lab=${1:-} jobs=${2:-2}
src=$(ls -d solutions/lab"$lab"-*/ 2>/dev/null | head -n 1)
[ -n "$lab" ] && [ -n "$src" ] || { echo "make mutants LAB=N: no solutions/labN-*"; exit 2; }
src=${src%/}
work=$(mktemp -d "${TMPDIR:-/tmp}/serverlab-mutants.XXXXXX")
trap 'rm -rf "$work"' EXIT
tests=$(./grader/grader --lab "$lab" --test '?' /bin/true 2>&1 | sed -n 's/.*its tests: //p')
[ -n "$tests" ] || { echo "mutants: the grader did not list lab $lab's tests"; exit 2; }
# The lab's plan cannot run here (lab 5 without io_uring): nothing to measure.
./grader/grader --lab "$lab" --test starts /bin/true > /dev/null 2>&1
[ $? -eq 77 ] && { echo "mutants: lab $lab cannot run on this system"; exit 77; }

# One mutant a line: ID FILE LINE STEP WHAT, its new line in $work/ID.line.
n=0
for f in "$src"/*.c; do
	[ "$(basename "$f")" = client.c ] && continue # the client test's (--client), not swept here
	while IFS=$'\t' read -r line step what text; do
		n=$((n + 1))
		printf '%s\n' "$text" > "$work/$n.line"
		printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$(basename "$f")" "$line" "$step" "$what"
	done < <(awk -f grader/tools/mutate.awk "$f")
done > "$work/list"

# grade_one ID FILE LINE STEP WHAT: prints "VERDICT<TAB>ID<TAB>...<TAB>why".
grade_one() {
	local id=$1 file=$2 line=$3 dir="$work/m$1" t why="" all
	all=$(IFS=$'\t'; echo "$*")
	mkdir -p "$dir"; cp "$src"/*.[ch] "$dir"/
	awk -v n="$line" -v f="$work/$id.line" 'NR == n { t = ""; getline t < f; print t; next }
		{ print }' \
		"$src/$file" > "$dir/$file"
	if ! make -s --no-print-directory SUBMISSION="$dir" "$dir/server" > "$dir/build" 2>&1; then
		printf 'unbuilt\t%s\n' "$all"; progress; return
	fi
	if [ -f "$dir/coro.c" ]; then
		if ! cc -std=c11 -O2 -I"$dir" $(pkg-config --cflags check) -o "$dir/t" \
			grader/tests/test_coro.c "$dir/coro.c" $(pkg-config --libs check) -pthread \
			> /dev/null 2>&1; then
			printf 'unbuilt\t%s\n' "$all"; progress; return
		fi
		timeout 120 "$dir/t" > "$dir/unit" 2>&1 ||
			why="unit test: $(grep -m 1 -E ':[EF]:' "$dir/unit" | cut -c1-120)"
	fi
	for t in $tests; do
		[ -n "$why" ] && break
		timeout 300 ./grader/grader --lab "$lab" --test "$t" "$dir/server" > "$dir/$t" 2>&1
		grep -q '^FAIL ' "$dir/$t" && why="FAIL $t"
	done
	rm -rf "$dir"
	if [ -n "$why" ]; then printf 'killed\t%s\t%s\n' "$all" "$why"; else printf 'SURVIVED\t%s\n' "$all"; fi
	progress
}
# Every tenth mutant graded, a line on stderr: the sweep takes minutes.
progress() {
	local k
	echo >> "$work/done"
	k=$(wc -l < "$work/done")
	[ $((k % 10)) -ne 0 ] || echo "  $k of $(wc -l < "$work/list") graded" >&2
}
export -f grade_one progress
export work src lab tests

echo "lab $lab: $(wc -l < "$work/list") mutants of $src, $jobs at a time"
tr '\t' '\n' < "$work/list" | xargs -d '\n' -n 5 -P "$jobs" bash -c 'grade_one "$@"' _ > "$work/out"

# Equivalent survivors: "LAB @ FILE @ STEP @ LINE @ MUTATED LINE @ why"
# (whitespace trimmed), in grader/tests/equivalent-mutants.
killed=0 survived=0 equivalent=0 unbuilt=0
while IFS=$'\t' read -r verdict id file line step what why; do
	text=$(sed 's/^[ \t]*//; s/[ \t]*$//' "$work/$id.line")
	orig=$(sed -n "${line}p" "$src/$file" | sed 's/^[ \t]*//; s/[ \t]*$//')
	case $verdict in
	killed) killed=$((killed + 1))
		printf 'killed      %s:%s step %s  %s: %s  (%s)\n' "$file" "$line" "$step" "$what" "$orig" "$why" ;;
	unbuilt) unbuilt=$((unbuilt + 1)) ;;
	SURVIVED)
		# Through the environment: awk -v would read \n in a line as a newline.
		eq=$(FILE="$file" ORIG="$orig" TEXT="${text:-(deleted)}" awk -F' @ ' -v lab="$lab" \
			-v step="$step" '$1 == lab && $2 == ENVIRON["FILE"] && $3 == step &&
			 $4 == ENVIRON["ORIG"] && $5 == ENVIRON["TEXT"] { print $6; exit }' \
			grader/tests/equivalent-mutants)
		if [ -n "$eq" ]; then
			equivalent=$((equivalent + 1))
			printf 'equivalent  %s:%s step %s  %s: %s  (%s)\n' "$file" "$line" "$step" "$what" "$orig" "$eq"
		else
			survived=$((survived + 1))
			printf 'SURVIVED    %s:%s step %s  %s: %s\n' "$file" "$line" "$step" "$what" "$orig"
		fi ;;
	esac
done < <(sort -t$'\t' -k2,2n "$work/out")
total=$((killed + survived + equivalent))
echo "lab $lab: $killed killed of $total built mutants ($unbuilt did not build);" \
	"$equivalent equivalent survivors; killed $killed of $((killed + survived))" \
	"non-equivalent ($(( (killed + survived) ? 100 * killed / (killed + survived) : 100 ))%)"
