/*
 * thresholds.c - every number a verdict depends on, in one table (T).
 * Messages are built from these fields, never retyped, so changing one
 * here changes what the grader does and what it says.
 */
#include "checks/thresholds.h"

#include <stdio.h>

const struct thresholds T = {
	.listen_s = 2,
	.exit_s = 5,
	.echo_s = 5,
	.bulk_s = 30,
	.settle_s = 3,
	.stall_s = 3,
	.large_bytes = 8u << 20,
	.messages = 1000,
	.message_size = 100,
	.partial_bytes = 4u << 20,
	.partial_messages = 100,
	.sequential = 200,
	.sequential_bytes = 60,
	.halfclose_bytes = 100u << 10,
	/* Late readers of 32 KiB, 64 KiB, ... 1 MiB: a server that closes
	 * on EOF while it still owes echo fails every size past what the
	 * buffers between hold, so steps of 32 KiB find it as 16 KiB did. */
	.halfclose_sweep = 32,
	.halfclose_step = 32u << 10,
	.reset_bytes = 1u << 20,
	.early_sweep = 16,
	.early_step = 32u << 10,
	.early_watch_s = 2,
	.early_stable_s = 0.05,
	/* A late reader never reads: stuck once, it stays stuck until we
	 * reset it, so a look every early_stable_s catches it on the
	 * second. Every 10 ms, the reads were a tenth of the grader's CPU
	 * in a lab 2 grading, with concurrent's sockets in TIME_WAIT. */
	.early_look_s = 0.05,
	.other_echo_s = 2,
	.slow_gap_s = 0.05,
	.slow_sender_bytes = 100000,
	.probe_bytes = 1000,
	.slow_reader_bytes = 64u << 20,
	.rss_growth_kb = 16 << 10,
	.concurrent = 1000,
	.concurrent_threads = 500,
	/* Every client's sizes differ each round, all clients connected:
	 * five rounds mix them as well as twenty did, at a third of the CPU. */
	.rounds = 5,
	.max_message = 4096,
	/* 2,000 clients, half of them reset: a buffer kept per client and
	 * touched as far as its echo (churn_bytes) is 32 MiB or more, twice
	 * the growth allowed; a descriptor kept per client is 2,000. */
	.churn_cycles = 2000,
	.churn_parallel = 50,
	.churn_bytes = 32u << 10,
	.churn_rss_growth_kb = 16 << 10,
	/* By half-way a server's allocator holds what 50 clients at a time
	 * need: the references then grow by 0-120 KiB over the last 1,000
	 * clients, lab 3's with a buffer malloc'd per thread too. A buffer
	 * of 4 KiB leaked per client grows by 4.1 MiB (5,000 clients against
	 * the 16 MiB bound alone caught 3.3 KiB a client and more). */
	.churn_half_growth_kb = 3 << 10,
	/* 64 KiB to a narrow client that reads nothing: about 48 KiB of it
	 * waits in the server (lab 2's ring, at its high-water mark) when
	 * the reset comes; 1,000 such rings kept are 48 MiB. */
	.churn_reset_every = 2,
	.churn_reset_bytes = 64u << 10,
	.idle_clients = 5,
	.idle_watch_s = 1.5,
	.idle_cpu = 0.1,
	.fd_limit = 64,
	.fd_limit_clients = 200,
	.fd_limit_cpu = 0.25,
	/* A spinner on 2 cores shared with 20 other runnable threads still
	 * gets 10%; a sleeper's few wake-ups cost well under 1%. */
	.spin_cpu = 0.05,
	/* Lab 3's sleeping reference built with ThreadSanitizer used 0.31 s
	 * of CPU in 2 s at fd-limit on a loaded machine: TSan's own work. */
	.spin_cpu_tool = 0.5,
	.victim_rounds = 20,
	.victim_msg_max = 1000,
	.strategy_clients = 10,
	/* One wave of strategy_clients arrivals missed a descriptor handed
	 * over by pointer now and then on a loaded machine; three did not,
	 * in 12 runs under load. */
	.handover_waves = 3,
	.thread_slack = 2,
	.stats_clients = 25,
	.stats_rounds = 100,
	/* Helgrind reports two threads touching the totals without a common
	 * lock the first time they do, lost update or not; memcheck needs no
	 * count at all. 250 round trips are plenty, and a second of CPU less. */
	.stats_tool_rounds = 10,
	.stats_max_message = 200,
	.stats_answer_s = 2,
	.term_exit_s = 2,
	.pool_idle_clients = 3000,
	.pool_idle_kb = 2,
	.pool_dry_clients = 100,
	.pool_dry_bytes = 128u << 10,
	/* The reference answers in 1-30 ms while two clients blast; a round
	 * run until the queue is empty, or no yield in a long transfer, made
	 * a 4-byte echo wait 2-10 s. */
	.fair_rounds = 10,
	.fair_echo_s = 1,
	.valgrind_scale = 10,
	.brief_scale = 2,
	.valgrind_mem_scale = 5,
	.sanitizer_mem_mb = 320,
	.test_limit_s = 60,
	.stop_grace_s = 1,
	.kill_give_up_s = 10,
};

const char *size_text(uint64_t bytes, char buf[32])
{
	if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
		snprintf(buf, 32, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= (1u << 10) && bytes % (1u << 10) == 0)
		snprintf(buf, 32, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, 32, "%llu bytes", (unsigned long long)bytes);
	return buf;
}
