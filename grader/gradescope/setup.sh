#!/bin/sh
# setup.sh - Gradescope runs this once, as root, when the autograder is
# built: the compiler, make and liburing (lab 5), an unprivileged user to
# build students' code as, and the grader built from /autograder/source.
# Pick Ubuntu 24.04 as the base image for lab 5 (check-image.sh says why,
# and stops the build on an image that cannot build the lab).
set -eu
kit=${AUTOGRADER_ROOT:-/autograder}/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q build-essential make pkg-config liburing-dev
sh "$kit/check-image.sh" "$kit" @LAB@
id student > /dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin student
make -C "$kit" -s common/libcommon.a grader/grader grader/inject/libshortio.so
