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

static int do_op(z_stream *z, enum op op, unsigned int size, unsigned int slot)
{
	uint8_t *s = src + (size_t)slot * size;
	uint8_t *d = dst + (size_t)slot * COMP_ROOM(size);
	static volatile uint32_t sink;

	switch (op) {
	case OP_COPY:
		memcpy(d, s, size);
		break;
	case OP_CRC:
		sink = sink + crc32c_sse42(0, s, size);
		break;
	default:
		/* NULL: this thread's stream */
		if (z ? cpu_compress_with(z, d, s, size) :
			cpu_compress(d, s, size))
			return -EIO;
		break;
	}
	return size;
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

		res = do_op(&z, j.op, j.size, j.slot);
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

static int afalg_crc_op(int op, unsigned int size, unsigned int slot)
{
	const uint8_t *s = src + (size_t)slot * size;
	unsigned int done = 0;
	uint32_t crc;

	while (done < size) {
		ssize_t n = send(op, s + done, size - done,
				 done + (size - done) < size ? MSG_MORE : 0);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return read(op, &crc, sizeof(crc)) == sizeof(crc) ? (int)size : -EIO;
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

/* How many ops end the run: @ops if set, else @secs of wall clock. */
static int run_over(unsigned long done, unsigned long ops, double t0)
{
	return ops ? done >= ops : wd_now() - t0 >= secs;
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
 * @ops of @op on @size bytes through @k with @qd in flight (@ops 0: for
 * secs); @window, if set, is called with 1 once everything is set up and
 * warmed, and with 0 when the last op is reaped.
 */
struct peer_result peer_run(enum peer k, enum op op, unsigned int size,
			    unsigned int qd, int threads, unsigned long ops,
			    void (*window)(int open))
{
	static double lat[1 << 16];
	double queued[PEER_QD_MAX], t0, c0, t;
	struct peer_result r = {};
	unsigned long done = 0, nlat = 0;
	unsigned int i, inflight = 0;
	struct io_uring ring;
	struct pool pool;
	int afd = -1, stop = 0, warm = 2 * qd;

	if (qd > PEER_QD_MAX)
		qd = PEER_QD_MAX;
	if (k == PEER_AFALG || k == PEER_CPU) {
		/* one at a time on this thread */
		if (k == PEER_AFALG) {
			afd = afalg_crc32c();
			if (afd < 0)
				die("AF_ALG crc32c", afd);
		}
		for (i = 0; i < (unsigned int)warm; i++)
			check_res(k, op, size, k == PEER_AFALG ?
				  afalg_crc_op(afd, size, 0) :
				  do_op(NULL, op, size, 0));
		if (window)
			window(1);
		t0 = wd_now();
		c0 = thread_cpu();
		do {
			double q = wd_now();
			int res = k == PEER_AFALG ?
				  afalg_crc_op(afd, size, done % qd) :
				  do_op(NULL, op, size, done % qd);

			check_res(k, op, size, res);
			t = wd_now();
			lat[nlat++ % (1 << 16)] = t - q;
			done++;
		} while (!run_over(done, ops, t0));
		if (window)
			window(0);
		goto out;
	}

	ring_init(&ring, 2 * PEER_QD_MAX, IORING_SETUP_SINGLE_ISSUER |
					  IORING_SETUP_DEFER_TASKRUN);
	if (k == PEER_POOL)
		pool_start(&pool, threads, ring.ring_fd);
	t0 = c0 = 0;
	for (i = 0; i < qd; i++) {
		if (k == PEER_POOL)
			pool_queue(&pool, op, size, i);
		else
			prep_op(io_uring_get_sqe(&ring), op, size, i);
		queued[i] = wd_now();
	}
	inflight = qd;
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, got = 0;
		int ret = io_uring_submit_and_wait(&ring, stop ? inflight :
						   (inflight + 1) / 2);

		if (ret < 0)
			die("submit", ret);
		t = wd_now();
		io_uring_for_each_cqe(&ring, head, cqe) {
			unsigned int slot = cqe->user_data;

			check_res(k, op, size, cqe->res);
			got++;
			inflight--;
			if (warm) {
				warm--;
			} else {
				done++;
				lat[nlat++ % (1 << 16)] = t - queued[slot];
			}
			if (!stop && !warm && !t0) {
				/* warmed up: the measurement starts here */
				if (window)
					window(1);
				t0 = wd_now();
				c0 = thread_cpu();
			}
			if (!stop) {
				if (k == PEER_POOL)
					pool_queue(&pool, op, size, slot);
				else
					prep_op(io_uring_get_sqe(&ring), op,
						size, slot);
				queued[slot] = wd_now();
				inflight++;
			}
		}
		io_uring_cq_advance(&ring, got);
		if (t0 && run_over(done + inflight, ops, t0))
			stop = 1;
		if (stop && !inflight)
			break;
	}
	t = wd_now();
	if (window)
		window(0);
	if (k == PEER_POOL)
		pool_stop(&pool);
	io_uring_queue_exit(&ring);
out:
	r.cpu_ns = (thread_cpu() - c0) * 1e9 / done;
	r.secs = t - t0;
	r.ops = done;
	r.mbps = (double)size * done / (t - t0) / 1e6;
	if (afd >= 0)
		close(afd);
	if (nlat > (1 << 16))
		nlat = 1 << 16;
	qsort(lat, nlat, sizeof(lat[0]), cmp_ns);
	r.p50_us = lat[nlat / 2] * 1e6;
	r.p99_us = lat[nlat * 99 / 100] * 1e6;
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
