/*
 * flows.h - client connections, driven from one epoll loop: each sends a
 * pattern, checks every byte that comes back, and notes what happened.
 */
#ifndef SERVERLAB_FLOWS_H
#define SERVERLAB_FLOWS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/pattern.h"
#include "engine/sandbox.h"

/* What a flow does once it has sent everything it means to send. */
enum flow_end {
	END_CLOSE,      /* after every byte came back, close */
	END_HALFCLOSE,  /* shutdown(SHUT_WR) at once; done at EOF after all bytes */
	END_RESET,      /* close with SO_LINGER 0: the server sees a reset */
	END_HOLD,       /* after every byte came back, stay connected, idle */
};

struct flow_spec {
	uint64_t total;        /* bytes to send (computed when rounds > 0) */
	uint32_t rounds;       /* lockstep messages to send; 0 = as total says */
	enum pattern pattern;
	uint32_t seed;
	uint32_t msg_min, msg_max; /* lockstep message sizes; 0 = stream */
	uint32_t chunk;        /* most bytes per send(); 0 = no cap */
	double gap_s;          /* pause between chunks (slow sender) */
	int paused;            /* do not read until flow_resume() */
	int narrow;            /* tiny receive buffer and MSS: the server's
				* writes to this client go out in pieces */
	int nodelay;           /* TCP_NODELAY: each send goes out at once */
	uint32_t source;       /* bind to this IPv4 address (host order)
				* before connecting; 0 = the kernel's pick */
	enum flow_end end;
};

enum flow_state { FLOW_CONNECTING, FLOW_RUNNING, FLOW_DONE, FLOW_FAILED };

/* What --trace tells of a flow, noted as it runs: times, counts, and the
 * bytes that came instead of the first wrong one. The rest needs no
 * copy: what a flow sent, and what came back before that byte, is its
 * pattern. */
#define GOT_KEPT 12
struct flow_log {
	unsigned id;           /* its number in the test's trace; 0: none */
	unsigned port;         /* its local port (traced flows only) */
	double t_start, t_connected, t_first_send, t_last_send, t_shutdown,
	       t_resumed, t_first_recv, t_last_recv, t_eof, t_end;
	uint32_t sends, recvs; /* calls that moved bytes */
	uint8_t got[GOT_KEPT]; /* received from byte `echoed` on, on a */
	uint8_t ngot;          /* mismatch or bytes never sent */
};

struct flow {
	struct flow_spec spec;
	enum flow_state state;
	int fd;
	uint64_t sent, echoed;   /* bytes sent; bytes received and checked */
	uint64_t msg_start, msg_end; /* lockstep: the current message's offsets */
	double msg_sent_at;      /* when its first byte went out; 0: not yet */
	double next_send;        /* paced flows: earliest next send */
	double last_progress;
	uint32_t rng;            /* lockstep message sizes */
	uint32_t armed;          /* epoll events currently asked for */
	char why[200];           /* for FLOW_FAILED */
	struct flow_log log;
};

struct flow;

/* Who is told of each flow (--trace); all NULL: nobody. */
struct flow_watch {
	void *arg;
	unsigned (*number)(void *arg);  /* a new flow's number, from 1 */
	void (*ended)(void *arg, const struct flow *f); /* before it goes */
};

struct flows {
	int epfd;
	struct sockaddr_storage target;
	socklen_t target_len;
	struct flow *v;
	size_t n, cap;
	size_t active;           /* neither DONE nor FAILED */
	double stall_s;          /* flows_run gives up after this long with no
				  * progress on any flow; 0 = never */
	double last_progress;
	double last_look;        /* when epoll_wait last returned */
	struct server *srv;      /* drained while flows run; may be NULL */
	struct flow_watch watch; /* told of every flow; or {0} */
	struct latency *latency; /* given each lockstep message's round trip
				  * time; or NULL */
	size_t paced;            /* flows with a gap_s: the loop's timers */
};

int flows_init(struct flows *fs, const char *addr, struct server *srv);
void flows_free(struct flows *fs);
/* Start a flow; returns its index. A flow that cannot connect is FAILED
 * with its why set; -1 only when memory runs out (no flow was added). */
long flow_start(struct flows *fs, const struct flow_spec *spec);
void flow_resume(struct flows *fs, size_t i);
/* Close flow i at once with SO_LINGER 0: the server sees a reset. */
void flow_reset(struct flows *fs, size_t i);
/* Flow i's local port, and the bytes waiting unread in its socket. */
unsigned flow_local_port(const struct flows *fs, size_t i);
long flow_unread(const struct flows *fs, size_t i);
/* Run until no flow is active, or the deadline; 0 when all finished. */
int flows_run(struct flows *fs, double deadline);
/* Run until fewer than limit flows are active, or the deadline. */
int flows_run_below(struct flows *fs, size_t limit, double deadline);
/* Flow i is done sending and every byte came back (END_HOLD, idle). */
int flow_settled(const struct flow *f);
/* Run until flow i is DONE/FAILED, or the deadline. */
int flows_run_until(struct flows *fs, size_t i, double deadline);
/* Run for a while (idle connections, paced flows), then return. */
void flows_run_for(struct flows *fs, double seconds);
/* The first failed flow's story, or NULL. */
const struct flow *flows_first_failure(const struct flows *fs);
void flow_describe(const struct flow *f, char *buf, size_t len);

/* Inside the module, for flows_run.c's loop (both in flows.c): hand flow
 * i the events epoll gave it; ask epoll for what it waits for now. */
void flow_event(struct flows *fs, size_t i, uint32_t events, double now);
void flow_rearm(struct flows *fs, struct flow *f, size_t i, double now);

#endif
