# test_instructors.sh - make test's checks of the instructors' side: batch
# grading, the GitHub Classroom workflow, the Gradescope autograder and the
# handout. Sourced by test.sh (its check_bg, $log); each check is a job.

# Four submissions of lab 2, one of each kind a batch must tell apart.
make_submissions() { # make_submissions DIR
	mkdir -p "$1" && cp -r solutions/lab2-multiplex "$1/alice" &&
	cp -r labs/lab2-multiplex "$1/bob" &&
	cp -r solutions/lab2-multiplex "$1/carol" && cp -r solutions/lab2-multiplex "$1/dave" &&
	rm -f "$1"/*/server &&
	sed -i 's/^int main(int argc, char \*argv\[\])$/&\n{ int no_semicolon = 1 }/' "$1/carol/server.c" &&
	sed -i 's/^int main(int argc, char \*argv\[\])$/static void crash(void) { abort(); }\n&/; s/^\tif (argc != 2) {$/\tcrash();\n&/' "$1/dave/server.c" &&
	! cmp -s "$1/carol/server.c" "$1/alice/server.c" && grep -q 'crash();' "$1/dave/server.c"
}
batch_rows() {
	local d=$log/batch
	make_submissions "$d/in" || return 1
	./grader/grader --lab 2 --step 1 --batch "$d/in" --csv "$d/j1.csv" --jobs 1 > "$d/j1.out" &&
	./grader/grader --lab 2 --step 1 --batch "$d/in" --csv "$d/j4.csv" --jobs 4 > "$d/j4.out" &&
	cmp "$d/j1.csv" "$d/j4.csv" &&
	diff - "$d/j1.csv" <<-ROWS &&
	name,total,max,starts,sigterm,bad-args,addr-in-use,ipv6,status
	"alice",8,8,2,1,2,2,1,ok
	"bob",0,8,0,0,0,0,0,no server
	"carol",0,8,0,0,0,0,0,build failed
	"dave",0,8,0,0,0,0,0,crashed
	ROWS
	grep -q "error: expected" "$d/j1-logs/carol.log" &&
	grep -q '^4 of 4 submissions graded in .*: mean 2.0/8, median 0.0/8, 1 at full marks$' "$d/j4.out"
}
check_bg "grader --batch: four lab 2 submissions, the same rows with --jobs 1 and 4" batch_rows
check_bg "grader --batch: a bad command line or folder is a usage error (2), with nothing graded" bash -c "
	./grader/grader --lab 2 --batch solutions > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --batch /nonexistent --csv '$log/x.csv' > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --batch solutions --csv /nonexistent/x.csv > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --csv '$log/x.csv' solutions/lab2-multiplex/server > /dev/null 2>&1; [ \$? -eq 2 ] &&
	./grader/grader --lab 2 --batch solutions --csv '$log/x.csv' solutions/lab2-multiplex/server > /dev/null 2>&1; [ \$? -eq 2 ] &&
	[ ! -e '$log/x.csv' ]"

# The workflow against the grader's own verdict lines: on /bin/false every
# test fails at once, "FAIL name (0/points)", so the lab's tests and points.
classroom_matches() { # classroom_matches LAB
	./grader/grader --lab "$1" /bin/false > "$log/cr.$1.fail" 2>&1
	./grader/grader --lab "$1" --classroom > "$log/cr.$1.yml" &&
	python3 - "$log/cr.$1.yml" "$log/cr.$1.fail" "$1" <<-'PY'
	import re, sys, yaml
	wf = yaml.safe_load(open(sys.argv[1]))
	want = dict(re.findall(r"^FAIL (\S+) \(0/(\d+)\)", open(sys.argv[2]).read(), re.M))
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
