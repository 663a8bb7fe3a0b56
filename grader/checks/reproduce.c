/*
 * reproduce.c - the lines a failure gives the student to paste.
 *
 * reproduce: the grader itself, on that one test with --trace: it runs
 * the same clients against a contained server, so it cannot hang or leave
 * a process behind, and it shows what each connection did.
 *
 * by hand: where nc and cmp show the same problem, a line for sh, bash or
 * zsh that does it with them. It is BY_HAND_SETUP around the catalogue's
 * by_hand part, in a subshell:
 *  - the server runs on 127.0.0.1:$PORT (7000 unless PORT is set, so such
 *    lines can run side by side) and is waited for by its listening line;
 *  - it is killed on every way out: the EXIT trap, and INT and TERM traps
 *    that exit, since a script's background job ignores Ctrl-C and the
 *    server would outlive it; SIGKILL, as a server may ignore SIGTERM;
 *  - every client runs under `timeout --foreground`: it ends by itself,
 *    and Ctrl-C reaches it (plain timeout moves it out of the terminal's
 *    process group, and the shell would wait for its time limit);
 *  - nothing outside the subshell is touched: no pkill, no pgrep.
 * The by_hand part may use $p (the port), $d (a scratch folder) and $s
 * (the server's pid), and its last line is "same" when the echo was
 * right, something else when not.
 */
#include "checks/reproduce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A word as sh reads it back unchanged: as it is when nothing in it is
 * special, else in single quotes (a quote inside becomes '\''). */
static void shell_word(char *out, size_t len, const char *w)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "_./:@%+=,-";
	size_t used = 0;

	if (*w != '\0' && strspn(w, plain) == strlen(w)) {
		snprintf(out, len, "%s", w);
		return;
	}
	used += (size_t)snprintf(out, len, "'");
	for (; *w != '\0' && used + 6 < len; w++)
		if (*w == '\'')
			used += (size_t)snprintf(out + used, len - used,
						 "'\\''");
		else
			out[used++] = *w;
	snprintf(out + used, len - used, "'");
}

#define BY_HAND_SETUP                                                          \
	"( p=${PORT:-7000}; d=$(mktemp -d); "                                  \
	"trap 'kill -9 $s 2>/dev/null; wait $s 2>/dev/null; rm -rf \"$d\"' "   \
	"EXIT; trap 'exit 130' INT TERM; "                                     \
	"%s 127.0.0.1:$p > \"$d/out\" & s=$!; n=0; "                           \
	"until grep -qs '^listening on' \"$d/out\"; do "                       \
	"kill -0 $s 2>/dev/null && [ $n -lt 40 ] || "                          \
	"{ echo 'no listening line'; exit 1; }; "                              \
	"n=$((n+1)); sleep 0.05; done; %s )"

int by_hand_line(const struct test *t, const char *server, char *out,
		 size_t len)
{
	char path[300];

	if (t->by_hand == NULL)
		return -1;
	shell_word(path, sizeof path, server);
	snprintf(out, len, BY_HAND_SETUP, path, t->by_hand);
	return 0;
}

void reproduce_line(const struct options *o, const struct lab *lab,
		    const char *test, char *out, size_t len)
{
	const char *name = lab->poll_switch.name, *backend = poll_switch_set(lab);
	char self[300], server[300], value[100], env[170] = "", args[340] = "";

	/* --shown-as: as the student runs it, from their repository's top. */
	shell_word(self, sizeof self, o->self && !o->shown_as ? o->self : "grader/grader");
	shell_word(server, sizeof server, o->shown_as ? o->shown_as : o->server);
	/* strategy's verdict depends on the lab's switch: keep it in the line */
	if (backend != NULL) {
		shell_word(value, sizeof value, backend);
		snprintf(env, sizeof env, "%s=%s ", name, value);
	}
	const char *tool = o->vg_tool == NULL ? ""
			   : strcmp(o->vg_tool, "memcheck") == 0 ? " --valgrind"
								 : " --helgrind";
	if (o->args_template != NULL) {
		shell_word(value, sizeof value, o->args_template);
		snprintf(args, sizeof args, " --args %s", value);
	}
	char client[320] = "";
	if (o->client != NULL && o->shown_as == NULL) {
		char word[300];
		shell_word(word, sizeof word, o->client);
		snprintf(client, sizeof client, " --client %s", word);
	}
	snprintf(out, len, "%s%s --lab %d --test %s%s%s%s --trace %s", env, self,
		 o->lab, test, tool, args, client, server);
}
