/*
 * net.c - addresses and sockets. See net.h for the contract.
 */
#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(struct net_err *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return status;
}

static int copy_part(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (n >= dstlen)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int net_split(const char *text, char *host, size_t hostlen, char *port,
	      size_t portlen, struct net_err *err)
{
	const char *colon, *hstart, *hend;

	if (text == NULL || *text == '\0')
		return fail(err, NET_EUSAGE, "empty address");
	if (text[0] == '[') {
		hstart = text + 1;
		hend = strchr(hstart, ']');
		if (hend == NULL || hend[1] != ':')
			return fail(err, NET_EUSAGE,
				    "'%s': expected [IPV6]:PORT", text);
		colon = hend + 1;
	} else {
		hstart = text;
		colon = strrchr(text, ':');
		if (colon == NULL)
			return fail(err, NET_EUSAGE,
				    "'%s': expected HOST:PORT", text);
		/* "::1:80" is ambiguous; IPv6 needs brackets. */
		if (memchr(text, ':', (size_t)(colon - text)) != NULL)
			return fail(err, NET_EUSAGE,
				    "'%s': write IPv6 addresses as [ADDR]:PORT",
				    text);
		hend = colon;
	}
	if (hend == hstart)
		return fail(err, NET_EUSAGE, "'%s': missing host", text);

	const char *p = colon + 1;
	size_t digits = strspn(p, "0123456789");
	if (digits == 0 || p[digits] != '\0' || digits > 5 ||
	    strtol(p, NULL, 10) > 65535)
		return fail(err, NET_EUSAGE,
			    "'%s': port must be a number from 0 to 65535",
			    text);

	if (copy_part(host, hostlen, hstart, (size_t)(hend - hstart)) < 0 ||
	    copy_part(port, portlen, p, digits) < 0)
		return fail(err, NET_EUSAGE, "'%s': address too long", text);
	return NET_OK;
}

int net_resolve(const char *text, int passive, struct addrinfo **res,
		struct net_err *err)
{
	char host[NI_MAXHOST], port[8];
	struct addrinfo hints;
	int rc;

	rc = net_split(text, host, sizeof host, port, sizeof port, err);
	if (rc != NET_OK)
		return rc;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc == 0)
		return NET_OK;
	if (rc == EAI_AGAIN || rc == EAI_SYSTEM || rc == EAI_MEMORY)
		return fail(err, NET_ESYS, "'%s': %s", text,
			    rc == EAI_SYSTEM ? strerror(errno)
					     : gai_strerror(rc));
	return fail(err, NET_EUSAGE, "'%s': %s", text, gai_strerror(rc));
}

/* Try each resolved address in turn; the first socket that opens wins. */
static int open_first(const char *text, int passive, int flags,
		      struct net_err *err)
{
	struct addrinfo *list, *ai;
	int fd = -1, saved = 0, rc;
	const char *what = "socket";

	rc = net_resolve(text, passive, &list, err);
	if (rc != NET_OK)
		return rc;
	for (ai = list; ai != NULL; ai = ai->ai_next) {
		int type = ai->ai_socktype | SOCK_CLOEXEC;
		if (flags & NET_NONBLOCK)
			type |= SOCK_NONBLOCK;
		fd = socket(ai->ai_family, type, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			what = "socket";
			continue;
		}
		if (passive) {
			int on = 1;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
			if (ai->ai_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
					   sizeof on);
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
			    listen(fd, SOMAXCONN) == 0)
				break;
			what = "bind";
		} else {
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
			    ((flags & NET_NONBLOCK) && errno == EINPROGRESS))
				break;
			what = "connect";
		}
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(list);
	if (fd < 0) {
		errno = saved;
		return fail(err, NET_ESYS, "%s %s: %s", what, text,
			    strerror(saved));
	}
	return fd;
}

int net_listen(const char *text, int flags, struct net_err *err)
{
	return open_first(text, 1, flags, err);
}

int net_connect(const char *text, int flags, struct net_err *err)
{
	return open_first(text, 0, flags, err);
}

int net_format(const struct sockaddr *sa, socklen_t len, char *buf,
	       size_t buflen)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];
	int rc, n;

	rc = getnameinfo(sa, len, host, sizeof host, port, sizeof port,
			 NI_NUMERICHOST | NI_NUMERICSERV);
	if (rc != 0)
		n = snprintf(buf, buflen, "?");
	else if (sa->sa_family == AF_INET6)
		n = snprintf(buf, buflen, "[%s]:%s", host, port);
	else
		n = snprintf(buf, buflen, "%s:%s", host, port);
	return (rc != 0 || n < 0 || (size_t)n >= buflen) ? -1 : 0;
}

static int format_end(int fd, int peer, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		      : getsockname(fd, (struct sockaddr *)&ss, &len);

	if (rc < 0) {
		snprintf(buf, buflen, "?");
		return -1;
	}
	return net_format((struct sockaddr *)&ss, len, buf, buflen);
}

int net_local_name(int fd, char *buf, size_t buflen)
{
	return format_end(fd, 0, buf, buflen);
}

int net_peer_name(int fd, char *buf, size_t buflen)
{
	return format_end(fd, 1, buf, buflen);
}

int net_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int net_print_listening(int fd, FILE *out)
{
	char name[NET_ADDRSTRLEN];

	if (net_local_name(fd, name, sizeof name) < 0)
		return -1;
	if (fprintf(out, "listening on %s\n", name) < 0 || fflush(out) != 0)
		return -1;
	return 0;
}
