/*
 * thresholds.c - every number a verdict depends on, in one table (T).
 * Messages are built from these fields, never retyped, so changing one
 * here changes what the grader does and what it says.
 */
#include "grader.h"

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
	.halfclose_bytes = 100u << 10,
	.halfclose_sweep = 64,
	.halfclose_step = 16u << 10,
	.reset_bytes = 1u << 20,
	.early_sweep = 16,
	.early_step = 32u << 10,
	.other_echo_s = 2,
	.slow_gap_s = 0.05,
	.slow_reader_bytes = 64u << 20,
	.rss_growth_kb = 16 << 10,
	.concurrent = 1000,
	.rounds = 20,
	.max_message = 4096,
	.churn_cycles = 5000,
	.churn_parallel = 50,
	.fd_limit = 64,
	.fd_limit_clients = 200,
	.fd_limit_cpu = 0.25,
	.strategy_clients = 10,
	.valgrind_scale = 10,
	.brief_scale = 2,
	.valgrind_mem_scale = 3,
	.test_limit_s = 60,
	.stop_grace_s = 1,
	.kill_give_up_s = 10,
};