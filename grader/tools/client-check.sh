#!/bin/sh
# client-check.sh SERVER CLIENT - lab 1 step 5: the simple client, run
# against a server (the student's own: the grader grades servers only).
# Prints PASS/FAIL lines like the grader's and exits 0 when all pass.
server=$1 client=$2
[ -x "$server" ] && [ -x "$client" ] || { echo "usage: client-check.sh SERVER CLIENT (both built)" >&2; exit 2; }
pass=0 fail=0
result() { # result NAME OK WHAT-HAPPENED REPRODUCE [HINT]
	if [ "$2" = yes ]; then pass=$((pass + 1)); echo "PASS client-$1"
	else fail=$((fail + 1)); echo "FAIL client-$1: $3"
		echo "  hint: step 5 (labs/lab1-simple/README.md)${5:+: $5}"
		echo "  reproduce: $4"; fi
}
out=$(mktemp)
"$server" 127.0.0.1:0 > "$out" 2> /dev/null &
spid=$!
for i in $(seq 100); do grep -q '^listening on ' "$out" && break; sleep 0.05; done
addr=$(sed -n 's/^listening on //p' "$out")
if [ -z "$addr" ]; then
	# Nothing to check the client against: no pass can be earned.
	kill "$spid" 2> /dev/null; wait "$spid" 2> /dev/null; rm -f "$out"
	echo "NOT RUN because the server ($server) never printed its listening line: client-echo client-usage client-refused (make check-lab1 says why)"
	exit 1
else
	got=$(timeout 5 "$client" "$addr" "hello, server" 2> "$out.err"); rc=$?
	said=$(head -c 200 "$out.err" | tr '\n' ' ')
	[ $rc -eq 0 ] && [ "$got" = "hello, server" ] && ok=yes || ok=no
	status="status $rc" why=""
	if [ $rc -eq 124 ]; then # timeout's status: it had to stop the client
		status="no exit: the client was still running after 5 s and was stopped"
		why="after sending the message, shutdown(fd, SHUT_WR) tells the server you are done; then read until read returns 0"
	fi
	result echo $ok "expected \"hello, server\" back and status 0; got \"$got\", $status${said:+, stderr: $said}" \
		"($server 127.0.0.1:7000 & s=\$!; trap 'kill \$s' EXIT; trap 'exit 130' INT TERM; sleep 1; timeout --foreground 5 $client 127.0.0.1:7000 'hello, server'; echo \"status \$?\")" "$why"
fi
kill "$spid" 2> /dev/null; wait "$spid" 2> /dev/null; rm -f "$out" "$out.err"
# The skeleton already exits 2 and 1 (given code, and its TODO's exit):
# those statuses mean something only of a client that echoes.
if [ $fail -gt 0 ]; then
	echo "NOT RUN because client-echo failed: client-usage client-refused"
	echo "client: 0/3"
	exit 1
fi
timeout 5 "$client" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok=yes || ok=no
result usage $ok "expected status 2 without arguments; got $rc" "$client; echo \$?"
timeout 5 "$client" 127.0.0.1:1 hi > /dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && ok=yes || ok=no
result refused $ok "expected status 1 when nobody listens (127.0.0.1:1); got $rc" "$client 127.0.0.1:1 hi; echo \$?"
echo "client: $pass/$((pass + fail))"
[ $fail -eq 0 ]
