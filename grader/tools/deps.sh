#!/bin/sh
# Install what the kit needs on Debian when it is missing: the Check unit-test
# library (found through pkg-config), liburing (lab 5), valgrind, nc for
# reproducing failures by hand, clang (make test builds with gcc and
# clang), zip and unzip (make gradescope, and make test unpacks it) and
# python3-yaml (make test reads the Classroom workflows). As root it installs them; otherwise it prints the command.
# --quiet: say nothing when everything is already there. --bench: also
# what make bench alone needs: libuv (its peer server) and gnuplot (plots).
need=""
if [ "$1" = "--bench" ]; then
	pkg-config --exists libuv 2>/dev/null || need="$need libuv1-dev"
	command -v gnuplot >/dev/null 2>&1 || need="$need gnuplot-nox"
fi
pkg-config --exists check 2>/dev/null || need="$need check"
pkg-config --exists liburing 2>/dev/null || need="$need liburing-dev"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v valgrind >/dev/null 2>&1 || need="$need valgrind"
command -v nc >/dev/null 2>&1 || need="$need netcat-openbsd"
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v zip >/dev/null 2>&1 || need="$need zip"
command -v unzip >/dev/null 2>&1 || need="$need unzip"
# make test parses the GitHub Classroom workflows with PyYAML.
python3 -c 'import yaml' >/dev/null 2>&1 || need="$need python3-yaml"
if [ -z "$need" ]; then
	[ "$1" = "" ] && echo "deps: check, liburing, valgrind, nc, clang, zip and PyYAML are installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$need. Install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$need" >&2
	exit 1
fi
echo "deps: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q && apt-get install -y -q $need || {
	echo "deps: apt-get failed; run: apt-get update && apt-get install -y$need" >&2
	exit 1
}
