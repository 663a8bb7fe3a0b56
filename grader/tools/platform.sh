#!/bin/sh
# platform.sh [LAB...] - make platform: every reference solution graded as
# a grading platform would run it: on one core that a busy loop competes
# for (about half a CPU, Gradescope's default), with 768 MB of memory where
# a memory cgroup can be made (root, cgroup v1 or v2), plainly and then
# under --valgrind (--helgrind for lab 3 too). Prints each run's score and
# wall time; exits 1 if any reference falls short of full marks.
set -u
cd "$(dirname "$0")/../.."
labs=${*:-$(ls solutions | sed 's/^lab\([0-9]*\).*/\1/')}
command -v taskset > /dev/null || { echo "platform: taskset (util-linux) is missing" >&2; exit 2; }
# The competitor: a busy loop on the same core, for as long as we run.
taskset -c 0 sh -c 'while :; do :; done' & busy=$!
cg=""
trap 'kill $busy 2> /dev/null; [ -n "$cg" ] && rmdir "$cg" 2> /dev/null' EXIT INT TERM
# 768 MB for the grader and everything it starts.
if [ "$(id -u)" -eq 0 ]; then
	v1=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
	if [ -w "$v1" ] && mkdir -p "$v1/serverlab-platform" 2> /dev/null &&
		echo 768M > "$v1/serverlab-platform/memory.limit_in_bytes"; then
		cg=$v1/serverlab-platform
	elif [ -w /sys/fs/cgroup/cgroup.subtree_control ] && mkdir -p /sys/fs/cgroup/serverlab-platform 2> /dev/null &&
		echo 768M > /sys/fs/cgroup/serverlab-platform/memory.max; then
		cg=/sys/fs/cgroup/serverlab-platform
	fi
fi
if [ -n "$cg" ]; then mem="768 MB (the cgroup $cg)"; else mem="not limited (that needs root and a memory cgroup)"; fi
echo "platform: one core shared with a busy loop; memory: $mem"
rc=0
for n in $labs; do
	dir=$(ls -d solutions/lab"$n"-*)
	tools="plain --valgrind"
	case $dir in *threads*) tools="$tools --helgrind" ;; esac
	for tool in $tools; do
		opt=$tool; [ "$opt" = plain ] && opt=""
		start=$(date +%s)
		out=$(sh -c '[ -n "$1" ] && echo $$ > "$1/cgroup.procs"; shift; exec taskset -c 0 "$@"' \
			sh "$cg" ./grader/grader --lab "$n" $opt "$dir/server" 2>&1 | tail -n 1)
		secs=$(( $(date +%s) - start ))
		peak=""
		for f in memory.max_usage_in_bytes memory.peak; do
			[ -n "$cg" ] && [ -r "$cg/$f" ] && peak="; memory peak $(( $(cat "$cg/$f") >> 20 )) MB"
		done
		# the next run's peak is its own
		[ -n "$cg" ] && [ -w "$cg/memory.max_usage_in_bytes" ] && echo 0 > "$cg/memory.max_usage_in_bytes"
		printf 'lab %s %-11s %-14s %4d s (%d min %02d s)%s\n' "$n" "$tool" "$out" "$secs" \
			$((secs / 60)) $((secs % 60)) "$peak"
		case $out in "score: "*) s=${out#score: }; [ "${s%/*}" = "${s#*/}" ] || rc=1 ;; skipped*) ;; *) rc=1 ;; esac
	done
done
exit $rc
