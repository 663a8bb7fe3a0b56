# skeleton.awk - make a lab skeleton from its reference solution.
#
# The solution is the one source. Each place a student fills in is marked:
#
#     // TODO(step K): what to do            <- kept
#     // more lines of instructions          <- kept (the comment block)
#     ...the reference code...               <- dropped
#     // skeleton: code that stands in       <- kept, marker removed
#     // END TODO                            <- kept
#
# Everything outside the marked places is copied unchanged, so skeleton and
# solution cannot drift apart. Usage: awk -f skeleton.awk solution.c
#
# With -v upto=K it makes a student's tree after step K instead: the
# reference code of steps 1..K stays (their stand-ins go), later steps are
# stand-ins. make test grades each such tree with --step K.
function emit_skeleton_line(line) {
	sub(/\/\/ skeleton: ?/, "", line)
	print line
}
/\/\/ TODO\(step [0-9]+\)/ {
	if (state != "out") fail("TODO inside another TODO")
	match($0, /step [0-9]+/)
	done = substr($0, RSTART + 5, RLENGTH - 5) + 0 <= upto
	state = "head"; opened = NR; print; next
}
/\/\/ END TODO/ {
	if (state == "out") fail("END TODO without TODO")
	state = "out"; print; next
}
/^[ \t]*\/\/ skeleton:/ {
	if (state == "out") fail("skeleton: line outside a TODO")
	if (!done) emit_skeleton_line($0)
	next
}
done && state != "out" { print; next }
state == "head" && /^[ \t]*\/\// { print; next }
state == "head" { state = "body" }
state == "body" { next }
{ print }
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"
	failed = 1; exit 1
}
BEGIN { state = "out" }
END {
	if (!failed && state != "out") {
		printf "%s:%d: TODO without END TODO\n", FILENAME, opened > "/dev/stderr"
		exit 1
	}
}
