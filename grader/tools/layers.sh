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
# them, no finding" or exits 1.
set -u
cd "$(dirname "$0")/../.."
layers=(engine checks plans cli)
rank() { local i; for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && echo "$i"; done; }
# The module a source file belongs to: folder/name, with the exceptions above.
module_of() {
	local f=${1#grader/} dir base
	dir=$(dirname "$f") base=$(basename "$f"); base=${base%.[cho]}
	case $base in lab[0-9]*) base=plans ;; esac
	# X_Y.c with no X_Y.h of its own is a part of module X.
	if [ ! -f "grader/$dir/$base.h" ] && [ -f "grader/$dir/${base%%_*}.h" ]; then
		base=${base%%_*}
	fi
	echo "$dir/$base"
}
findings=0
finding() { echo "layers: $*"; findings=$((findings + 1)); }

# 1. Includes point down or across.
for f in $(for l in "${layers[@]}"; do ls grader/$l/*.[ch]; done); do
	from=$(dirname "${f#grader/}")
	while read -r h; do
		to=${h%%/*}
		[ -n "$(rank "$to")" ] || continue
		[ "$(rank "$to")" -le "$(rank "$from")" ] ||
			finding "$f includes $h: a layer above its own ($from)"
	done < <(sed -n 's/^#include "\([a-z]*\/[a-z_]*\.h\)".*/\1/p' "$f")
done

# 2. Who defines what, from the objects.
defs=$(mktemp); calls=$(mktemp); trap 'rm -f "$defs" "$calls"' EXIT
# The objects of today's sources (a stale one of a removed file is no module).
objs=$(for c in $(for l in "${layers[@]}"; do ls grader/$l/*.c; done); do
	[ -f "${c%.c}.o" ] && echo "${c%.c}.o"; done)
[ -n "$objs" ] || { echo "layers: no objects: run make first" >&2; exit 2; }
for o in $objs; do
	m=$(module_of "$o")
	nm --defined-only -g "$o" | awk -v m="$m" '$2 ~ /^[TDBRC]$/ {print $3, m}'
done | sort > "$defs"
# Each global is declared in its own module's header, and nowhere else.
while read -r sym m; do
	[ "$sym" = main ] && continue
	hdr=grader/$m.h
	if [ ! -f "$hdr" ] || ! grep -qw "$sym" "$hdr"; then
		finding "$sym ($m) is global but not declared in $hdr (static?)"
	fi
	for h in $(grep -lE "^[a-z].*[ *]$sym\(" grader/*/*.h); do
		[ "$h" = "$hdr" ] || finding "$h declares $sym, which is $m's"
	done
done < "$defs"

# 3. Calls between modules: down or across, and no circle.
for o in $objs; do
	m=$(module_of "$o")
	nm -u "$o" | awk '{print $2}' | sort | join - "$defs" | awk -v m="$m" '$2 != m {print m, $2}'
done | sort -u > "$calls"
while read -r from to; do
	[ "$(rank "${to%%/*}")" -le "$(rank "${from%%/*}")" ] ||
		finding "$from calls $to, a layer above it"
done < "$calls"
if ! tsort "$calls" > /dev/null 2> "$calls.err"; then
	finding "calls run in a circle: $(grep -v 'input contains a loop' "$calls.err" | sed 's/^tsort: //' | tr '\n' ' ')"
fi
rm -f "$calls.err"
if [ "$findings" -gt 0 ]; then exit 1; fi
echo "layers: $(cut -d' ' -f2 "$defs" | sort -u | wc -l) modules, $(wc -l < "$calls") calls between them, no finding"
