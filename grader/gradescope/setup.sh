#!/bin/sh
# setup.sh - Gradescope runs this once, as root, on its Ubuntu 22.04 base
# image, when the autograder is built: the compiler, make, valgrind and
# liburing (lab 5), an unprivileged user to run students' code as, and the
# grader built from /autograder/source.
set -eu
kit=${AUTOGRADER_ROOT:-/autograder}/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q build-essential make pkg-config valgrind liburing-dev
id student > /dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin student
make -C "$kit" -s common/libcommon.a grader/grader grader/inject/libshortio.so
