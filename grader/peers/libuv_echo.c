/*
 * libuv_echo.c - the benchmark's "what industry uses" row: the kit's echo
 * contract (one argument, ADDRESS:PORT; a "listening on HOST:PORT" line;
 * exit 0 on SIGINT or SIGTERM) served by libuv, the event loop under
 * Node.js. Written the way a libuv program is meant to be: reads land in
 * one buffer the loop shares, uv_try_write sends what the socket takes at
 * once, and only the rest is copied into a write request; a client whose
 * queued bytes pass HIGH_WATER is not read until they drain.
 *
 * Not a lab: the labs build what libuv hides. Built by make bench only
 * (Debian libuv1-dev), never by make or make test.
 */
#define _GNU_SOURCE /* uv.h needs POSIX types beyond C11 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define HIGH_WATER (256 * 1024)

static uv_loop_t *loop;
static char shared_buf[64 * 1024]; /* one thread: reads never overlap */

struct client {
	uv_tcp_t tcp;   /* first: a handle pointer is a client pointer */
	int paused;     /* reading stopped until the queue drains */
};

struct queued_write {
	uv_write_t req;
	char data[]; /* what the socket did not take at once */
};

static void on_closed(uv_handle_t *h)
{
	free(h);
}

/* Any of a client's callbacks may be the one to end it: only the first
 * closes (libuv asserts a handle is closed once). */
static void client_close(uv_stream_t *client)
{
	if (!uv_is_closing((uv_handle_t *)client))
		uv_close((uv_handle_t *)client, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h, (void)suggested;
	*buf = uv_buf_init(shared_buf, sizeof shared_buf);
}

static void on_read(uv_stream_t *client, ssize_t n, const uv_buf_t *buf);

static void on_written(uv_write_t *req, int status)
{
	uv_stream_t *client = req->handle;
	struct client *c = (struct client *)client;

	free(req);
	if (status < 0) {
		client_close(client);
		return;
	}
	if (c->paused && uv_stream_get_write_queue_size(client) < HIGH_WATER &&
	    !uv_is_closing((uv_handle_t *)client)) {
		c->paused = 0;
		uv_read_start(client, on_alloc, on_read);
	}
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	client_close(req->handle);
	free(req);
}

static void on_read(uv_stream_t *client, ssize_t n, const uv_buf_t *buf)
{
	if (n == UV_EOF) { /* the echo so far is queued: close after it */
		uv_shutdown_t *req = malloc(sizeof *req);
		if (req == NULL || uv_shutdown(req, client, on_shutdown) < 0) {
			free(req);
			client_close(client);
		}
		return;
	}
	if (n < 0) {
		client_close(client);
		return;
	}
	uv_buf_t now = uv_buf_init(buf->base, (unsigned)n);
	int sent = uv_try_write(client, &now, 1);
	if (sent == n)
		return;
	if (sent < 0 && sent != UV_EAGAIN) {
		client_close(client);
		return;
	}
	size_t done = sent < 0 ? 0 : (size_t)sent, rest = (size_t)n - done;
	struct queued_write *w = malloc(sizeof *w + rest);
	if (w == NULL) {
		client_close(client);
		return;
	}
	memcpy(w->data, buf->base + done, rest);
	uv_buf_t later = uv_buf_init(w->data, (unsigned)rest);
	if (uv_write(&w->req, client, &later, 1, on_written) < 0) {
		free(w);
		client_close(client);
		return;
	}
	if (uv_stream_get_write_queue_size(client) >= HIGH_WATER) {
		((struct client *)client)->paused = 1; /* on_written resumes */
		uv_read_stop(client);
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	struct client *c;

	if (status < 0 || (c = calloc(1, sizeof *c)) == NULL)
		return;
	uv_tcp_init(loop, &c->tcp);
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		client_close((uv_stream_t *)&c->tcp);
}

static void on_signal(uv_signal_t *h, int sig)
{
	(void)h, (void)sig;
	uv_stop(loop);
}

/* "127.0.0.1:7000" or "[::1]:0" into addr; 0, or -1. */
static int parse_address(const char *text, struct sockaddr_storage *addr)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	size_t len;

	if (colon == NULL || colon == text || colon[1] == '\0')
		return -1;
	len = (size_t)(colon - text);
	if (text[0] == '[' && text[len - 1] == ']')
		text++, len -= 2;
	if (len >= sizeof host)
		return -1;
	memcpy(host, text, len);
	host[len] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		return -1;
	if (strchr(host, ':') != NULL)
		return uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)addr);
	return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)addr);
}

int main(int argc, char *argv[])
{
	struct sockaddr_storage addr = {0}, bound;
	int len = sizeof bound, rc;
	char host[64];
	uv_tcp_t server;
	uv_signal_t term, intr;

	if (argc != 2 || parse_address(argv[1], &addr) < 0) {
		fprintf(stderr, "usage: libuv-echo ADDRESS:PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* libuv leaves it: a reset client would kill us */
	loop = uv_default_loop();
	uv_tcp_init(loop, &server);
	if ((rc = uv_tcp_bind(&server, (struct sockaddr *)&addr, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&server, SOMAXCONN, on_connection)) < 0) {
		fprintf(stderr, "libuv-echo: %s: %s\n", argv[1], uv_strerror(rc));
		return 1;
	}
	uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len);
	if (bound.ss_family == AF_INET6) {
		uv_ip6_name((struct sockaddr_in6 *)&bound, host, sizeof host);
		printf("listening on [%s]:%d\n", host,
		       ntohs(((struct sockaddr_in6 *)&bound)->sin6_port));
	} else {
		uv_ip4_name((struct sockaddr_in *)&bound, host, sizeof host);
		printf("listening on %s:%d\n", host,
		       ntohs(((struct sockaddr_in *)&bound)->sin_port));
	}
	fflush(stdout);
	uv_signal_init(loop, &term);
	uv_signal_start(&term, on_signal, SIGTERM);
	uv_signal_init(loop, &intr);
	uv_signal_start(&intr, on_signal, SIGINT);
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
