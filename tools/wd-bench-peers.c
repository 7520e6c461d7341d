// SPDX-License-Identifier: GPL-2.0
/*
 * wd-bench's peers: what a user would pick instead of WarpDrive, measured
 * at the same sizes and queue depths.
 *
 *  - a worker pool: N pthreads take jobs from a queue (a mutex and a
 *    condition variable), do them with the same memcpy, SSE4.2 CRC32C and
 *    zlib as the CPU rows, and post each completion to the submitter's
 *    io_uring ring with IORING_OP_MSG_RING (from a small ring of their own,
 *    its own CQE skipped): how an async server keeps CPU work off its
 *    event loop without WarpDrive. The submitter reaps exactly as it does
 *    WarpDrive's completions, from a DEFER_TASKRUN ring, half its queue
 *    per wait;
 *  - AF_ALG's "crc32c" hash: the kernel's CRC32C, one send and one read
 *    per op, as its users run it;
 *  - soft0 with as many engine threads as the pool has workers, and the
 *    submitting thread doing the op itself.
 * Each run reports throughput, the submitting thread's CPU per op, and the
 * p50/p99 from queueing an op to reaping its completion. peer_run() also
 * serves the deterministic mode (wd-bench-count.c), which runs a fixed
 * number of ops between its counting markers.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_alg.h>
#include <sys/socket.h>
#include <liburing.h>
#include <liburing-accel.h>
#include <zlib.h>
#include "wd-tool.h"
#include "wd-bench.h"

#define PEER_QD_MAX	64

const char *const peer_names[] = {
	[PEER_SOFT0]	= "soft0",
	[PEER_POOL]	= "worker pool",
	[PEER_AFALG]	= "AF_ALG",
	[PEER_CPU]	= "this thread",
};

const char *const peer_keys[] = {
	[PEER_SOFT0]	= "soft0",
	[PEER_POOL]	= "pool",
	[PEER_AFALG]	= "af_alg",
	[PEER_CPU]	= "cpu",
};

/* ---- the worker pool -------------------------------------------------- */

struct job {
	enum op op;
	unsigned int size;
	unsigned int slot;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job q[PEER_QD_MAX];
	unsigned int head, tail;	/* q[head % MAX] is the next to run */
	int stop;
	int ring_fd;			/* the submitter's ring */
	int nr;
	pthread_t th[POOL_MAX];
};

/* What the last op on each slot gave: a CRC, or a compressed length. */
static uint32_t slot_value[PEER_QD_MAX];

int bench_op(z_stream *z, enum op op, unsigned int size, unsigned int slot)
{
	uint8_t *s = src + (size_t)slot * size;
	uint8_t *d = dst + (size_t)slot * COMP_ROOM(size);

	switch (op) {
	case OP_COPY:
		memcpy(d, s, size);
		return size;
	case OP_CRC:
		/* the CRC32C check value: seeded and finished with ~0 */
		slot_value[slot] = ~crc32c_sse42(~0u, s, size);
		return size;
	default:
		if (cpu_compress_with(z, d, s, size))
			return -EIO;
		slot_value[slot] = COMP_ROOM(size) - z->avail_out;
		return slot_value[slot];
	}
}

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	struct io_uring ring;
	z_stream z = {};
	int ret;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		die("worker ring", ret);
	if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib", EINVAL);
	for (;;) {
		struct io_uring_sqe *sqe;
		struct job j;
		int res;

		pthread_mutex_lock(&p->lock);
		while (p->head == p->tail && !p->stop)
			pthread_cond_wait(&p->more, &p->lock);
		if (p->head == p->tail) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		j = p->q[p->head++ % PEER_QD_MAX];
		pthread_mutex_unlock(&p->lock);

		res = bench_op(&z, j.op, j.size, j.slot);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_msg_ring(sqe, p->ring_fd, res, j.slot, 0);
		/* only a failure posts a CQE here, so this ring never fills */
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
		ret = io_uring_submit(&ring);
		if (ret != 1)
			die("MSG_RING", ret < 0 ? ret : EIO);
		if (io_uring_cq_ready(&ring))
			die("MSG_RING failed", EIO);
	}
	deflateEnd(&z);
	io_uring_queue_exit(&ring);
	return NULL;
}

static void pool_start(struct pool *p, int nr, int ring_fd)
{
	int i, ret;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	p->ring_fd = ring_fd;
	p->nr = nr;
	for (i = 0; i < nr; i++) {
		ret = pthread_create(&p->th[i], NULL, pool_worker, p);
		if (ret)
			die("pthread_create", ret);
		pthread_setname_np(p->th[i], "wd-bench-pool");
	}
}

static void pool_queue(struct pool *p, enum op op, unsigned int size,
		       unsigned int slot)
{
	pthread_mutex_lock(&p->lock);
	p->q[p->tail++ % PEER_QD_MAX] = (struct job){ op, size, slot };
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
}

static void pool_stop(struct pool *p)
{
	int i;

	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nr; i++)
		pthread_join(p->th[i], NULL);
}

/* ---- AF_ALG ----------------------------------------------------------- */

/* An AF_ALG crc32c operation socket, or -errno. */
static int afalg_crc32c(void)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "hash",
		.salg_name = "crc32c",
	};
	int tfm, op;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		close(tfm);
		return -errno;
	}
	op = accept4(tfm, NULL, 0, SOCK_CLOEXEC);
	close(tfm);
	return op < 0 ? -errno : op;
}

/*
 * One hash: all of the data in one send (without MSG_MORE, that send ends
 * the hash), then the result: the CRC32C check value, little-endian.
 */
static int afalg_crc_op(int op, unsigned int size, unsigned int slot)
{
	const uint8_t *s = src + (size_t)slot * size;
	uint32_t crc;

	if (send(op, s, size, 0) != (ssize_t)size)
		return -EIO;
	if (read(op, &crc, sizeof(crc)) != sizeof(crc))
		return -EIO;
	slot_value[slot] = le32toh(crc);
	return size;
}

int peer_afalg_available(void)
{
	int op = afalg_crc32c();

	if (op < 0)
		return 0;
	close(op);
	return 1;
}

/* ---- one run ---------------------------------------------------------- */

static int cmp_ns(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void check_res(enum peer k, enum op op, unsigned int size, int res)
{
	if (res <= 0 || (op != OP_COMP && res != (int)size)) {
		fprintf(stderr, "wd-bench: %s %s %u: result %d\n",
			peer_names[k], op_names[op], size, res);
		die("peer", res < 0 ? res : EIO);
	}
}

/*
 * What slot 0 holds after a run must be what the op should give: the
 * copy, the CRC (where the peer reports it: the pool, AF_ALG, this
 * thread), the gzip stream inflating back to the source.
 */
static void verify(enum peer k, enum op op, unsigned int size, int res0)
{
	const uint8_t *s = src, *d = dst;
	static uint8_t *back;
	int ok = 1;

	if (op == OP_COPY) {
		ok = !memcmp(d, s, size);
	} else if (op == OP_CRC) {
		if (k != PEER_SOFT0)
			ok = slot_value[0] == ~crc32c_sse42(~0u, s, size);
	} else {
		z_stream z = {};

		if (!back)
			back = malloc(1u << 20);
		if (!back || inflateInit2(&z, 31) != Z_OK)
			die("zlib", ENOMEM);
		z.next_in = (uint8_t *)d;
		z.avail_in = res0;
		z.next_out = back;
		z.avail_out = size;
		ok = inflate(&z, Z_FINISH) == Z_STREAM_END &&
		     z.total_out == size && !memcmp(back, s, size);
		inflateEnd(&z);
	}
	if (!ok) {
		fprintf(stderr, "wd-bench: %s %s %u: wrong result\n",
			peer_names[k], op_names[op], size);
		die("peer", EIO);
	}
}

/* Latencies of a run: p50 and p99 into @r. */
static void percentiles(struct peer_result *r, double *lat, unsigned long n)
{
	if (!n)
		return;
	qsort(lat, n, sizeof(lat[0]), cmp_ns);
	r->p50_us = lat[n / 2] * 1e6;
	r->p99_us = lat[n * 99 / 100] * 1e6;
}

#define LAT_MAX	(1 << 16)

/*
 * @ops of @op on @size bytes through @k, @qd in flight, @threads of work
 * (@ops 0: for secs of wall clock). @window, if set (the deterministic
 * mode), is called with 1 once everything is set up and warm and nothing
 * is in flight, and with 0 when the last of exactly @ops is reaped; then
 * nothing is timed, so that the window holds only the ops.
 */
struct peer_result peer_run(enum peer k, enum op op, unsigned int size,
			    unsigned int qd, int threads, unsigned long ops,
			    void (*window)(int open))
{
	static double lat[LAT_MAX];
	double queued[PEER_QD_MAX], t0 = 0, c0 = 0, t = 0;
	struct peer_result r = {};
	unsigned long nlat = 0;
	struct io_uring ring;
	struct pool pool;
	z_stream z = {};
	int afd = -1, timed = !window, round, res0 = 0;

	if (qd > PEER_QD_MAX)
		qd = PEER_QD_MAX;
	if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib", EINVAL);
	if (k == PEER_AFALG) {
		afd = afalg_crc32c();
		if (afd < 0)
			die("AF_ALG crc32c", afd);
	}
	if (k == PEER_POOL || k == PEER_SOFT0)
		ring_init(&ring, 2 * PEER_QD_MAX, IORING_SETUP_SINGLE_ISSUER |
						  IORING_SETUP_DEFER_TASKRUN);
	if (k == PEER_POOL)
		pool_start(&pool, threads, ring.ring_fd);

	/* round 0 warms up (2 x qd ops), round 1 is measured */
	for (round = 0; round < 2; round++) {
		unsigned long want = round ? ops : 2 * qd, done = 0, sent = 0;
		unsigned int i, inflight = 0;

		if (round) {
			if (window)
				window(1);
			if (timed) {
				t0 = wd_now();
				c0 = thread_cpu();
			}
		}
		if (k == PEER_AFALG || k == PEER_CPU) {
			/* one at a time, on this thread */
			do {
				double q = timed ? wd_now() : 0;
				unsigned int slot = done % qd;
				int res = k == PEER_AFALG ?
					  afalg_crc_op(afd, size, slot) :
					  bench_op(&z, op, size, slot);

				check_res(k, op, size, res);
				if (!slot)
					res0 = res;
				done++;
				if (timed) {
					t = wd_now();
					if (round)
						lat[nlat++ % LAT_MAX] = t - q;
				}
			} while (want ? done < want : t - t0 < secs);
		} else {
			for (i = 0; i < qd; i++) {
				if (k == PEER_POOL)
					pool_queue(&pool, op, size, i);
				else
					prep_op(io_uring_get_sqe(&ring), op, size, i);
				if (timed)
					queued[i] = wd_now();
			}
			inflight = sent = qd;
			while (inflight) {
				struct io_uring_cqe *cqe;
				unsigned int head, got = 0;
				int stop = want ? sent >= want :
					   timed && wd_now() - t0 >= secs;
				int ret = io_uring_submit_and_wait(&ring,
						stop ? inflight : (inflight + 1) / 2);

				if (ret < 0)
					die("submit", ret);
				if (timed)
					t = wd_now();
				io_uring_for_each_cqe(&ring, head, cqe) {
					unsigned int slot = cqe->user_data;

					check_res(k, op, size, cqe->res);
					if (!slot)
						res0 = cqe->res;
					got++;
					inflight--;
					done++;
					if (timed && round)
						lat[nlat++ % LAT_MAX] = t - queued[slot];
					if (want ? sent >= want : stop)
						continue;
					if (k == PEER_POOL)
						pool_queue(&pool, op, size, slot);
					else
						prep_op(io_uring_get_sqe(&ring),
							op, size, slot);
					if (timed)
						queued[slot] = wd_now();
					inflight++;
					sent++;
				}
				io_uring_cq_advance(&ring, got);
			}
		}
		if (round) {
			if (timed) {
				t = wd_now();
				r.cpu_ns = (thread_cpu() - c0) * 1e9 / done;
				r.secs = t - t0;
				r.mbps = (double)size * done / r.secs / 1e6;
			}
			if (window)
				window(0);
			r.ops = done;
		}
	}
	if (k == PEER_POOL)
		pool_stop(&pool);
	if (k == PEER_POOL || k == PEER_SOFT0)
		io_uring_queue_exit(&ring);
	if (afd >= 0)
		close(afd);
	deflateEnd(&z);
	verify(k, op, size, res0);
	percentiles(&r, lat, nlat < LAT_MAX ? nlat : LAT_MAX);
	return r;
}

/* ---- the section ------------------------------------------------------ */

const unsigned int peer_sizes[NPSIZE] = { 4096, 65536, 1u << 20 };

struct peer_result peer_res[OP_END][NPSIZE][POOL_MAX][PEER_END];
int peer_threads;

void bench_peers(FILE *dat)
{
	long long was = wd_sysfs_num(dev, "engines");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int afalg = peer_afalg_available();
	int o, s, k, n, tr;

	peer_threads = cpus > POOL_MAX ? POOL_MAX : cpus;
	printf("\n8. Peers at queue depth %d: soft0 with N engine threads against a pool of N\n"
	       "   pthreads posting to the same DEFER_TASKRUN ring (IORING_OP_MSG_RING), AF_ALG\n"
	       "   (crc32c, one op at a time) and this thread. MB/s, this thread's CPU us per op,\n"
	       "   p50/p99 us from queueing to reaping; best of %d interleaved rounds\n",
	       PEER_QD, 3);
	printf("%-9s %8s %2s %-12s %9s %9s %9s %9s\n", "op", "size", "N",
	       "peer", "MB/s", "CPU us", "p50 us", "p99 us");
	for (o = 0; o < OP_END; o++)
		for (s = 0; s < NPSIZE; s++)
			for (n = 1; n <= peer_threads; n++) {
				struct peer_result best[PEER_END] = {};

				if (was >= 0 && sysfs_set(dev, "engines", n))
					die("engines", errno);
				for (tr = 0; tr < 3; tr++)
					for (k = 0; k < PEER_END; k++) {
						struct peer_result r;

						if (k == PEER_AFALG &&
						    (o != OP_CRC || !afalg))
							continue;
						if (n > 1 && (k == PEER_AFALG || k == PEER_CPU))
							continue;
						r = peer_run(k, o, peer_sizes[s],
							     PEER_QD, n, 0, NULL);
						if (r.mbps > best[k].mbps) {
							best[k].mbps = r.mbps;
							best[k].p50_us = r.p50_us;
							best[k].p99_us = r.p99_us;
						}
						if (!best[k].cpu_ns ||
						    r.cpu_ns < best[k].cpu_ns)
							best[k].cpu_ns = r.cpu_ns;
					}
				for (k = 0; k < PEER_END; k++) {
					if (!best[k].mbps)
						continue;
					printf("%-9s %8u %2d %-12s %9.1f %9.1f %9.0f %9.0f\n",
					       op_names[o], peer_sizes[s], n,
					       peer_names[k], best[k].mbps,
					       best[k].cpu_ns / 1e3, best[k].p50_us,
					       best[k].p99_us);
					record("peers", "\"op\": \"%s\", \"size\": %u, "
					       "\"threads\": %d, \"peer\": \"%s\", "
					       "\"mb_per_s\": %.2f, "
					       "\"submitter_cpu_ns_per_op\": %.0f, "
					       "\"p50_us\": %.1f, \"p99_us\": %.1f",
					       op_keys[o], peer_sizes[s], n,
					       peer_keys[k], best[k].mbps,
					       best[k].cpu_ns, best[k].p50_us,
					       best[k].p99_us);
					peer_res[o][s][n - 1][k] = best[k];
				}
				fflush(stdout);
			}
	if (was >= 0)
		sysfs_set(dev, "engines", was);
	if (dat) {
		/* one chart panel per op: MB/s by size, each peer a line */
		fprintf(dat, "# size MB/s: soft0 pool af_alg cpu, for copy, crc32c, compress\n");
		for (s = 0; s < NPSIZE; s++) {
			fprintf(dat, "%u", peer_sizes[s]);
			for (o = 0; o < OP_END; o++)
				for (k = 0; k < PEER_END; k++)
					fprintf(dat, " %.2f",
						peer_res[o][s][0][k].mbps);
			fprintf(dat, "\n");
		}
		fprintf(dat, "\n\n");
	}
}
