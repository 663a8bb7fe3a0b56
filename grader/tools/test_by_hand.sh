# test_by_hand.sh - make test's checks of the lines a FAIL tells a student
# to run: "by hand:" (nc against the server) and "reproduce:" (the grader
# with --trace). Sourced by test.sh once the broken servers' runs are done
# (their outputs: $log/broken.NAME.LAB); each check is a job.
#
# Every by-hand line runs as it would for a student: alone in a session
# (setsid), so whatever of it is left afterwards is what that session still
# holds, on a port of its own (PORT). The same lines run on the lab's
# reference, once per test, and two of them get a Ctrl-C halfway, sent to
# the line's process group as a terminal sends it.
session() { # session SID: its live processes, as pid/name
	ps -e -o sid=,stat=,pid=,comm= |
		awk -v s="$1" '$1 == s && $2 !~ /^Z/ { printf "%s/%s ", $3, $4 }'
}
# What is left of session SID once its line has ended: given a second to
# go (a process the line killed may still be on its way out).
left_of() { # left_of SID
	local i left
	for i in 1 2 3 4 5 6 7 8 9 10; do
		left=$(session "$1"); [ -z "$left" ] && return 0; sleep 0.1
	done
	echo "$left"
}
by_hand() { # by_hand SIDFILE PORT LINE
	PORT=$2 timeout 30 setsid bash -c 'echo $$ > "$1"; eval "$2"' _ "$1" "$3"
}
# The line in time, nothing of it left, a VERDICT its last line.
by_hand_check() { # by_hand_check LABEL PORT LINE VERDICT...
	local label=$1 port=$2 line=$3 f=$log/hand.$BASHPID start=$SECONDS rc sid verdict left want match=no
	shift 3
	by_hand "$f.sid" "$port" "$line" > "$f" 2>&1; rc=$?
	sid=$(cat "$f.sid") verdict=$(tail -n 1 "$f") left=$(left_of "$sid")
	for want; do [[ $verdict == $want ]] && match=yes; done
	if [ "$rc" != 124 ] && [ -z "$left" ] && [ $match = yes ]; then
		ok "$label says \"$verdict\" ($((SECONDS - start)) s)"
	else
		bad "$label" "exit $rc after $((SECONDS - start)) s, last line \"$verdict\", left behind: [$left]"
		[ -n "$left" ] && pkill -KILL -s "$sid"
	fi
}
by_hand_ctrl_c() { # by_hand_ctrl_c TEST DELAY PORT LINE-FILE: Ctrl-C after DELAY s ends it all
	local f=$log/ctrl-c.$1 pid sid t0 rc ms running left
	[ -s "$4" ] || { bad "by hand: Ctrl-C in $1" "no by-hand line of $1 for lab 1's reference"; return; }
	# A background job ignores SIGINT; env gives the line the default back.
	PORT=$3 setsid env --default-signal=INT bash -c 'echo $$ > "$1"; eval "$2"' \
		_ "$f.sid" "$(cat "$4")" > "$f" 2>&1 &
	pid=$!
	sleep "$2"
	sid=$(cat "$f.sid"); running=$(session "$sid")
	t0=$(date +%s%N); kill -INT -- -"$sid"; wait "$pid"; rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 )) left=$(left_of "$sid")
	# 130 as a rule; 0 once in a dozen runs: bash runs the line's INT trap
	# only when a child died of the signal, and which children had by then
	# is a race. Either way the line ended, and that is what Ctrl-C is for.
	if { [ "$rc" = 130 ] || [ "$rc" = 0 ]; } && [ "$ms" -lt 3000 ] && [ -z "$left" ] &&
		[[ $running == *"/server "* ]]; then
		ok "by hand: Ctrl-C after $2 s in $1 (lab 1 reference) ends it in $ms ms, server and all"
	else
		bad "by hand: Ctrl-C in $1" "exit $rc $ms ms after SIGINT; running then: [$running]; left behind: [$left]"
		[ -n "$left" ] && pkill -KILL -s "$sid"
	fi
}

heading "by-hand lines end within 30 s, show the failure, leave nothing behind"
port=$((20000 + RANDOM % 9000)) hands=0 seen=" "
for entry in "${broken[@]}"; do
	read -r name lab <<< "$entry"
	while IFS=$'\t' read -r test line; do
		port=$((port + 1)) hands=$((hands + 1))
		register "hand.$hands" by_hand_check "by hand: $name (lab $lab) $test" "$port" "$line" different "no EOF*"
		[[ $seen == *" $lab/$test "* ]] && continue
		seen="$seen$lab/$test "
		ref=${line//"grader/tests/bin/$name "/"solutions/$(lab_dir "$lab")/server "}
		echo "$ref" > "$log/ref.$lab.$test.line"
		port=$((port + 1))
		register "ref.$lab.$test" by_hand_check "by hand: the lab $lab reference, $test" "$port" "$ref" same
	done < <(awk '/^FAIL / { test = $2 } sub(/^  by hand: /, "") { print test "\t" $0 }' \
		"$log/broken.$name.$lab")
done
for entry in "half-close 1.5" "echo-large 0.5"; do
	read -r test delay <<< "$entry"
	port=$((port + 1))
	register "ctrl-c.$test" by_hand_ctrl_c "$test" "$delay" "$port" "$log/ref.1.$test.line"
done

heading "reproduce lines: the grader on that test with --trace, within its time limit"
trace_lines() { # every broken server's reproduce lines are the --trace command of their test
	local entry name lab client
	for entry in "${broken[@]}"; do
		read -r name lab <<< "$entry"
		client=$(client_for "$lab")
		awk -v want="./grader/grader --lab $lab --test %s${client:+ $client} --trace grader/tests/bin/$name" '
			/^FAIL / { test = $2 }
			sub(/^  reproduce: /, "") && $0 != sprintf(want, test) { print FILENAME ": " $0 }' \
			"$log/broken.$name.$lab"
	done | head -n 3 | grep . && return 1
	return 0
}
check "every reproduce line is the --trace command of its test" trace_lines
# A reproduce line is the grader with --trace on that one test: run two.
reproduce_check() { # reproduce_check NAME LAB TEST
	local line out=$log/repro.$1 start=$SECONDS rc secs lines
	line=$(awk -v t="$3" '/^FAIL / { f = $2 } f == t && sub(/^  reproduce: /, "")' "$log/broken.$1.$2")
	timeout 90 bash -c "$line" > "$out" 2>&1
	rc=$? secs=$((SECONDS - start)) lines=$(wc -l < "$out")
	if [ "$rc" = 1 ] && [ "$secs" -le 60 ] && grep -q "^trace of $3 " "$out" &&
		grep -q "^FAIL $3 " "$out" && [ "$lines" -lt 150 ]; then
		ok "reproduce: $line fails $3 again, in $secs s, $lines lines"
	else
		bad "reproduce: $line" "exit $rc after $secs s, $lines lines: $(grep -m1 '^FAIL' "$out")"
	fi
}
register repro.linger-reset reproduce_check linger-reset 1 half-close
register repro.mux-fd-leak reproduce_check mux-fd-leak 2 churn
