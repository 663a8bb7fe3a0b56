# mutate.awk - the one-line mutants of a reference solution, for make
# mutants (grader/tools/mutants.sh): inside its TODO(step K) regions,
# each code line ending in ';' deleted, and each comparison or logical
# operator on a code line flipped, one occurrence at a time.
#
# Usage: awk -f mutate.awk solution.c; prints one mutant a line:
#   LINE<TAB>STEP<TAB>WHAT<TAB>NEW TEXT OF THE LINE
# (a deletion's new text is empty).
function flip(op) {
	if (op == "==") return "!="
	if (op == "!=") return "=="
	if (op == "<=") return ">"
	if (op == ">=") return "<"
	if (op == "<") return ">="
	if (op == ">") return "<="
	if (op == "&&") return "||"
	return "&&"
}
function operators(line, n, i, c, two, before, after) {
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1); two = substr(line, i, 2)
		before = i > 1 ? substr(line, i - 1, 1) : ""
		if (c == "\"") { # skip a string literal
			for (i++; i <= length(line) && substr(line, i, 1) != "\""; i++)
				if (substr(line, i, 1) == "\\") i++
			continue
		}
		if (c == "'") { i += substr(line, i + 1, 1) == "\\" ? 3 : 2; continue }
		if (two == "==" || two == "!=" || two == "&&" || two == "||" ||
		    ((two == "<=" || two == ">=") && before != "<" && before != ">")) {
			printf "%d\t%s\t%s -> %s\t%s\n", NR, step, two, flip(two),
				substr(line, 1, i - 1) flip(two) substr(line, i + 2)
			i++
		} else if ((c == "<" || c == ">") && before != "-" && before != "<" &&
			   before != ">" && substr(line, i + 1, 1) != "<" &&
			   substr(line, i + 1, 1) != ">" && substr(line, i + 1, 1) != "=") {
			printf "%d\t%s\t%s -> %s\t%s\n", NR, step, c, flip(c),
				substr(line, 1, i - 1) flip(c) substr(line, i + 1)
		}
	}
}
/\/\/ TODO\(step [0-9]+\)/ {
	match($0, /step [0-9]+/); step = substr($0, RSTART + 5, RLENGTH - 5)
	inside = 1; next
}
/\/\/ END TODO/ { inside = 0; next }
!inside || /^[ \t]*(\/\/|\/\*|\*|$)/ || /^[ \t]*#/ { next }
{
	code = $0; sub(/[ \t]*\/[\/*].*$/, "", code)
	if (code ~ /;[ \t]*$/ && code !~ /^[ \t]*}/ && code !~ /^[ \t]*(unsigned|int|char|size_t|ssize_t|struct|const|static|double|long|enum|pthread_t|sigset_t|socklen_t)[ \t]/)
		printf "%d\t%s\tdeleted\t\n", NR, step
	operators(code)
}
