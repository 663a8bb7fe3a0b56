/*
 * pattern.h - the bytes clients send, from a seed and an offset, and
 * fresh loopback addresses to send them from.
 */
#ifndef SERVERLAB_PATTERN_H
#define SERVERLAB_PATTERN_H

#include <stddef.h>
#include <stdint.h>

enum pattern { PAT_RANDOM, PAT_ALLBYTES, PAT_TEXT };

/* n bytes of a pattern, from offset from on. */
void pattern_fill(enum pattern p, uint32_t seed, uint64_t from, uint8_t *buf,
		  size_t n);
/* A loopback address (in 127/8) that this run alone uses, for flows whose
 * fate must not depend on what the kernel remembers of a peer: Linux
 * caches TCP metrics (cwnd, reordering) per address, and those size the
 * server's buffers. A fresh one on each call. */
uint32_t fresh_loopback(void);

#endif
