# ServerLab - one Makefile for the whole kit. `make help` lists the targets.
#
# In a lab folder, every .c file but client.c links into that folder's
# server (lab 4: the coroutine runtime beside the server); client.c, where
# there is one, is the client. Both link common/libcommon.a. The grader is
# the .c files in grader/; broken servers are grader/tests/*.c; the shim
# the grader preloads into servers is grader/inject/ (a shared library).

CC      ?= cc
CFLAGS  ?= -O2 -g -gdwarf-4
# WERROR= builds code that may warn (make test's mutants of a reference).
WERROR  ?= -Werror
WARN    := -std=c11 -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes
SAN     ?=
ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SAN)
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) -Icommon
LDLIBS  += -pthread

COMMON_SRC := $(wildcard common/*.c)
COMMON_LIB := common/libcommon.a
COMMON_HDR := $(wildcard common/*.h)

SOLUTION_SRC := $(wildcard solutions/lab*/*.c)
SOLUTION_HDR := $(wildcard solutions/lab*/*.h)
LAB_SRC      := $(wildcard labs/lab*/*.c)
LAB_DIRS     := $(sort $(dir $(SOLUTION_SRC) $(LAB_SRC)))
# grader --batch builds each submission in a scratch folder of its own:
# make SUBMISSION=DIR DIR/server, with these rules and common/.
SUBMISSION   ?=
SERVERS      := $(addsuffix server,$(LAB_DIRS)) $(if $(SUBMISSION),$(SUBMISSION)/server)
CLIENTS      := $(patsubst %.c,%,$(filter %/client.c,$(SOLUTION_SRC) $(LAB_SRC) \
		$(if $(SUBMISSION),$(wildcard $(SUBMISSION)/client.c))))
PROGRAMS     := $(SERVERS) $(CLIENTS)
# What a lab folder's server is made of: its .c files but client.c; a
# server that includes liburing.h (lab 5) links liburing too.
server_src = $(filter-out %/client.c,$(wildcard $(dir $(1))*.c))
server_libs = $(if $(shell grep -l '<liburing.h>' $(call server_src,$(1)) 2>/dev/null),-luring)

# The grader in layers, each a folder: engine <- checks <- plans <- cli.
GRADER_LAYERS := engine checks plans cli
GRADER_SRC := $(foreach d,$(GRADER_LAYERS),$(wildcard grader/$(d)/*.c))
GRADER_HDR := $(foreach d,$(GRADER_LAYERS),$(wildcard grader/$(d)/*.h))
GRADER_OBJ := $(GRADER_SRC:.c=.o)
GRADER     := grader/grader
# The LD_PRELOAD shim of the partial-io test. It is loaded into servers of
# any build, so it is never built with a sanitizer (SAN) itself.
SHIM_SRC   := grader/inject/shortio.c grader/inject/uring_errors.c
SHIM       := grader/inject/libshortio.so
# Deliberately broken servers: one source, one binary per flaw named in the
# manifest (grader/tests/bin/NAME is built with -DFLAW='"NAME"').
BROKEN_SRC := grader/tests/broken.c grader/tests/broken_mux.c grader/tests/broken_threads.c
BROKEN     := $(addprefix grader/tests/bin/,$(shell awk '/^[a-z]/ {print $$1}' grader/tests/manifest 2>/dev/null))

UNIT_SRC   := $(wildcard common/tests/*.c)
UNIT       := common/tests/unit
# Lab 4's coroutine runtime has unit tests of its own, built against the
# reference runtime here (make test also builds them against mutants).
CORO_DIR   := solutions/lab4-coroutines
CORO_TEST  := grader/tests/bin/test-coro

# liburing (Debian liburing-dev) is needed by lab 5 alone: without it, make
# builds everything else and says in one line what is missing.
HAVE_URING := $(shell printf '\043include <liburing.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes)
uring_servers = $(foreach s,$(1),$(if $(shell grep -l '<liburing.h>' $(call server_src,$(s)) 2>/dev/null),$(s)))
BUILDABLE := $(if $(HAVE_URING),$(PROGRAMS),$(filter-out $(call uring_servers,$(SERVERS)),$(PROGRAMS)))

# A program of Check unit tests: $(call check_program,SOURCES,INCLUDE_DIR).
# Without Check it stops with one line saying how to get it.
define check_program
@pkg-config --exists check || { echo "make: $@ needs the Check library (apt-get install check, or make deps)" >&2; exit 1; }
$(CC) $(ALL_CFLAGS) -I$(2) $$(pkg-config --cflags check) $(LDFLAGS) -o $@ $(1) $$(pkg-config --libs check) $(LDLIBS)
endef

# make syntax: every C file of the kit through the compiler's front end
# alone (-fsyntax-only), where all of its warnings come from; make test
# runs it with CC=clang, the second compiler, at a fifth of a build's CPU.
SYNTAX_SRC := $(COMMON_SRC) $(SOLUTION_SRC) $(LAB_SRC) $(GRADER_SRC) $(SHIM_SRC) \
	$(BROKEN_SRC) $(UNIT_SRC) grader/tests/hold_threads.c grader/tests/no_uring.c \
	grader/tests/test_latency.c
SYNTAX_SRC := $(if $(HAVE_URING),$(SYNTAX_SRC),$(shell grep -L '<liburing.h>' $(SYNTAX_SRC)))

# Which folder holds the student's lab N (make check-labN LABS=...).
LABS ?= labs
STEP ?=
step_opt = $(if $(STEP),--step $(STEP))
# HELGRIND=1: every test under valgrind's helgrind (lab 3's races);
# VALGRIND=1: under memcheck.
vg_opt = $(if $(HELGRIND),--helgrind) $(if $(VALGRIND),--valgrind)

.PHONY: all help deps syntax check grade gradescope prairielearn autolab handout platform test demo bench skeletons clean format tidy broken mutants \
	check-lab1 check-lab2 check-lab3 check-lab4 check-lab5

all: $(COMMON_LIB) $(BUILDABLE) $(GRADER) $(SHIM)
ifeq ($(HAVE_URING),)
	@echo "make: lab 5 not built: liburing.h is missing (apt-get install liburing-dev, or make deps)"
endif

help:
	@echo "make               build every lab, solution and the grader"
	@echo "make check-labN    grade your lab N (STEP=K: only steps 1..K; HELGRIND=1"
	@echo "                   or VALGRIND=1: every test under helgrind or memcheck)"
	@echo "make check         grade every lab"
	@echo "make grade LAB=N   the grader alone on lab N (TEST=NAME: one test)"
	@echo "make gradescope LAB=N  autograder-labN.zip for a Gradescope assignment"
	@echo "make prairielearn LAB=N  prairielearn-labN.zip: a PrairieLearn question and its grader"
	@echo "make autolab LAB=N autolab-labN/: Autolab's autograde-Makefile and autograde.tar"
	@echo "make handout       serverlab-handout.tar.gz: the students' kit, no solutions"
	@echo "make platform      every reference graded on half a CPU and 768 MB (LAB=N: one)"
	@echo "make demo          build, then grade the reference solutions"
	@echo "make test          the kit's own test suite"
	@echo "make bench         every strategy against a libuv peer: grader/bench/"
	@echo "make skeletons     regenerate labs/*/*.c from solutions/"
	@echo "make broken        build the broken servers of grader/tests/manifest"
	@echo "make mutants LAB=N every one-line mutant of lab N's reference graded (slow)"
	@echo "make deps          install check, liburing, valgrind, nc, clang if missing"
	@echo "make syntax        every C file through the compiler's checks only (CC=clang)"
	@echo "make SAN=address   build with a sanitizer (after make clean)"
	@echo "make format|tidy   clang-format / clang-tidy over the sources"
	@echo "make clean         remove what the build made"

deps:
	@sh grader/tools/deps.sh

$(COMMON_LIB): $(COMMON_SRC:.c=.o)
	$(AR) rcs $@ $^

common/%.o: common/%.c $(COMMON_HDR)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

.SECONDEXPANSION:
$(SERVERS): %/server: $$(call server_src,$$@) $$(wildcard $$*/*.h) $(COMMON_LIB) $(COMMON_HDR)
	$(CC) $(ALL_CFLAGS) -I$* $(LDFLAGS) -o $@ $(call server_src,$@) $(COMMON_LIB) $(call server_libs,$@) $(LDLIBS)

$(CLIENTS): %: %.c $(COMMON_LIB) $(COMMON_HDR)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(COMMON_LIB) $(LDLIBS)

# One object per grader module, with the headers it includes as its
# prerequisites (-MMD), so an edit rebuilds what it touches.
$(GRADER): $(GRADER_OBJ) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $(GRADER_OBJ) $(COMMON_LIB) $(LDLIBS)

grader/%.o: grader/%.c
	$(CC) $(ALL_CFLAGS) -Igrader -MMD -MP -c -o $@ $<

-include $(GRADER_OBJ:.o=.d)

$(SHIM): $(SHIM_SRC)
	$(CC) $(WARN) $(filter-out -fsanitize=%,$(CFLAGS)) -fPIC -shared -o $@ $(SHIM_SRC) -ldl

grader/tests/bin/mux-%: grader/tests/broken_mux.c $(COMMON_LIB) $(COMMON_HDR) grader/tests/manifest
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFLAW='"mux-$*"' $(LDFLAGS) -o $@ grader/tests/broken_mux.c $(COMMON_LIB) $(LDLIBS)

grader/tests/bin/threads-%: grader/tests/broken_threads.c $(COMMON_LIB) $(COMMON_HDR) grader/tests/manifest
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFLAW='"threads-$*"' $(LDFLAGS) -o $@ grader/tests/broken_threads.c $(COMMON_LIB) $(LDLIBS)

grader/tests/bin/%: grader/tests/broken.c $(COMMON_LIB) $(COMMON_HDR) grader/tests/manifest
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFLAW='"$*"' $(LDFLAGS) -o $@ grader/tests/broken.c $(COMMON_LIB) $(LDLIBS)

syntax:
	$(CC) $(WARN) -fsyntax-only -Icommon -Igrader $$(pkg-config --cflags check) $(SYNTAX_SRC)
	$(CC) $(WARN) -fsyntax-only -Icommon -I$(CORO_DIR) $$(pkg-config --cflags check) grader/tests/test_coro.c

# A busy desktop for make test: threads that hold the user's task count up.
HOLD := grader/tests/bin/hold-threads
$(HOLD): grader/tests/hold_threads.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# A system without io_uring, for make test: a seccomp filter refuses it.
NO_URING := grader/tests/bin/no-uring
$(NO_URING): grader/tests/no_uring.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)
# ... and one without namespaces: unshare refused, as Docker's profile does.
NO_UNSHARE := grader/tests/bin/no-unshare
$(NO_UNSHARE): grader/tests/no_uring.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DDENIED=SYS_unshare -DTOOL='"no-unshare"' $(LDFLAGS) -o $@ $< $(LDLIBS)

# ... and one whose kernel registers no buffer ring (lab 5's step 6).
NO_BUFRING := grader/tests/bin/no-bufring
$(NO_BUFRING): grader/tests/no_uring.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DDENIED=SYS_io_uring_register -DTOOL='"no-bufring"' $(LDFLAGS) -o $@ $< $(LDLIBS)

broken: $(BROKEN) $(HOLD) $(NO_URING) $(NO_UNSHARE) $(NO_BUFRING)

# A lab 4 runtime's unit tests, in that runtime's folder (check-lab4 runs
# them on the student's; make test on the reference and its mutants).
%/test-coro: %/coro.c %/coro.h grader/tests/test_coro.c
	$(call check_program,grader/tests/test_coro.c $*/coro.c,$*)

$(CORO_TEST): grader/tests/test_coro.c $(CORO_DIR)/coro.c $(CORO_DIR)/coro.h
	@mkdir -p $(@D)
	$(call check_program,grader/tests/test_coro.c $(CORO_DIR)/coro.c,$(CORO_DIR))

# grader bench's latency histogram has unit tests of its own.
LATENCY_TEST := grader/tests/bin/test-latency
$(LATENCY_TEST): grader/tests/test_latency.c grader/engine/latency.c grader/engine/latency.h
	@mkdir -p $(@D)
	$(call check_program,grader/tests/test_latency.c grader/engine/latency.c,grader)

$(UNIT): $(UNIT_SRC) $(COMMON_LIB) $(COMMON_HDR)
	$(call check_program,$(UNIT_SRC) $(COMMON_LIB),common)

CHECK_LABS := check-lab1 check-lab2 check-lab3 check-lab4 check-lab5
$(CHECK_LABS): check-lab%: $(COMMON_LIB) $(GRADER) $(SHIM)
	@dir=$$(ls -d $(LABS)/lab$*-* 2>/dev/null | head -n 1); \
	if [ -z "$$dir" ]; then echo "no folder $(LABS)/lab$*-*: lab $* is not in this kit yet"; exit 2; fi; \
	$(MAKE) --no-print-directory -s $$dir/server $$([ -f $$dir/client.c ] && echo $$dir/client) || exit 2; \
	res=$$(mktemp); $(GRADER) --lab $* $(step_opt) $(vg_opt) --json $$res $$dir/server; rc=$$?; \
	nostart=$$(grep -l 'not run because starts failed' $$res); rm -f $$res; \
	[ $$rc -eq 77 ] && exit 0; \
	if [ -n "$$nostart" ] && [ -f $$dir/coro.c ] && [ "$${STEP:-99}" -ge 4 ]; then \
		echo "NOT RUN because starts failed: the runtime's unit tests"; exit 1; fi; \
	if [ -f $$dir/coro.c ] && [ "$${STEP:-99}" -ge 4 ]; then \
		echo "== the runtime's unit tests (grader/tests/test_coro.c) on $$dir/coro.c"; \
		$(MAKE) --no-print-directory -s $$dir/test-coro && $$dir/test-coro || rc=1; fi; \
	exit $$rc

# The grader alone on lab LAB of $(LABS), and only test TEST if given: each
# step of a GitHub Classroom workflow (grader --classroom) runs one test.
grade: $(COMMON_LIB) $(GRADER) $(SHIM)
	@dir=$$(ls -d $(LABS)/lab$(LAB)-* 2>/dev/null | head -n 1); \
	if [ -z "$(LAB)" ] || [ -z "$$dir" ]; then \
		echo "make grade LAB=N [TEST=NAME] [STEP=K]: no folder $(LABS)/lab$(LAB)-*"; exit 2; fi; \
	$(MAKE) --no-print-directory -s $$dir/server $$([ -f $$dir/client.c ] && echo $$dir/client) || exit 2; \
	echo "grading $$dir/ (lab $(LAB))"; \
	$(GRADER) --lab $(LAB) $(step_opt) $(if $(TEST),--test $(TEST)) $$dir/server

check: $(COMMON_LIB) $(GRADER)
	@rc=0; for d in $(LABS)/lab*; do \
		n=$$(echo $$d | sed 's/.*lab\([0-9]\).*/\1/'); \
		$(MAKE) --no-print-directory check-lab$$n LABS=$(LABS) || rc=1; \
	done; exit $$rc

# The benchmark's libuv peer (Debian libuv1-dev, gnuplot-nox for the plot):
# deps.sh --bench installs them, for make bench only.
UV_PEER := grader/peers/libuv-echo
$(UV_PEER): grader/peers/libuv_echo.c
	$(CC) $(WARN) $(CFLAGS) $$(pkg-config --cflags libuv) $(LDFLAGS) -o $@ $< $$(pkg-config --libs libuv)

# The students' handout (make handout) has no solutions/: there make test
# grades the labs as they stand, and demo and bench have nothing to show.
ifeq ($(wildcard solutions),)
test: deps
	@sh grader/tools/handout-test.sh
demo bench platform gradescope prairielearn autolab handout mutants:
	@echo "make $@ is for the full kit (it needs the reference solutions or the instructors' scripts): make check-labN grades yours"; exit 2
else
test: deps
	@bash grader/tools/test.sh

demo: deps all
	@sh grader/tools/demo.sh

# Without libuv the peer's row is left out; without gnuplot, the plots
# (the tables and CSVs are still written, and make bench says why it failed).
bench: deps all
	@sh grader/tools/deps.sh --bench || echo "bench: going on without them"
	@if pkg-config --exists libuv; then $(MAKE) --no-print-directory -s $(UV_PEER); fi
	@sh grader/tools/bench.sh

# Gradescope's autograder for lab LAB: autograder-labLAB.zip (or ZIP=PATH);
# PrairieLearn's question and grader (prairielearn-labLAB.zip) and Autolab's
# autograder (autolab-labLAB/, or DIR=PATH) from the same kit.
gradescope prairielearn: $(GRADER)
	@sh grader/tools/gradescope.sh "$(LAB)" "$(ZIP)" $@

autolab: $(GRADER)
	@sh grader/tools/gradescope.sh "$(LAB)" "$(DIR)" $@

# Every reference graded as a grading platform runs it: about half a CPU
# (one core and a busy loop), 768 MB where a memory cgroup can be made.
platform: all
	@sh grader/tools/platform.sh $(LAB)

handout: $(GRADER)
	@sh grader/tools/handout.sh $(TARBALL)

# The grader's fidelity: lab LAB's one-line mutants, each built and graded
# (grader/tools/mutants.sh; JOBS at a time). Not part of make test.
mutants: all
	@bash grader/tools/mutants.sh "$(LAB)" $(JOBS)
endif

skeletons:
	@for f in $(SOLUTION_SRC) $(SOLUTION_HDR); do \
		awk -f grader/tools/skeleton.awk $$f > labs/$${f#solutions/}; \
	done; echo "skeletons regenerated from solutions/"

# Formatting touches solution lines outside the TODO regions too, so the
# skeletons are regenerated after it.
format:
	clang-format -i $(COMMON_SRC) $(COMMON_HDR) $(SOLUTION_SRC) $(SOLUTION_HDR) $(GRADER_SRC) $(GRADER_HDR) $(BROKEN_SRC) $(SHIM_SRC) $(UNIT_SRC)
	@$(MAKE) --no-print-directory skeletons

tidy:
	clang-tidy $(COMMON_SRC) $(SOLUTION_SRC) $(GRADER_SRC) -- $(WARN) -Icommon -Igrader

clean:
	rm -f common/*.o $(GRADER_OBJ) $(GRADER_OBJ:.o=.d) $(COMMON_LIB) $(PROGRAMS) $(GRADER) $(SHIM) $(UNIT) $(CORO_TEST) $(UV_PEER)
	rm -f labs/*/test-coro solutions/*/test-coro
	rm -rf grader/tests/bin
