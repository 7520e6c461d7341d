/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What wd-bench's parts share: wd-bench.c (the wall-clock sections and
 * main), wd-bench-peers.c (the alternatives a user would pick: a worker
 * pool feeding the same ring, AF_ALG) and wd-bench-count.c (the
 * deterministic mode: instructions, system calls and wake-ups per op).
 */
#ifndef WD_BENCH_H
#define WD_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <liburing.h>

#define DESCS		64	/* descriptors per batch SQE */

extern double secs;		/* seconds per wall-clock measurement */
extern const char *dev;		/* the device measured (soft0) */
extern int dfd, nullfd;		/* registered as fixed files 0 and 1 */
extern uint8_t *src, *dst;	/* 32 MiB of text, 64 MiB to write to */

double thread_cpu(void);
void record(const char *section, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sysfs_set(const char *d, const char *attr, long long v);
void die(const char *what, int err) __attribute__((noreturn));
void ring_init(struct io_uring *ring, unsigned int entries, unsigned int flags);
int submit_reap(struct io_uring *ring, unsigned int n, int want);

/* the ring paths of section 1 */
enum path {
	P_NOP, P_NULL, P_WD_INLINE, P_WD_ENGINE, P_WD_DEFER, P_WD_IOPOLL,
	P_END
};
extern const char *const path_names[], *const path_keys[];
unsigned int path_ring_flags(enum path p);
void prep_path(struct io_uring_sqe *sqe, enum path p);

/* the 64-byte COPY paths of section 2 (and D2) */
enum copy_path { CP_SQE, CP_BATCH, CP_IOCTL, CP_NOP_BATCH, CP_END };
extern const char *const copy64_names[], *const copy64_keys[];

/* the data ops of sections 3-5 and of the peers */
enum op { OP_COPY, OP_CRC, OP_COMP, OP_END };
extern const char *const op_names[], *const op_keys[];
/* room for a compressed @size: the worst case of deflate plus gzip framing */
#define COMP_ROOM(size)	((size) + (size) / 8 + 1024)
void prep_op(struct io_uring_sqe *sqe, enum op op, unsigned int size,
	     unsigned int slot);
/* @len bytes of English-like text, the same every time */
void fill_text(uint8_t *p, size_t len);
uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t len);
/* gzip level 1 of @len bytes into COMP_ROOM(@len) at @d with @zs; 0 or -1 */
struct z_stream_s;
int cpu_compress_with(struct z_stream_s *zs, uint8_t *d, const uint8_t *s,
		      unsigned int len);
/*
 * @op on slot @slot's buffers (src and dst, @size apart) on this thread,
 * COMPRESS with @zs: what the CPU rows and the peers run. Returns the
 * CQE's res the op would have: @size (COMPRESS: the stream's length), or
 * -EIO.
 */
int bench_op(struct z_stream_s *zs, enum op op, unsigned int size,
	     unsigned int slot);

/* wd-bench-peers.c */
enum peer { PEER_SOFT0, PEER_POOL, PEER_AFALG, PEER_CPU, PEER_END };
extern const char *const peer_names[], *const peer_keys[];
struct peer_result {
	double mbps;
	double cpu_ns;		/* the submitting thread's CPU per op */
	double p50_us, p99_us;	/* from queueing an op to reaping it */
	double secs;
	unsigned long ops;
};
#define POOL_MAX	8	/* pool threads, soft0 engines */
#define NPSIZE		3	/* 4 KiB, 64 KiB, 1 MiB */
#define PEER_QD		8
extern const unsigned int peer_sizes[NPSIZE];
/* [op][size][threads - 1][peer], wall clock, best of 3 */
extern struct peer_result peer_res[OP_END][NPSIZE][POOL_MAX][PEER_END];
extern int peer_threads;	/* the most threads compared */
int peer_afalg_available(void);
struct peer_result peer_run(enum peer k, enum op op, unsigned int size,
			    unsigned int qd, int threads, unsigned long ops,
			    void (*window)(int open));
void bench_peers(FILE *dat);

/* wd-bench-count.c: the deterministic mode, with the plugin's serial port */
int bench_count(const char *tty);
/* ... and its self-check: TAP lines, non-zero if the counts are wrong */
int bench_count_check(const char *tty);

#endif
