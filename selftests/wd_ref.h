/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference implementations the data-op tests check the device against,
 * written here from the definitions in the uAPI header, independent of
 * the kernel's code.
 */
#ifndef WD_REF_H
#define WD_REF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * CRC32C, Castagnoli polynomial 0x1EDC6F41 reflected (0x82F63B78), one bit
 * at a time, from @crc with no inversion: the uAPI's definition. Slow and
 * obviously right; a table makes it fast enough for 16 MiB.
 */
static inline uint32_t ref_crc32c_bitwise(uint32_t crc, const void *buf,
					  size_t len)
{
	const uint8_t *p = buf;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78U & -(crc & 1));
	}
	return crc;
}

static inline uint32_t ref_crc32c(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;

	if (!table[1]) {
		unsigned int i;

		for (i = 0; i < 256; i++) {
			uint8_t b = i;

			table[i] = ref_crc32c_bitwise(0, &b, 1);
		}
	}
	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
	return crc;
}

/* Byte i of an endless FILL with @pattern. */
static inline uint8_t ref_pattern_byte(uint64_t pattern, size_t i)
{
	return ((const uint8_t *)&pattern)[i % 8];
}

/* @len bytes of an endless FILL with @pattern, by doubling memcpy. */
static inline void ref_pattern_fill(void *buf, size_t len, uint64_t pattern)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len && i < 8; i++)
		p[i] = ref_pattern_byte(pattern, i);
	for (; i < len; i *= 2)
		memcpy(p + i, p, i < len - i ? i : len - i);
}

/* A deterministic, cheap byte stream for test data. */
static inline void ref_random_fill(void *buf, size_t len, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x >> 24;
	}
}

/* Hex digits (a standard's test vector) into bytes; returns how many. */
static inline size_t ref_unhex(const char *hex, uint8_t *out)
{
	unsigned int v;
	size_t n = 0;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
		out[n++] = v;
		hex += 2;
	}
	return n;
}

#endif /* WD_REF_H */
