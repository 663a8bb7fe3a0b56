#!/usr/bin/env bash
# layers.sh - the grader's structure, checked from its own objects and
# includes (make test runs it after a build):
#   - layers are folders, engine <- checks <- plans <- cli: a file includes
#     headers of its own layer or lower ones, never higher;
#   - a module is a .c and the header of the same name (plans.h: every
#     labN.c; X.h: X_Y.c too, where there is no X_Y.h); its globals are declared
#     in its own header, and its header declares only what it defines;
#   - calls between modules (nm's undefined symbols, matched to the module
#     that defines them) run down or across a layer, and form no circle.
# Prints one line per finding, then "layers: N modules, M calls between
# them, no finding" or exits 1. A few processes in all: each check is one
# awk over every file at once.
set -u
cd "$(dirname "$0")/../.."
layers="engine checks plans cli"
# Each check's awk knows a layer's rank: engine 1 ... cli 4.
ranks='BEGIN { n = split("'"$layers"'", l, " "); for (i = 1; i <= n; i++) rank[l[i]] = i }'
srcs=$(for l in $layers; do ls grader/$l/*.[ch]; done)
# The objects of today's sources (a stale one of a removed file is no module).
objs=$(for c in $srcs; do [[ $c == *.c && -f ${c%.c}.o ]] && echo "${c%.c}.o"; done)
[ -n "$objs" ] || { echo "layers: no objects: run make first" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The module of each file (FILE MODULE): folder/name, where labN is plans
# and X_Y with no X_Y.h of its own is a part of module X.
echo "$srcs" | awk '{ have[$0] = 1; f[NR] = $0 }
	END { for (i = 1; i <= NR; i++) {
		p = f[i]; sub(/^grader\//, "", p); sub(/\.[cho]$/, "", p)
		dir = p; sub(/\/[^\/]*$/, "", dir); base = p; sub(/^.*\//, "", base)
		if (base ~ /^lab[0-9]/) base = "plans"
		x = base; sub(/_.*/, "", x)
		if (!(("grader/" dir "/" base ".h") in have) && (("grader/" dir "/" x ".h") in have)) base = x
		m = dir "/" base; print f[i], m; o = f[i]; sub(/\.c$/, ".o", o); if (o != f[i]) print o, m
	} }' > "$tmp/modules"

# 1. Includes point down or across.
grep -H '^#include "[a-z]*/[a-z_]*\.h"' $srcs | awk "$ranks"'
	{ split($0, p, ":"); f = p[1]; from = f; sub(/^grader\//, "", from); sub(/\/.*/, "", from)
	  h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h); to = h; sub(/\/.*/, "", to)
	  if ((to in rank) && rank[to] > rank[from])
		print "layers: " f " includes " h ": a layer above its own (" from ")" }' > "$tmp/findings"

# 2. Who defines what (SYMBOL MODULE), from the objects; each global is
# declared in its own module's header, and nowhere else (a word in a
# header is a mention; a name before "(" on a line that begins a
# declaration declares it).
nm -A --defined-only -g $objs | awk 'NR == FNR { m[$1] = $2; next }
	{ split($1, p, ":"); if ($2 ~ /^[TDBRC]$/) print $3, m[p[1]] }' "$tmp/modules" - |
	sort > "$tmp/defs"
awk 'FILENAME ~ /\.h$/ {
		have[FILENAME] = 1
		n = split($0, w, /[^A-Za-z0-9_]+/)
		for (i = 1; i <= n; i++) if (w[i] != "") word[FILENAME, w[i]] = 1
		for (s = $0; $0 ~ /^[a-z]/ && match(s, /[ *][A-Za-z_][A-Za-z0-9_]*\(/); s = substr(s, RSTART + RLENGTH)) {
			name = substr(s, RSTART + 1, RLENGTH - 2); declared[name] = declared[name] " " FILENAME
		}
		next
	}
	$1 != "main" {
		hdr = "grader/" $2 ".h"
		if (!(hdr in have) || !((hdr, $1) in word))
			print "layers: " $1 " (" $2 ") is global but not declared in " hdr " (static?)"
		n = split(declared[$1], d, " ")
		for (i = 1; i <= n; i++) if (d[i] != hdr) print "layers: " d[i] " declares " $1 ", which is " $2 "\x27s"
	}' grader/*/*.h "$tmp/defs" >> "$tmp/findings"

# 3. Calls between modules: down or across, and no circle.
nm -A -u $objs | awk 'FILENAME == ARGV[1] { m[$1] = $2; next }
	FILENAME == ARGV[2] { def[$1] = $2; next }
	{ split($1, p, ":"); sym = $NF; from = m[p[1]]
	  if ((sym in def) && def[sym] != from) print from, def[sym] }' "$tmp/modules" "$tmp/defs" - |
	sort -u > "$tmp/calls"
awk "$ranks"'
	{ a = $1; b = $2; sub(/\/.*/, "", a); sub(/\/.*/, "", b)
	  if (rank[b] > rank[a]) print "layers: " $1 " calls " $2 ", a layer above it" }' "$tmp/calls" >> "$tmp/findings"
if ! tsort "$tmp/calls" > /dev/null 2> "$tmp/loop"; then
	echo "layers: calls run in a circle: $(grep -v 'input contains a loop' "$tmp/loop" | sed 's/^tsort: //' | tr '\n' ' ')" >> "$tmp/findings"
fi
if [ -s "$tmp/findings" ]; then cat "$tmp/findings"; exit 1; fi
echo "layers: $(cut -d' ' -f2 "$tmp/defs" | sort -u | wc -l) modules, $(wc -l < "$tmp/calls") calls between them, no finding"
