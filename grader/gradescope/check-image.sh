#!/bin/sh
# check-image.sh KIT LAB - can this image build lab LAB? Run where the
# autograder is built (Gradescope's setup.sh; PrairieLearn's and Autolab's
# runs build it on their first grading): a lab the image cannot build
# stops here, with one line that names the image to pick, and never
# reaches a student as a build failure of theirs.
# Lab 5 needs liburing 2.3 or later (io_uring_prep_multishot_accept came
# in 2.2, IORING_SETUP_SINGLE_ISSUER and IORING_SETUP_DEFER_TASKRUN in
# 2.3): Ubuntu 22.04 has 2.1, Ubuntu 24.04 2.5, Debian 12 2.3. The probe
# is a compile of what the lab uses, not a version number: liburing 2.1
# has no version macros at all (io_uring_version.h came in 2.4), and a
# distribution may patch. CFLAGS and LDFLAGS reach the compiler.
set -u
kit=$1 lab=$2
folder=$(ls -d "$kit/labs/lab$lab-"* 2> /dev/null | head -n 1)
grep -qs '<liburing.h>' "$folder"/*.c "$folder"/*.h || exit 0
probe=$(mktemp -d /tmp/check-image.XXXXXX)
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.c" <<'C'
#include <liburing.h>

int main(void)
{
	struct io_uring_sqe sqe;
	unsigned flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;

	io_uring_prep_multishot_accept(&sqe, 0, 0, 0, 0);
	return flags == 0 && sqe.opcode == 0;
}
C
if ${CC:-cc} ${CFLAGS:-} -o "$probe/probe" "$probe/probe.c" ${LDFLAGS:-} -luring > "$probe/log" 2>&1; then
	exit 0
fi
echo "lab $lab needs liburing 2.3 or later, which this image lacks: pick Ubuntu 24.04 as the autograder's base image (Ubuntu 22.04 has 2.1). The probe's compile said: $(grep -m1 'error' "$probe/log" | sed 's,^.*probe\.c:,,')" >&2
exit 1
