# test_instructors.sh - make test's checks of the instructors' side: batch
# grading, the GitHub Classroom workflow, the Gradescope autograder and the
# handout. Sourced by test.sh (its check_bg, $log); each check is a job.

# A server.c that no longer compiles: a missing ';' in main.
break_build() { # break_build FILE
	sed -i 's/^int main(int argc, char \*argv\[\])$/&\n{ int no_semicolon = 1 }/' "$1"
}
# Four submissions of lab 2, one of each kind a batch must tell apart.
make_submissions() { # make_submissions DIR
	mkdir -p "$1" && cp -r solutions/lab2-multiplex "$1/alice" &&
	cp -r labs/lab2-multiplex "$1/bob" &&
	cp -r solutions/lab2-multiplex "$1/carol" && cp -r solutions/lab2-multiplex "$1/dave" &&
	rm -f "$1"/*/server &&
	break_build "$1/carol/server.c" &&
	sed -i 's/^int main(int argc, char \*argv\[\])$/static void crash(void) { abort(); }\n&/; s/^\tif (argc != 2) {$/\tcrash();\n&/' "$1/dave/server.c" &&
	! cmp -s "$1/carol/server.c" "$1/alice/server.c" && grep -q 'crash();' "$1/dave/server.c"
}
batch_rows() {
	local d=$log/batch names pts zeros max
	# The rows' columns and points, from the grader's own list.
	names=$(./grader/grader --lab 2 --step 1 --list | cut -d' ' -f1 | paste -sd,)
	pts=$(./grader/grader --lab 2 --step 1 --list | awk '{print $(NF - 1)}' | paste -sd,)
	zeros=$(echo "$pts" | sed 's/[0-9][0-9]*/0/g') max=$(points 2 --step 1)
	make_submissions "$d/in" || return 1
	./grader/grader --lab 2 --step 1 --batch "$d/in" --csv "$d/j1.csv" --jobs 1 > "$d/j1.out" &&
	./grader/grader --lab 2 --step 1 --batch "$d/in" --csv "$d/j4.csv" --jobs 4 > "$d/j4.out" &&
	cmp "$d/j1.csv" "$d/j4.csv" &&
	diff - "$d/j1.csv" <<-ROWS &&
	name,total,max,$names,status
	"alice",$max,$max,$pts,ok
	"bob",0,$max,$zeros,no server
	"carol",0,$max,$zeros,build failed
	"dave",0,$max,$zeros,crashed
	ROWS
	grep -q "error: expected" "$d/j1-logs/carol.log" &&
	grep -q "^4 of 4 submissions graded in .*: mean $(awk -v m="$max" 'BEGIN {printf "%.1f", m / 4}')/$max, median 0.0/$max, 1 at full marks$" "$d/j4.out"
}
check_bg "grader --batch: four lab 2 submissions, the same rows with --jobs 1 and 4" batch_rows
check_bg "grader --batch: a bad command line or folder is a usage error (2), with nothing graded" bash -c "
	./grader/grader --lab 2 --batch solutions > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --batch /nonexistent --csv '$log/x.csv' > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --batch solutions --csv /nonexistent/x.csv > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --csv '$log/x.csv' solutions/lab2-multiplex/server > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --batch solutions --csv '$log/x.csv' solutions/lab2-multiplex/server > /dev/null 2>&1; [ \$? -eq 2 ] &&
	[ ! -e '$log/x.csv' ]"

# The workflow against the grader's own results: on /bin/false starts
# fails at once and every other test is not run, each listed in --json
# with its points, so the lab's tests and points.
classroom_matches() { # classroom_matches LAB
	./grader/grader --lab "$1" --json "$log/cr.$1.json" /bin/false > /dev/null 2>&1
	./grader/grader --lab "$1" --classroom > "$log/cr.$1.yml" &&
	python3 - "$log/cr.$1.yml" "$log/cr.$1.json" "$1" <<-'PY'
	import json, sys, yaml
	wf = yaml.safe_load(open(sys.argv[1]))
	want = {t["name"]: str(t["max_score"]) for t in json.load(open(sys.argv[2]))["tests"]}
	steps = wf["jobs"]["run-autograding-tests"]["steps"]
	tests = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-command-grader@")]
	names = [s["with"]["test-name"] for s in tests]
	assert want and len(names) == len(set(names)), names
	assert {n: str(s["with"]["max-score"]) for n, s in zip(names, tests)} == want, (names, want)
	for s in tests:
	    assert s["id"] == s["with"]["test-name"] and isinstance(s["with"]["max-score"], int)
	    assert s["with"]["command"] == "make -s grade LAB=%s TEST=%s" % (sys.argv[3], s["id"])
	    assert 0 < s["with"]["timeout"] <= 10
	rep = steps[-1]
	assert rep["uses"].startswith("classroom-resources/autograding-grading-reporter@")
	assert rep["with"]["runners"].split(",") == names
	assert sorted(rep["env"]) == sorted(n.upper() + "_RESULTS" for n in names)
	PY
}
for lab in $(labs); do
	check_bg "grader --classroom: lab $(lab_number "$lab")'s workflow has each test once, with its points" \
		classroom_matches "$(lab_number "$lab")"
done

# Gradescope's autograder for lab 1, in a simulated /autograder: unzipped
# as Gradescope does, the grader built as setup.sh builds it (setup.sh's
# apt-get is left to Gradescope), run_autograder as root grades as nobody.
autograder_run() { # autograder_run SUBMISSION_DIR RESULTS_COPY
	local root rc
	root=$(mktemp -d /tmp/serverlab-ag.XXXXXX) && chmod 755 "$root" &&
	mkdir -p "$root/source" "$root/submission/repo" &&
	make -s gradescope LAB=1 ZIP="$root/ag.zip" > /dev/null &&
	(cd "$root/source" && unzip -q ../ag.zip) &&
	make -s -C "$root/source" common/libcommon.a grader/grader grader/inject/libshortio.so &&
	cp -r "$1"/. "$root/submission/repo/" &&
	AUTOGRADER_ROOT=$root GRADER_USER=nobody sh "$root/source/run_autograder" > "$root/out" 2>&1
	cp "$root/results/results.json" "$2"; rc=$?
	rm -rf "$root"
	return $rc
}
results_sum() { # results_sum FILE SCORE: strict JSON, score = SCORE = the tests' sum
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["score"] == sum(t["score"] for t in d["tests"]) == int(sys.argv[2]), d["score"]
assert len(d["tests"]) > 10 and all(t["status"] in ("passed", "failed") for t in d["tests"])
print(d["output"][:300])' "$1" "$2"
}
check_bg "run_autograder (make gradescope LAB=1): the reference scores full marks" bash -c "
	$(declare -f autograder_run results_sum); autograder_run solutions/lab1-simple '$log/ag-ref.json' &&
	results_sum '$log/ag-ref.json' 29"
check_bg "run_autograder: a submission that does not build scores 0, with the compiler's message" bash -c "
	$(declare -f autograder_run results_sum break_build); mkdir -p '$log/ag-bad' && cp solutions/lab1-simple/*.c '$log/ag-bad/' &&
	break_build '$log/ag-bad/server.c' &&
	autograder_run '$log/ag-bad' '$log/ag-bad.json' && results_sum '$log/ag-bad.json' 0 | grep -q 'error: expected'"

# What a handout must not hold: the lines of the solutions' TODO regions
# (each solution against its skeleton), blanks stripped. A line of under 16
# characters (a brace, "break;") shows nothing, nor does one the kit's
# shared sources hold too (common/, the skeletons, the grader).
strip_blanks() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//'; }
solution_lines() {
	for f in solutions/lab*/*.[ch]; do
		diff --old-line-format='%L' --new-line-format= --unchanged-line-format= "$f" "labs/${f#solutions/}"
	done | grep -v 'skeleton:' | strip_blanks | awk 'length >= 16' | sort -u |
		grep -vxF -f <(cat common/*.[ch] labs/*/*.[ch] grader/*/*.[ch] | strip_blanks)
}
lines_found_in() { # lines_found_in DIR: how many solution lines DIR's files hold
	find "$1" -type f -exec cat {} + | strip_blanks | grep -cxF -f "$log/solution.lines"
}
handout_works() {
	local d=$log/handout
	mkdir -p "$d" && solution_lines > "$log/solution.lines" &&
	[ "$(wc -l < "$log/solution.lines")" -ge 100 ] &&
	# the check can fail: the solutions hold their own lines
	[ "$(lines_found_in solutions)" -ge 100 ] &&
	make -s handout TARBALL="$d/h.tgz" > /dev/null && mkdir "$d/empty" &&
	tar -C "$d/empty" -xzf "$d/h.tgz" &&
	[ "$(lines_found_in "$d/empty")" -eq 0 ] &&
	[ ! -e "$d/empty/serverlab/solutions" ] && [ ! -e "$d/empty/serverlab/grader/tests/mutants" ] &&
	[ "$(ls "$d/empty/serverlab/classroom")" = "$(ls solutions | sed 's/^lab\([0-9]*\).*/lab\1.yml/')" ] &&
	(cd "$d/empty/serverlab" && make -s all > ../build 2>&1 &&
	 ! make -s check-lab1 > ../check1 2>&1) &&
	grep -q '^FAIL starts (0/2)' "$d/empty/check1" && grep -q "^score: 0/$(points 1)$" "$d/empty/check1"
}
check_bg "make handout: builds alone, check-lab1 fails the skeleton, no solution line inside" handout_works

# Containment (grader/engine/contain.c): what the hostile servers of the manifest
# could do, looked at. fork-400 says how many children it got.
check_bg "grader: a server forking 400 children gets at most lab 1's budget of 256 tasks" bash -c '
	n=$(./grader/grader --lab 1 --test echo-basic --verbose grader/tests/bin/fork-400 |
		sed -n "s/^server: forked \([0-9]*\) of 400 children$/\1/p")
	[ -n "$n" ] && [ "$n" -lt 256 ]'
if [ "$(id -u)" -eq 0 ]; then
	check_bg "grader as root: a server cannot create a file in the folder the grader runs in" bash -c "
		mkdir -p '$log/wk' && cd '$log/wk' &&
		'$PWD/grader/grader' --lab 1 --test echo-basic --verbose '$PWD/grader/tests/bin/write-kit-file' > out &&
		grep -q '^server: cannot create $log/wk/written-by-server: Permission denied' out &&
		[ ! -e written-by-server ]"
fi
# Where no namespace can be had (bin/no-unshare refuses unshare, as
# Docker's profile does), the grader says so once under --verbose, and
# grades on: a reference passes, the forker's strays are swept.
check_bg "grader without namespaces: said once under --verbose, and it still grades and sweeps" bash -c '
	grader/tests/bin/no-unshare ./grader/grader --lab 1 --verbose --test starts,sequential solutions/lab1-simple/server > "$0" &&
	[ "$(grep -c "^grader: no PID namespace: " "$0")" -eq 1 ] && grep -q "^score: $1/$1$" "$0" &&
	cp grader/tests/bin/forker "$0.forker" && # a name of its own for pgrep
	grader/tests/bin/no-unshare ./grader/grader --lab 1 --test starts,sequential "$0.forker" > /dev/null &&
	sleep 0.2 && ! pgrep -x no-ns.forker' "$log/no-ns" "$(points 1 --test starts,sequential)"
if [ "$(id -u)" -eq 0 ] || [ -z "${no_pid_ns:-}" ]; then
	check_bg "grader --json: a server that forges the file and SIGTERMs the grader changes no score" bash -c "
		./grader/grader --lab 1 --test starts,sequential --json '$log/forged.json' --verbose \
			grader/tests/bin/forge-results > '$log/forged.out'
		[ \$? -le 1 ] && grep -q '^server: \\(cannot \\)\\?forge' '$log/forged.out' &&
		python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[\"score\"] == 5, d' '$log/forged.json'"
fi
