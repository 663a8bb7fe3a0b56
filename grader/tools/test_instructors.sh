# test_instructors.sh - make test's checks of the instructors' side: batch
# grading, the GitHub Classroom workflow, the Gradescope autograder and the
# handout. Sourced by test.sh (its check, $log); each check is a job.

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
check "grader --batch: four lab 2 submissions, the same rows with --jobs 1 and 4" batch_rows
check "grader --batch: a bad command line or folder is a usage error (2), with nothing graded" bash -c "
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
	    assert 0 < s["with"]["timeout"] <= 10 and "setup-command" not in s["with"]
	# what a lab needs installed, in a run: step before the graded ones
	first = steps.index(tests[0])
	assert [s for s in steps[:first] if "run" in s] == ([] if sys.argv[3] != "5" else
	    [{"name": "Install liburing", "run": "sudo apt-get update && sudo apt-get install -y liburing-dev"}]), steps[:first]
	rep = steps[-1]
	assert rep["uses"].startswith("classroom-resources/autograding-grading-reporter@")
	assert rep["with"]["runners"].split(",") == names
	assert sorted(rep["env"]) == sorted(n.upper() + "_RESULTS" for n in names)
	PY
}
for lab in $(labs); do
	check "grader --classroom: lab $(lab_number "$lab")'s workflow has each test once, with its points" \
		classroom_matches "$(lab_number "$lab")"
done

# The platforms' autograders, simulated: Gradescope's /autograder (the
# zip unpacked, the grader built as setup.sh builds it; setup.sh's apt-get
# is left to Gradescope), run_autograder as root building as nobody. A kit
# is built once per lab, here, and copied for each submission.
# setup.sh runs as Gradescope runs it, but for apt-get and useradd: stubs.
mkdir -p "$log/stub" && printf '#!/bin/sh\nexit 0\n' > "$log/stub/apt-get" &&
	cp "$log/stub/apt-get" "$log/stub/useradd" && chmod 755 "$log/stub/apt-get" "$log/stub/useradd"
# Building the grader takes some 12 s of CPU: make test builds it from
# scratch once, in the handout's own check. The platforms' kits get this
# tree's grader already built in (make then builds only the submission),
# and kit_sources checks that each kit could build it alone: the same
# sources as this tree, none missing for make.
# Copied in the order make builds them, so that no file is older than
# what it is made from (tmpfs stamps a copy with a clock of a few ms:
# out of order, a later tick made make rebuild, as a user who may not).
with_grader() { # with_grader KIT: this tree's grader, shim and library in it
	local layer
	cp common/*.o "$1/common/" && cp common/libcommon.a "$1/common/" &&
	for layer in engine checks plans cli; do cp grader/$layer/*.o "$1/grader/$layer/" || return; done
	cp grader/inject/libshortio.so "$1/grader/inject/" && cp grader/grader "$1/grader/"
}
kit_sources() { # kit_sources KIT...: the tree's own grader sources, all there
	local kit f dirs="common grader/engine grader/checks grader/plans grader/cli grader/inject"
	find $dirs -maxdepth 1 -name '*.[ch]' | sort > "$log/tree-files"
	for kit; do
		(cd "$kit" && find $dirs -maxdepth 1 -name '*.[ch]' | sort) > "$log/kit-files" &&
		diff "$log/tree-files" "$log/kit-files" > "$log/kit-diff" ||
			{ echo "$kit: sources missing or extra: $(head -n 3 "$log/kit-diff")"; return 1; }
		for f in Makefile $(cat "$log/tree-files"); do
			cmp -s "$kit/$f" "$f" || { echo "$kit/$f differs from the tree's"; return 1; }
		done
	done
}
ag_kit() { # ag_kit LAB DIR: DIR/source is the lab's autograder, set up
	mkdir -p "$2/source" && chmod 755 "$2" &&
	make -s gradescope LAB="$1" ZIP="$2/ag.zip" > /dev/null &&
	(cd "$2/source" && unzip -q ../ag.zip) && with_grader "$2/source" &&
	PATH="$log/stub:$PATH" AUTOGRADER_ROOT=$2 sh "$2/source/setup.sh"
}
ag_grade() { # ag_grade KIT SUBMISSION_DIR RESULTS_COPY [WRAPPER...]: run_autograder's status
	local kit=$1 sub=$2 out=$3 root rc; shift 3
	root=$(mktemp -d /tmp/serverlab-ag.XXXXXX) && chmod 755 "$root" &&
	cp -a "$kit/source" "$root/" && mkdir -p "$root/submission" &&
	cp -r "$sub"/. "$root/submission/" &&
	AUTOGRADER_ROOT=$root GRADER_USER=nobody "$@" sh "$root/source/run_autograder" > "$out.out" 2>&1
	rc=$?
	cp "$root/results/results.json" "$out"
	rm -rf "$root"
	return $rc
}
results_sum() { # results_sum FILE SCORE: strict JSON, score = SCORE = the tests' sum
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["score"] == sum(t["score"] for t in d["tests"]) == int(sys.argv[2]), d["score"]
assert len(d["tests"]) > 10 and all(t["status"] in ("passed", "failed") for t in d["tests"])
assert d["output_format"] == "text" and all(t["output_format"] == "text" for t in d["tests"])
print(d["output"][:300])' "$1" "$2"
}
# The students' handout with lab 1 solved and the rest untouched: a whole
# repository, as Gradescope's GitHub submissions and gh classroom clone give.
ag_kits=$log/ag-kits
mkdir -p "$ag_kits" "$log/repo" && {
	ag_kit 1 "$ag_kits/1" > "$log/ag-kit.1" 2>&1 & kit1=$!
	ag_kit 5 "$ag_kits/5" > "$log/ag-kit.5" 2>&1 & kit5=$!
	make -s handout TARBALL="$log/repo.tgz" > /dev/null && tar -C "$log/repo" -xzf "$log/repo.tgz" &&
	cp solutions/lab1-simple/*.c "$log/repo/serverlab/labs/lab1-simple/"
	wait $kit1 $kit5; }
# The Classroom workflow's steps run in the repository itself: give it
# the built grader first (batch and Gradescope use their own).
with_grader "$log/repo/serverlab"
check "run_autograder (make gradescope LAB=1): the reference's files score full marks" bash -c "
	$(declare -f ag_grade results_sum); ag_grade '$ag_kits/1' solutions/lab1-simple '$log/ag-ref.json' &&
	results_sum '$log/ag-ref.json' 32 | grep -q '^Graded the files at the top of the submission'"
check "run_autograder: a repository (lab 1 solved, the rest not) is graded on its labs/lab1-simple" bash -c "
	$(declare -f ag_grade results_sum); ag_grade '$ag_kits/1' '$log/repo/serverlab' '$log/ag-repo.json' &&
	results_sum '$log/ag-repo.json' 32 | grep -q '^Graded the files in labs/lab1-simple of the submission'"
check "run_autograder: a submission that does not build scores 0, with the compiler's message" bash -c "
	$(declare -f ag_grade results_sum break_build); mkdir -p '$log/ag-bad' && cp solutions/lab1-simple/*.c '$log/ag-bad/' &&
	break_build '$log/ag-bad/server.c' &&
	ag_grade '$ag_kits/1' '$log/ag-bad' '$log/ag-bad.json' && results_sum '$log/ag-bad.json' 0 | grep -q 'error: expected'"
check "run_autograder: a failure's reproduce line is the student's own command" bash -c "
	$(declare -f ag_grade); mkdir -p '$log/ag-skel' && cp labs/lab1-simple/*.c '$log/ag-skel/' &&
	ag_grade '$ag_kits/1' '$log/ag-skel' '$log/ag-skel.json' &&
	grep -q 'reproduce: grader/grader --lab 1 --test starts --trace labs/lab1-simple/server' '$log/ag-skel.json' &&
	! grep -q '/tmp/serverlab-ag' '$log/ag-skel.json'"
# Lab 5 where io_uring is refused (bin/no-uring: Docker's profile does
# it): the results say so, and by the policy the zip was made with.
check "run_autograder under no-uring: lab 5's results say io_uring is refused, exit 0" bash -c "
	$(declare -f ag_grade); ag_grade '$ag_kits/5' solutions/lab5-uring '$log/ag-uring.json' '$PWD/grader/tests/bin/no-uring' &&
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"score\"] == 0 and \"cannot run it (io_uring_setup failed\" in d[\"output\"], d
assert \"policy '\"'\"'pending'\"'\"'\" in d[\"output\"] and all(t[\"visibility\"] == \"after_published\" for t in d[\"tests\"])' '$log/ag-uring.json' &&
	IF_UNAVAILABLE=full grader/tests/bin/no-uring ./grader/grader --lab 5 --json '$log/uring-full.json' --if-unavailable full solutions/lab5-uring/server > /dev/null
	[ \$? -eq 77 ] && python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); assert d[\"score\"] == d[\"max_score\"] > 0, d' '$log/uring-full.json'"
# Lab 5's setup on an image whose liburing is older than 2.3 (Ubuntu
# 22.04's 2.1: a liburing.h without what the lab uses): the image's build
# stops, in one line that names the image to pick.
check "setup.sh (make gradescope LAB=5) where liburing is too old: stops, one line names Ubuntu 24.04" bash -c "
	mkdir -p '$log/old-uring/include' && cp -a '$ag_kits/5/source' '$log/old-uring/' &&
	echo 'struct io_uring_sqe { unsigned char opcode; };' > '$log/old-uring/include/liburing.h' &&
	! PATH='$log/stub':\$PATH AUTOGRADER_ROOT='$log/old-uring' CFLAGS=-I'$log/old-uring/include' \
		sh '$log/old-uring/source/setup.sh' > /dev/null 2> '$log/old-uring/err' &&
	[ \$(wc -l < '$log/old-uring/err') -eq 1 ] &&
	grep -q '^lab 5 needs liburing 2.3 or later, which this image lacks: pick Ubuntu 24.04 ' '$log/old-uring/err'"
# The same repository and the lab's bare files, graded by batch; and by
# the Classroom workflow's own commands, run in the repository.
check "grader --batch: a repository and a folder of the lab's files, both at full marks" bash -c "
	mkdir -p '$log/br/in/files' && cp -r '$log/repo/serverlab' '$log/br/in/repo' &&
	cp solutions/lab1-simple/*.c '$log/br/in/files/' &&
	./grader/grader --lab 1 --batch '$log/br/in' --csv '$log/br/o.csv' --jobs 2 > '$log/br/out' &&
	grep -q '^\[./2\] repo: 32/32 ok (from labs/lab1-simple, ' '$log/br/out' &&
	grep -q '^\[./2\] files: 32/32 ok (from its top, ' '$log/br/out'"
classroom_run() { # the workflow's commands, one per step, in the repository
	python3 -c 'import sys, yaml
for s in yaml.safe_load(open(sys.argv[1]))["jobs"]["run-autograding-tests"]["steps"]:
    if "with" in s and "command" in s["with"]: print(s["with"]["command"])' \
		"$log/repo/serverlab/classroom/lab1.yml" > "$log/cr-commands" &&
	[ "$(wc -l < "$log/cr-commands")" -eq 15 ] &&
	(cd "$log/repo/serverlab" && while read -r command; do $command || exit 1; done) < "$log/cr-commands" > "$log/cr-run" 2>&1 &&
	[ "$(grep -c '^PASS ' "$log/cr-run")" -eq 15 ] && grep -q '^grading labs/lab1-simple/ (lab 1)' "$log/cr-run"
}
check "the Classroom workflow's commands in that repository: every step passes" classroom_run

# PrairieLearn's external grader and Autolab's, simulated as each platform
# runs them (its docs): /grade with serverFilesCourse/ and student/, the
# entrypoint info.json names; Autolab's folder with the Makefile, the tar
# and handin.tar, make. Each on the reference, the skeleton (a server
# that fails) and a submission that does not build.
mkdir -p "$log/plat/ref" "$log/plat/skel" "$log/plat/bad" &&
	cp solutions/lab1-simple/*.c "$log/plat/ref/" && cp labs/lab1-simple/*.c "$log/plat/skel/" &&
	cp solutions/lab1-simple/*.c "$log/plat/bad/" && break_build "$log/plat/bad/server.c"
make -s prairielearn LAB=1 ZIP="$log/plat/pl.zip" > /dev/null && mkdir -p "$log/plat/course" &&
	(cd "$log/plat/course" && unzip -q ../pl.zip)
make -s autolab LAB=1 DIR="$log/plat/al" > /dev/null
mkdir -p "$log/plat/al-kit" && tar -C "$log/plat/al-kit" -xf "$log/plat/al/autograde.tar"
check "platform kits (Gradescope, PrairieLearn, Autolab): this tree's grader sources, all make needs" \
	kit_sources "$log/ag-kits/1/source" "$log/plat/course/serverFilesCourse/serverlab-lab1" "$log/plat/al-kit/serverlab"
cp -a "$log/plat/course/serverFilesCourse/serverlab-lab1" "$log/plat/pl-built" &&
	with_grader "$log/plat/pl-built"
cp -a "$log/plat/al-kit" "$log/plat/al-built" && with_grader "$log/plat/al-built/serverlab" &&
	tar -C "$log/plat/al-built" -cf "$log/plat/al/autograde-built.tar" serverlab
pl_grade() { # pl_grade SUBMISSION CHECKS: /grade/results/results.json, checked
	local grade=$log/plat/pl-$1/grade kit=$log/plat/pl-built
	mkdir -p "$grade/serverFilesCourse" "$grade/student" && chmod -R 755 "$log/plat/pl-$1" &&
	cp -a "$kit" "$grade/serverFilesCourse/serverlab-lab1" && # times kept: built stays built
	cp "$log/plat/$1"/* "$grade/student/" &&
	GRADE_ROOT=$grade GRADER_USER=nobody sh "$grade/serverFilesCourse/serverlab-lab1/run.sh" > "$grade/../out" 2>&1 &&
	python3 - "$grade/results/results.json" "$log/plat/course/questions/serverlab-lab1/info.json" "$2" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1], encoding="utf-8"))
	opts = json.load(open(sys.argv[2]))["externalGradingOptions"]
	assert opts["enabled"] and 30 < opts["timeout"] <= 600, opts
	assert opts["entrypoint"] == "/grade/serverFilesCourse/%srun.sh" % opts["serverFilesCourse"][0], opts
	assert isinstance(d["gradable"], bool) and 0 <= d["score"] <= 1 and d["message"], d
	for t in d["tests"]:
	    assert sorted(t) == ["max_points", "message", "name", "output", "points"], t
	    assert 0 <= t["points"] <= t["max_points"]
	got = sum(t["points"] for t in d["tests"]) / sum(t["max_points"] for t in d["tests"])
	assert abs(got - d["score"]) < 1e-3 and len(d["tests"]) == 15, (got, d["score"])
	assert eval(sys.argv[3]), (sys.argv[3], d["gradable"], d["score"], d["message"][:300])
	PY
}
al_grade() { # al_grade SUBMISSION CHECKS: make's last line, checked
	local run
	# Autolab runs make as an ordinary user: as root, nobody, in a folder of its own
	run=$(mktemp -d /tmp/serverlab-al.XXXXXX) && chmod 755 "$run" &&
	cp "$log/plat/al/autograde-Makefile" "$run/Makefile" &&
	cp "$log/plat/al/autograde-built.tar" "$run/autograde.tar" &&
	tar -C "$log/plat/$1" -cf "$run/handin.tar" . &&
	if [ "$(id -u)" -eq 0 ]; then chown -R nobody "$run" && runuser -u nobody -- make -C "$run" -s
	else make -C "$run" -s; fi > "$log/plat/al-$1.out" 2>&1
	rm -rf "$run"
	python3 - "$log/plat/al-$1.out" "$log/plat/al/lab1.yml" "$2" <<-'PY'
	import json, sys, yaml
	out = open(sys.argv[1]).read().splitlines()
	d = json.loads(out[-1])
	problems = yaml.safe_load(open(sys.argv[2]))["problems"]
	assert sorted(d) == ["scoreboard", "scores"], d
	assert list(d["scores"]) == [p["name"] for p in problems], d
	assert all(0 <= d["scores"][p["name"]] <= p["max_score"] for p in problems)
	total, full = sum(d["scores"].values()), sum(p["max_score"] for p in problems)
	assert d["scoreboard"] == [total], d
	text = "\n".join(out[:-1])
	assert eval(sys.argv[3]), (sys.argv[3], total, text[-300:])
	PY
}
check "make prairielearn LAB=1: the reference scores 1" pl_grade ref 'd["gradable"] and d["score"] == 1'
check "make prairielearn: a failing server scores below 1, gradable" pl_grade skel \
	'd["gradable"] and d["score"] < 1 and "TODO step 1" in d["tests"][0]["message"]'
check "make prairielearn: a build failure is gradable: false, with the compiler's message" pl_grade bad \
	'not d["gradable"] and "error: expected" in d["format_errors"][0]'
check "make autolab LAB=1: the reference's autoresult has every problem at full marks" al_grade ref 'total == full == 32'
check "make autolab: a failing server's autoresult scores it 0" al_grade skel \
	'total == 0 and "FAIL starts (0/2)" in text'
check "make autolab: a build failure scores 0, the compiler's message above" al_grade bad \
	'total == 0 and "error: expected" in text'

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
	# -O0: that it builds is the point (the kit's own -O2 build is
	# checked above), at half the compiler's time
	(cd "$d/empty/serverlab" && make -s all CFLAGS='-O0 -g' > ../build 2>&1 &&
	 ! make -s check-lab1 > ../check1 2>&1) &&
	grep -q '^FAIL starts (0/2)' "$d/empty/check1" && grep -q "^score: 0/$(points 1)$" "$d/empty/check1"
}
check "make handout: builds alone, check-lab1 fails the skeleton, no solution line inside" handout_works

# Containment (grader/engine/contain.c): what the hostile servers of the manifest
# could do, looked at. fork-400 says how many children it got.
# Each runs a copy under a name of its own: the manifest's hostile line
# runs the same server meanwhile, and looks for strays by its name.
check "grader: a server forking 400 children gets at most lab 1's budget of 256 tasks" bash -c '
	cp grader/tests/bin/fork-400 "$0" &&
	n=$(./grader/grader --lab 1 --test echo-basic --verbose "$0" |
		sed -n "s/^server: forked \([0-9]*\) of 400 children$/\1/p")
	[ -n "$n" ] && [ "$n" -lt 256 ]' "$log/fork400-budget"
if [ "$(id -u)" -eq 0 ]; then
	check "grader as root: a server cannot create a file in the folder the grader runs in" bash -c "
		mkdir -p '$log/wk' && cp grader/tests/bin/write-kit-file '$log/wkf-as-root' && cd '$log/wk' &&
		'$PWD/grader/grader' --lab 1 --test echo-basic --verbose '$log/wkf-as-root' > out &&
		grep -q '^server: cannot create $log/wk/written-by-server: Permission denied' out &&
		[ ! -e written-by-server ]"
fi
# Where no namespace can be had (bin/no-unshare refuses unshare, as
# Docker's profile does), the grader says so once under --verbose, and
# grades on: a reference passes, the forker's strays are swept.
check "grader without namespaces: said once under --verbose, and it still grades and sweeps" bash -c '
	grader/tests/bin/no-unshare ./grader/grader --lab 1 --verbose --test starts,sequential solutions/lab1-simple/server > "$0" &&
	[ "$(grep -c "^grader: no PID namespace: " "$0")" -eq 1 ] && grep -q "^score: $1/$1$" "$0" &&
	cp grader/tests/bin/forker "$0.forker" && # a name of its own for pgrep
	grader/tests/bin/no-unshare ./grader/grader --lab 1 --test starts,sequential "$0.forker" > /dev/null &&
	sleep 0.2 && ! pgrep -x no-ns.forker' "$log/no-ns" "$(points 1 --test starts,sequential)"
if [ "$(id -u)" -eq 0 ] || [ -z "${no_pid_ns:-}" ]; then
	check "grader --json: a server that forges the file and SIGTERMs the grader changes no score" bash -c "
		cp grader/tests/bin/forge-results '$log/forge-json' &&
		./grader/grader --lab 1 --test starts,sequential --json '$log/forged.json' --verbose \
			'$log/forge-json' > '$log/forged.out'
		[ \$? -le 1 ] && grep -q '^server: \\(cannot \\)\\?forge' '$log/forged.out' &&
		python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[\"score\"] == 5, d' '$log/forged.json'"
fi
