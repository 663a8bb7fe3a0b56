/*
 * net.h - addresses and sockets, shared by the labs and the grader.
 *
 * Errors are values: a function that fails returns a negative status and
 * writes a one-line reason into the caller's struct net_err. Nothing here
 * prints or exits; deciding what an error means is the caller's job.
 */
#ifndef SERVERLAB_NET_H
#define SERVERLAB_NET_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

/* Room for "[ffff:...:ffff%interface]:65535" and then some. */
#define NET_ADDRSTRLEN 128

struct net_err {
	char msg[256];
};

enum net_status {
	NET_OK = 0,
	NET_ESYS = -1,   /* the system refused (bind, connect, ...): see errno */
	NET_EUSAGE = -2, /* the address text itself is wrong */
};

/* Flags for net_listen and net_connect. */
#define NET_NONBLOCK 1

/*
 * Split "HOST:PORT" or "[IPV6]:PORT" into host (brackets removed) and port.
 * The port must be decimal 0..65535: getaddrinfo would quietly wrap 99999.
 */
int net_split(const char *text, char *host, size_t hostlen, char *port,
	      size_t portlen, struct net_err *err);

/*
 * Resolve text (as net_split takes it) with getaddrinfo. passive != 0 asks
 * for addresses to bind to. On success *res must be freed with freeaddrinfo.
 * A host name that does not resolve is NET_EUSAGE; a resolver failure that
 * may pass (EAI_AGAIN, EAI_SYSTEM) is NET_ESYS.
 */
struct addrinfo;
int net_resolve(const char *text, int passive, struct addrinfo **res,
		struct net_err *err);

/*
 * A listening TCP socket for text, with SO_REUSEADDR (so a restarted server
 * binds a port still in TIME_WAIT) and, for IPv6, IPV6_V6ONLY on (so "[::]"
 * means IPv6 only on every system, whatever its default). Returns the
 * descriptor, or NET_EUSAGE / NET_ESYS.
 */
int net_listen(const char *text, int flags, struct net_err *err);

/* A TCP socket connected to text. With NET_NONBLOCK the connect may still
 * be in progress when this returns (wait for write-readiness). */
int net_connect(const char *text, int flags, struct net_err *err);

/* "1.2.3.4:80" or "[::1]:80" into buf (at least NET_ADDRSTRLEN bytes). */
int net_format(const struct sockaddr *sa, socklen_t len, char *buf,
	       size_t buflen);

/* The local (getsockname) or remote (getpeername) end of fd, formatted. */
int net_local_name(int fd, char *buf, size_t buflen);
int net_peer_name(int fd, char *buf, size_t buflen);

/*
 * Write all len bytes to a blocking descriptor, calling write again for
 * what a call did not take (a signal, a socket with a time limit) and
 * after EINTR. Returns 0, or -1 with errno set by the failing write.
 * Lab 1's server writes this loop by hand; everything else uses this one.
 */
int net_write_all(int fd, const void *buf, size_t len);

/* Print "listening on ADDRESS:PORT" with the real port, then flush: the
 * grader waits for this line. Returns 0, or -1 with errno set. */
int net_print_listening(int fd, FILE *out);

#endif
