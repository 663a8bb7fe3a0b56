/*
 * thresholds.h - every number a verdict depends on, once (T).
 */
#ifndef SERVERLAB_THRESHOLDS_H
#define SERVERLAB_THRESHOLDS_H

#include <stdint.h>

/* Every threshold in one place. Times are multiplied by ctx->scale (valgrind
 * slows a server 10-50 times) and are generous: a correct server on a busy
 * 2-core machine answers in milliseconds; these fail only at seconds. */
struct thresholds {
	double listen_s;      /* until the "listening on" line */
	double exit_s;        /* a server that must refuse to start */
	double echo_s;        /* a small echo */
	double bulk_s;        /* a test's bulk transfer */
	double settle_s;      /* descriptors back to baseline after clients */
	double stall_s;       /* no byte moved on any connection: give up */
	uint64_t large_bytes; /* echo-large */
	int messages;         /* many-messages round trips */
	uint32_t message_size;
	uint64_t partial_bytes; /* partial-io: a bulk echo, then */
	int partial_messages;   /* so many lockstep messages */
	int sequential;       /* clients one after another, */
	uint32_t sequential_bytes; /* each echoing so much text */
	uint64_t halfclose_bytes;
	int halfclose_sweep;  /* half-close's late readers: so many, */
	uint32_t halfclose_step; /* sending this much more each */
	uint64_t reset_bytes; /* client-reset */
	int early_sweep;      /* early-close: so many clients, */
	uint32_t early_step;  /* each sending this much more */
	double early_watch_s; /* watching for CLOSE_WAIT: give up after so
			       * long without catching one */
	double early_stable_s; /* caught only when stuck so long */
	double early_look_s;  /* /proc/net/tcp read so often: each read
			       * lists every socket, TIME_WAIT ones too */
	/* Labs 2-4. SPEC's idle-client says 200 ms; a server that serves one
	 * client at a time never answers B at all, so 2 s loses nothing and
	 * keeps a correct server safe on a loaded machine. */
	double other_echo_s;  /* B's echo while A idles or dawdles */
	double slow_gap_s;    /* slow-sender: one byte per gap, */
	uint64_t slow_sender_bytes; /* at most so many */
	uint32_t probe_bytes; /* client B's echo; "still serves?" probes */
	uint64_t slow_reader_bytes;
	long rss_growth_kb;   /* slow-reader: server memory may grow this much */
	int concurrent;       /* clients at once */
	int concurrent_threads; /* for a thread per client (lab 3) */
	int rounds;           /* round trips per concurrent client */
	uint32_t max_message; /* concurrent: message sizes 1..max_message */
	int churn_cycles, churn_parallel;
	uint32_t churn_bytes; /* each cycle's echo: enough that a buffer
			       * leaked per client shows in memory */
	long churn_rss_growth_kb; /* churn: server memory may grow this much, */
	long churn_half_growth_kb; /* and this much over its second half */
	int churn_reset_every;  /* churn: one client in so many resets, */
	uint32_t churn_reset_bytes; /* unread, after sending so much */
	int idle_clients;     /* idle-cpu: connected, echoed once, then idle */
	double idle_watch_s;  /* for so long, using under */
	double idle_cpu;      /* runnable seconds per second */
	unsigned long fd_limit; /* fd-limit: the server's RLIMIT_NOFILE */
	int fd_limit_clients;
	double fd_limit_cpu;  /* runnable seconds per second (on a CPU or
			       * queued for one) while clients wait */
	double spin_cpu;      /* idle-cpu, fd-limit: and CPU seconds per
			       * second, or it is no spinner */
	double spin_cpu_tool; /* the same under a sanitizer or valgrind */
	uint32_t victim_rounds; /* error-completion: each victim's round trips, */
	uint32_t victim_msg_max; /* of 1..this many bytes */
	int strategy_clients;
	int handover_waves;   /* arrivals looked at for a shared socket */
	int thread_slack;     /* lab 3's strategy: threads beyond one a client */
	int stats_clients;    /* stats: each of two workloads, clients at once */
	int stats_rounds;     /* each client's round trips, of */
	int stats_tool_rounds; /* ... under valgrind's tools */
	uint32_t stats_max_message; /* 1..this many bytes */
	double stats_answer_s; /* SIGUSR1 to its stats line, counts complete */
	double term_exit_s;   /* orderly-exit: SIGTERM to exit(0) */
	int fair_rounds;      /* fairness: a client's 4-byte round trips, */
	double fair_echo_s;   /* each, take under this */
	int pool_idle_clients; /* idle-memory: echoed once, then idle, */
	long pool_idle_kb;    /* each growing the server's memory under this */
	int pool_dry_clients; /* pool-dry: narrow clients sending, */
	uint32_t pool_dry_bytes; /* each so much, that read late */
	/* Under valgrind a server runs 10-50 times slower: deadlines are
	 * multiplied by valgrind_scale, short pauses (which a test spends
	 * whether or not the server is quick) only by brief_scale, and memory
	 * bounds by valgrind_mem_scale (memcheck's own bookkeeping: its queue
	 * of freed blocks, 20 MB, and a record of every thread; lab 3's churn
	 * grew by 52 MiB under memcheck against 16 MiB allowed without). */
	double valgrind_scale, brief_scale, valgrind_mem_scale;
	long sanitizer_mem_mb; /* ASan's quarantine, added to memory bounds */
	double test_limit_s;  /* one test, start to end (times the scale) */
	double stop_grace_s;  /* SIGTERM to SIGKILL when a test ends (same) */
	double kill_give_up_s; /* descendants still alive: warn, give up */
};
extern const struct thresholds T;

/* "8 MiB", "100 KiB", "1000 bytes": a threshold as a message says it. */
const char *size_text(uint64_t bytes, char buf[32]);

#endif
