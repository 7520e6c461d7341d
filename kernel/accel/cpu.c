// SPDX-License-Identifier: GPL-2.0
/*
 * CPU-side execution of WarpDrive ops in the current address space: what
 * the software engine's threads run after adopting the submitter's mm, and
 * what inline execution runs in the submitter itself.
 *
 * User memory is only ever touched through the uaccess helpers, so a page
 * that is not present is faulted in as a PRI-capable device's access would
 * be, and an unmapped or read-only page ends the request with -EFAULT.
 * Data moves through the caller's bounce buffer in chunks; each chunk is
 * written out before the next is read, so on a fault every destination
 * byte before the reported point is written and none after it. An
 * executor with a thread of its own (in_place) reads the source of a
 * CRC32C, and of a COPY whose operands lie apart, where it lies: its
 * pages are looked up and mapped, and such a COPY is written from there
 * in one pass, with the same guarantee.
 */
#include <linux/crc32.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include "wd_internal.h"

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>

/*
 * The SSE4.2 crc32 instruction computes exactly this CRC (Castagnoli,
 * reflected, no inversion) on general registers: no FPU state to save, so
 * it is usable anywhere in the kernel.
 */
static u32 wd_crc32c_sse42(u32 crc, const u8 *p, size_t len)
{
	u64 crc64 = crc;

	for (; len >= 8; len -= 8, p += 8)
		asm("crc32q %1, %0" : "+r" (crc64) : "rm" (get_unaligned((const u64 *)p)));
	crc = crc64;
	for (; len; len--, p++)
		asm("crc32b %1, %0" : "+r" (crc) : "rm" (*p));
	return crc;
}

static u32 wd_crc32c(u32 crc, const void *p, size_t len)
{
	if (boot_cpu_has(X86_FEATURE_XMM4_2))
		return wd_crc32c_sse42(crc, p, len);
	return wd_crc32c_lib(crc, p, len);
}
#else
static u32 wd_crc32c(u32 crc, const void *p, size_t len)
{
	return wd_crc32c_lib(crc, p, len);
}
#endif

/*
 * Read @n bytes at @uaddr into @buf. Returns the bytes read; fewer than
 * @n means a fault at that point.
 */
/*
 * Up to this many bytes, a user copy is done a word at a time: a string
 * copy's start-up cost dominates at these sizes (and under emulation it is
 * slow at any size). A fault finishes with the byte-exact copy.
 */
#define WD_SMALL_COPY	256
/* Pages looked up at a time by the in-place readers. */
#define WD_CPU_IN_PLACE_PAGES	16

static size_t wd_read_words(void *buf, u64 uaddr, size_t n)
{
	const u64 __user *src = u64_to_user_ptr(uaddr);
	size_t i, words = n / sizeof(u64);
	u64 *dst = buf;

	if (!user_read_access_begin(src, words * sizeof(u64)))
		return 0;
	for (i = 0; i < words; i++) {
		u64 v;

		unsafe_get_user(v, &src[i], out);
		put_unaligned(v, &dst[i]);
	}
out:
	user_read_access_end();
	return i * sizeof(u64);
}

static size_t wd_write_words(u64 uaddr, const void *buf, size_t n)
{
	u64 __user *dst = u64_to_user_ptr(uaddr);
	size_t i, words = n / sizeof(u64);
	const u64 *src = buf;

	if (!user_write_access_begin(dst, words * sizeof(u64)))
		return 0;
	for (i = 0; i < words; i++)
		unsafe_put_user(get_unaligned(&src[i]), &dst[i], out);
out:
	user_write_access_end();
	return i * sizeof(u64);
}

/* Words at any address: only where unaligned loads cost nothing extra. */
static bool wd_small_copy(size_t n)
{
	return IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) &&
	       n <= WD_SMALL_COPY;
}

/*
 * A user access came up short at @uaddr. Where faults are trapped (an
 * engine, see wd_cpu_job_run()) the first such point is what the
 * submitter is asked to fault in.
 */
static void wd_cpu_fault_at(struct wd_cpu_ctx *ctx, u64 uaddr, bool write)
{
	if (ctx->fault_set)
		return;
	ctx->fault_set = true;
	ctx->fault_addr = uaddr;
	ctx->fault_write = write;
}

/*
 * The word copies leave a tail (under 8 bytes, or all from a fault on):
 * only then is the byte-exact copy worth its call.
 */
static size_t wd_read(struct wd_cpu_ctx *ctx, void *buf, u64 uaddr, size_t n)
{
	size_t done = wd_small_copy(n) ? wd_read_words(buf, uaddr, n) : 0;

	if (done < n)
		done = n - copy_from_user(buf + done,
					  u64_to_user_ptr(uaddr + done),
					  n - done);
	if (done < n)
		wd_cpu_fault_at(ctx, uaddr + done, false);
	return done;
}

static size_t wd_write(struct wd_cpu_ctx *ctx, u64 uaddr, const void *buf,
		       size_t n)
{
	size_t done = wd_small_copy(n) ? wd_write_words(uaddr, buf, n) : 0;

	if (done < n)
		done = n - copy_to_user(u64_to_user_ptr(uaddr + done),
					buf + done, n - done);
	if (done < n)
		wd_cpu_fault_at(ctx, uaddr + done, true);
	return done;
}

/* For the codecs: all of @n bytes or -EFAULT. */
int wd_cpu_copy_in(struct wd_cpu_ctx *ctx, void *buf, u64 uaddr, size_t n)
{
	return wd_read(ctx, buf, uaddr, n) == n ? 0 : -EFAULT;
}

int wd_cpu_copy_out(struct wd_cpu_ctx *ctx, u64 uaddr, const void *buf,
		    size_t n)
{
	return wd_write(ctx, uaddr, buf, n) == n ? 0 : -EFAULT;
}

/*
 * memmove: when the destination starts inside the source, copying front to
 * back would overwrite source bytes before reading them, so such a COPY
 * runs back to front (and done counts bytes from the end).
 */
static bool wd_copy_backward(const struct wd_args *a)
{
	return a->op == WD_OP_COPY && a->addr2 > a->addr &&
	       a->addr2 < a->addr + a->len;
}

/*
 * A backward chunk is written a destination page at a time from its end,
 * so that what a fault leaves written is a tail of the chunk: done (which
 * counts from the end) stays exact, and a resumed copy never reads source
 * bytes this chunk has already overwritten. Returns the bytes written.
 */
static size_t wd_write_backward(struct wd_cpu_ctx *ctx, u64 uaddr,
				const u8 *buf, size_t n)
{
	size_t left = n;

	while (left) {
		u64 start = uaddr + left - 1;
		size_t piece = min_t(size_t, left, offset_in_page(start) + 1);

		if (wd_write(ctx, uaddr + left - piece, buf + left - piece,
			     piece) < piece)
			break;
		left -= piece;
	}
	return n - left;
}

/*
 * Look up to @nr source pages from @addr (page-aligned) to read in place:
 * where faults are trapped, only pages already present.
 */
static int wd_lookup_source(struct wd_cpu_ctx *ctx, u64 addr, int nr,
			    struct page **pages)
{
	if (ctx->trap_faults)
		return get_user_pages_fast_only(addr, nr, 0, pages);
	return get_user_pages_fast(addr, nr, 0, pages);
}

/*
 * Hand @n bytes of user memory at @uaddr to @use where they lie, with no
 * copy: the pages are looked up (where faults are trapped, only those
 * already present) and mapped, a page's piece at a time. @use gets the
 * piece's offset from @uaddr and returns the bytes of it taken; less
 * ends the walk. Returns the bytes taken, which may be fewer than @n (0:
 * the first page is not there; the caller reads through its bounce
 * buffer instead, which faults it in or hands the fault back).
 */
static __always_inline size_t
wd_walk_source(struct wd_cpu_ctx *ctx, u64 uaddr, size_t n,
	       size_t (*use)(void *arg, size_t off, const void *p, size_t len),
	       void *arg)
{
	struct page *pages[WD_CPU_IN_PLACE_PAGES];
	size_t done = 0, took = 0, len = 0;

	while (done < n && took == len) {
		u64 addr = uaddr + done;
		unsigned int off = offset_in_page(addr);
		int nr = min_t(size_t, DIV_ROUND_UP(off + n - done, PAGE_SIZE),
			       ARRAY_SIZE(pages));
		int got, i;

		got = wd_lookup_source(ctx, addr & PAGE_MASK, nr, pages);
		if (got <= 0)
			break;
		for (i = 0; i < got && took == len; i++) {
			void *p = kmap_local_page(pages[i]);

			len = min_t(size_t, PAGE_SIZE - off, n - done);
			took = use(arg, done, p + off, len);
			kunmap_local(p);
			done += took;
			off = 0;
		}
		release_pages(pages, got);
		if (got < nr)
			break;
	}
	return done;
}

struct wd_copy_walk {
	struct wd_cpu_ctx	*ctx;
	u64			dst;
	bool			faulted;
};

static size_t wd_copy_piece(void *arg, size_t off, const void *p, size_t len)
{
	struct wd_copy_walk *w = arg;
	size_t put = wd_write(w->ctx, w->dst + off, p, len);

	w->faulted = put < len;
	return put;
}

/*
 * A COPY in one pass: the source's pages are mapped where they lie and
 * written straight to the destination, with no bounce buffer between.
 * Returns the bytes written; a destination fault is recorded in @r.
 */
static size_t wd_copy_in_place(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			       struct wd_result *r, size_t n)
{
	struct wd_copy_walk w = { .ctx = ctx, .dst = a->addr2 + r->done };
	size_t done;

	done = wd_walk_source(ctx, a->addr + r->done, n, wd_copy_piece, &w);
	if (w.faulted)
		r->status = -EFAULT;
	return done;
}

/*
 * Only a COPY whose operands lie apart: one that overlaps goes through
 * the bounce buffer as memmove does. COPY_CRC32C and DUALCAST promise
 * what one read of the source gives (the CRC of the bytes written, two
 * equal destinations), which reading the source once per destination,
 * as this would, cannot keep while another thread writes the source or
 * maps its pages twice: they read it into the bounce buffer once.
 */
static bool wd_copy_one_pass(const struct wd_args *a)
{
	return a->op == WD_OP_COPY &&
	       !wd_ranges_overlap(a->addr, a->addr2, a->len);
}

/*
 * One chunk of COPY, COPY_CRC32C or DUALCAST. @r->value carries the
 * running CRC for COPY_CRC32C. done counts the bytes every destination
 * has: a fault stops at the first byte not written everywhere.
 */
static void wd_copy_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			  struct wd_result *r)
{
	size_t n = min_t(size_t, a->len - r->done, ctx->bounce_size);
	bool backward = wd_copy_backward(a);
	u64 off = backward ? a->len - r->done - n : r->done;
	size_t got, put;

	if (ctx->in_place && n >= PAGE_SIZE && wd_copy_one_pass(a)) {
		got = wd_copy_in_place(ctx, a, r, n);
		r->done += got;
		if (got || r->status)
			return;	/* the next chunk goes on from there */
	}
	got = wd_read(ctx, ctx->bounce, a->addr + off, n);
	if (backward) {
		/* a partial chunk from the back is of no use */
		put = got < n ? 0 : wd_write_backward(ctx, a->addr2 + off,
						      ctx->bounce, n);
		r->done += put;
		if (put < n)
			r->status = -EFAULT;
		return;
	}
	put = wd_write(ctx, a->addr2 + off, ctx->bounce, got);
	if (a->op == WD_OP_DUALCAST)
		put = wd_write(ctx, a->arg + off, ctx->bounce, put);
	if (a->op == WD_OP_COPY_CRC32C)
		r->value = wd_crc32c(r->value, ctx->bounce, put);
	r->done += put;
	if (put < n)
		r->status = -EFAULT;
}

/* The pattern, repeated from its first byte, over @n bytes of @buf. */
static void wd_pattern_fill(void *buf, size_t n, u64 pattern)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < n && i < sizeof(pattern); i++)
		p[i] = ((u8 *)&pattern)[i];
	/* double the filled part until the buffer is full */
	for (; i < n; i *= 2)
		memcpy(p + i, p, min(i, n - i));
}

/*
 * FILL: the bounce buffer holds the pattern (see wd_cpu_step()), repeated
 * with period 8 over a size that is a multiple of 8: a chunk starting at
 * done reads it from done % 8, so the pattern never shifts, even after a
 * fault stopped the previous chunk mid-pattern.
 */
static void wd_fill_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			  struct wd_result *r)
{
	size_t phase = r->done % sizeof(u64);
	size_t n = min_t(size_t, a->len - r->done, ctx->bounce_size - phase);
	size_t put = wd_write(ctx, a->addr + r->done, ctx->bounce + phase, n);

	r->done += put;
	if (put < n)
		r->status = -EFAULT;
}

static size_t wd_first_diff(const u8 *x, const u8 *y, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			break;
	return i;
}

/*
 * COMPARE (src2 in addr2) and COMPARE_PATTERN (the pattern fills the
 * second half of the bounce buffer, read from done % 8 as FILL does).
 * Returns true once a difference is found: done and value then point at
 * it.
 */
static bool wd_compare_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			     struct wd_result *r)
{
	size_t half = ctx->bounce_size / 2;	/* a multiple of 8 */
	size_t phase = a->op == WD_OP_COMPARE_PATTERN ?
		       r->done % sizeof(u64) : 0;
	size_t n = min_t(size_t, a->len - r->done, half - phase);
	u8 *x = ctx->bounce, *y = x + half + phase;
	size_t got, same;

	got = wd_read(ctx, x, a->addr + r->done, n);
	if (a->op == WD_OP_COMPARE && got)
		got = min(got, wd_read(ctx, y, a->addr2 + r->done, got));
	same = wd_first_diff(x, y, got);
	r->done += same;
	if (same < got) {
		r->value = r->done;
		return true;
	}
	if (got < n)
		r->status = -EFAULT;
	return false;
}

static size_t wd_crc_piece(void *arg, size_t off, const void *p, size_t len)
{
	u32 *crc = arg;

	*crc = wd_crc32c(*crc, p, len);
	return len;
}

static void wd_crc_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			 struct wd_result *r)
{
	size_t n = min_t(size_t, a->len - r->done, ctx->bounce_size);
	u32 crc = r->value;
	size_t got = 0;

	if (ctx->in_place && n >= PAGE_SIZE) {
		got = wd_walk_source(ctx, a->addr + r->done, n, wd_crc_piece,
				     &crc);
		r->value = crc;
		r->done += got;
		if (got)
			return;	/* the next chunk goes on from there */
	}
	got = wd_read(ctx, ctx->bounce, a->addr + r->done, n);
	r->value = wd_crc32c(r->value, ctx->bounce, got);
	r->done += got;
	if (got < n)
		r->status = -EFAULT;
}

/*
 * Below this, chunking through the caller's small buffer beats allocating
 * a big one (a 64 KiB kmalloc costs more than a few extra chunks).
 */
#define WD_CPU_GROW_MIN		(8 * 1024)

/* A bigger bounce buffer for a long request, when the caller allows it. */
static void wd_cpu_ctx_grow(struct wd_cpu_ctx *ctx, u32 len)
{
	void *big;

	if (!ctx->may_grow || ctx->grown || len <= ctx->bounce_size ||
	    len < WD_CPU_GROW_MIN)
		return;
	/* a failure only means smaller chunks */
	big = kmalloc(WD_CPU_BOUNCE_MAX, GFP_KERNEL | __GFP_NOWARN);
	if (!big)
		return;
	ctx->bounce = big;
	ctx->bounce_size = WD_CPU_BOUNCE_MAX;
	ctx->grown = true;
}

/**
 * wd_cpu_ctx_release() - free what wd_cpu_run() allocated for @ctx
 * @ctx: an executor context with may_grow set
 */
void wd_cpu_ctx_release(struct wd_cpu_ctx *ctx)
{
	if (ctx->grown)
		kfree(ctx->bounce);
	ctx->grown = false;
}
EXPORT_SYMBOL_GPL(wd_cpu_ctx_release);

/**
 * wd_cpu_begin() - start executing one validated op
 * @a: the op (not WD_OP_BATCH)
 * @r: its progress and result, initialised here
 *
 * Then call wd_cpu_step() until it returns true. Between steps the caller
 * may run other requests with the same @ctx: each step sets up the bounce
 * buffer it needs.
 */
void wd_cpu_begin(const struct wd_args *a, struct wd_result *r)
{
	memset(r, 0, sizeof(*r));
	switch (a->op) {
	case WD_OP_NOP:
		/* an injected error is a status, anything else a count */
		if ((a->flags & WD_NOP_F_INJECT_RESULT) && (s32)a->len < 0)
			r->status = (s32)a->len;
		else if (a->flags & WD_NOP_F_INJECT_RESULT)
			r->done = a->len;
		r->value = a->arg;
		break;
	case WD_OP_CRC32C:
	case WD_OP_COPY_CRC32C:
		r->value = a->arg;	/* the running CRC starts at the seed */
		break;
	}
}
EXPORT_SYMBOL_GPL(wd_cpu_begin);

/**
 * wd_cpu_step() - execute up to about @budget more bytes of an op
 * @ctx: the executor's bounce buffer
 * @a: the op, as given to wd_cpu_begin()
 * @r: its progress
 * @budget: bytes to process before returning (at least one chunk runs)
 *
 * On a fault, @r->status is -EFAULT and @r->done exact: the op can be
 * resumed from there once the page is present (the compression ops, which
 * are one stream, start again from the beginning). @r->value is left as
 * it was (a running CRC): wd_cpu_finish() clears it for a failed op.
 *
 * Context: process, may sleep; current->mm is the submitter's.
 * Return: true when the op is complete or failed (@r is then its result).
 */
bool wd_cpu_step(struct wd_cpu_ctx *ctx, const struct wd_args *a,
		 struct wd_result *r, u32 budget)
{
	u32 stop = r->done + min(budget, a->len - r->done);

	if (a->op == WD_OP_NOP)
		return true;
	if (a->op >= WD_OP_END) {
		r->status = -EOPNOTSUPP;
		return true;
	}
	/* single-shot streams: not resumable, run whole */
	if (a->op == WD_OP_COMPRESS) {
		wd_cpu_compress(ctx, a, r);
		return true;
	}
	if (a->op == WD_OP_DECOMPRESS) {
		wd_cpu_decompress(ctx, a, r);
		return true;
	}
	wd_cpu_ctx_grow(ctx, a->len);
	if (a->op == WD_OP_FILL)
		wd_pattern_fill(ctx->bounce,
				min_t(size_t, a->len, ctx->bounce_size), a->arg);
	if (a->op == WD_OP_COMPARE_PATTERN)
		wd_pattern_fill(ctx->bounce + ctx->bounce_size / 2,
				min_t(size_t, a->len, ctx->bounce_size / 2),
				a->arg);

	do {
		if (r->done == a->len)
			break;
		switch (a->op) {
		case WD_OP_COPY:
		case WD_OP_COPY_CRC32C:
		case WD_OP_DUALCAST:
			wd_copy_chunk(ctx, a, r);
			break;
		case WD_OP_FILL:
			wd_fill_chunk(ctx, a, r);
			break;
		case WD_OP_COMPARE:
		case WD_OP_COMPARE_PATTERN:
			if (wd_compare_chunk(ctx, a, r))
				return true;
			break;
		case WD_OP_CRC32C:
			wd_crc_chunk(ctx, a, r);
			break;
		}
		/* long requests give the CPU up between chunks */
		cond_resched();
	} while (!r->status && r->done < stop);

	if (r->status)
		return true;
	if (r->done < a->len)
		return false;
	if (a->op == WD_OP_COMPARE || a->op == WD_OP_COMPARE_PATTERN)
		r->value = a->len;	/* no difference */
	return true;
}
EXPORT_SYMBOL_GPL(wd_cpu_step);

/* An op is over: no value comes out of a failed one. */
static void wd_cpu_finish(struct wd_result *r)
{
	if (r->status)
		r->value = 0;
}

/* What a CQE's res is for an executed op (see the uAPI's op table). */
static s32 wd_cpu_res(const struct wd_args *a, const struct wd_result *r)
{
	if (r->status)
		return r->status;
	if (a->op == WD_OP_COMPARE || a->op == WD_OP_COMPARE_PATTERN)
		return r->value;
	return r->done;
}

/**
 * wd_cpu_result() - set a request's results from an executed op
 * @rq: gets res (what the uAPI's op table promises a CQE) and res2
 * @a: the op
 * @r: what executing it produced
 */
void wd_cpu_result(struct wd_req *rq, const struct wd_args *a,
		   const struct wd_result *r)
{
	rq->res = wd_cpu_res(a, r);
	rq->res2 = r->value;
}
EXPORT_SYMBOL_GPL(wd_cpu_result);

/*
 * A descriptor is read and its record written a word at a time inside one
 * user-access section: a string copy's start-up cost is most of the
 * price of 64 bytes (and under emulation, all of it).
 */
static int wd_desc_read(struct wd_desc *d, const struct wd_desc __user *ud)
{
	const u64 __user *src = (const u64 __user *)ud;
	u64 *dst = (u64 *)d;
	int i;

	BUILD_BUG_ON(sizeof(*d) % sizeof(u64));
	if (!user_read_access_begin(ud, sizeof(*d)))
		return -EFAULT;
	for (i = 0; i < sizeof(*d) / sizeof(u64); i++)
		unsafe_get_user(dst[i], &src[i], efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

static int wd_desc_write_record(struct wd_desc __user *ud,
				const struct wd_result *r)
{
	/* status, done and result sit together at the end */
	BUILD_BUG_ON(offsetof(struct wd_desc, done) !=
		     offsetof(struct wd_desc, status) + 4 ||
		     offsetof(struct wd_desc, result) !=
		     offsetof(struct wd_desc, status) + 8);
	if (!user_write_access_begin(&ud->status, 16))
		return -EFAULT;
	unsafe_put_user(r->status, &ud->status, efault);
	unsafe_put_user(r->done, &ud->done, efault);
	unsafe_put_user(r->value, &ud->result, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Whether a user range is there to be read (or written) without a fault,
 * found by touching one byte of each page with page faults disabled. A
 * write probe stores back the byte it read: the op is about to overwrite
 * that byte anyway.
 */
static bool wd_probe_range(u64 uaddr, u64 len, bool write)
{
	u64 end = uaddr + len;
	u8 __user *p;
	u8 v;

	if (!len)
		return true;
	if (end < uaddr || !access_ok(u64_to_user_ptr(uaddr), len))
		return false;
	while (uaddr < end) {
		p = u64_to_user_ptr(uaddr);
		if (__get_user(v, p) || (write && __put_user(v, p)))
			return false;
		uaddr = (uaddr & PAGE_MASK) + PAGE_SIZE;
	}
	return true;
}

/*
 * Is every operand of @a present, so that running it with page faults
 * disabled cannot stop half way? Only for the ops that may run inline
 * (the codecs never do).
 */
static bool wd_probe_op(const struct wd_args *a)
{
	switch (a->op) {
	case WD_OP_COPY:
	case WD_OP_COPY_CRC32C:
		return wd_probe_range(a->addr, a->len, false) &&
		       wd_probe_range(a->addr2, a->len, true);
	case WD_OP_DUALCAST:
		return wd_probe_range(a->addr, a->len, false) &&
		       wd_probe_range(a->addr2, a->len, true) &&
		       wd_probe_range(a->arg, a->len, true);
	case WD_OP_FILL:
		return wd_probe_range(a->addr, a->len, true);
	case WD_OP_COMPARE:
		return wd_probe_range(a->addr, a->len, false) &&
		       wd_probe_range(a->addr2, a->len, false);
	case WD_OP_COMPARE_PATTERN:
	case WD_OP_CRC32C:
		return wd_probe_range(a->addr, a->len, false);
	case WD_OP_NOP:
		return true;
	default:
		return false;
	}
}

/*
 * Stop the request running on @ctx: canceled, or its submitter is gone (it
 * then counts as canceled, whether or not io_uring's mark has come yet).
 */
bool wd_cpu_should_stop(const struct wd_cpu_ctx *ctx)
{
	struct wd_req *rq = (struct wd_req *)ctx->rq;

	if (!rq)
		return false;
	if (wd_req_canceled(rq))
		return true;
	if (!wd_req_owner_gone(rq))
		return false;
	wd_req_cancel(rq);
	return true;
}

/*
 * An op runs in slices of at most this many bytes, so that a canceled
 * request stops within one, even inside a 64 MiB descriptor.
 */
#define WD_CPU_CANCEL_SLICE	(1U << 20)
/* What reading a descriptor and writing its record count for, in bytes. */
#define WD_CPU_DESC_COST	256
/*
 * How much of an operand past a fault the submitter faults in at once:
 * a fresh 64 MiB destination then costs 16 round trips, not 16384.
 */
#define WD_CPU_FAULT_AHEAD	(4U << 20)
/*
 * Fault trips in a row that find the job where the last one left it. A
 * page the submitter faulted in can be reclaimed again before the engine
 * gets to it, so one more trip is normal; this many means the page cannot
 * be reached without a fault at all (the engine sees it, the submitter's
 * CPU does not), and the op fails with -EFAULT there.
 */
#define WD_CPU_FAULT_TRIPS	8

enum {
	WD_JOB_READ,	/* batch: read and start descriptor idx */
	WD_JOB_RUN,	/* run the op (or the descriptor) in one */
	WD_JOB_RECORD,	/* batch: write descriptor idx's record */
	WD_JOB_END,
};

/**
 * wd_cpu_job_init() - start a request that wd_cpu_job_run() will execute
 * @j: the job, owned by the caller
 * @a: an op, or a batch (WD_OP_BATCH: its descriptors)
 */
void wd_cpu_job_init(struct wd_cpu_job *j, const struct wd_args *a)
{
	memset(j, 0, sizeof(*j));
	j->args = *a;
	j->max_len = U32_MAX;
	if (a->op == WD_OP_BATCH) {
		j->phase = WD_JOB_READ;
		return;
	}
	j->one = *a;
	wd_cpu_begin(&j->one, &j->r);
	j->phase = WD_JOB_RUN;
}
EXPORT_SYMBOL_GPL(wd_cpu_job_init);

static bool wd_cpu_is_stream(const struct wd_args *a)
{
	return a->op == WD_OP_COMPRESS || a->op == WD_OP_DECOMPRESS;
}

/* Too long a stream for @ctx: the work grows with input and output. */
static bool wd_cpu_stream_too_long(const struct wd_cpu_ctx *ctx,
				   const struct wd_args *a)
{
	return ctx->stream_max && wd_cpu_is_stream(a) &&
	       max(a->len, WD_COMP_ARG_DST_LEN(a->arg)) > ctx->stream_max;
}

/* The range the submitter should fault in for the fault @ctx noted. */
static void wd_cpu_job_fault(struct wd_cpu_ctx *ctx, struct wd_cpu_job *j)
{
	const struct wd_args *a = &j->one;
	u64 addr = ctx->fault_addr, end = addr + 1, cap = WD_CPU_FAULT_AHEAD;
	u64 ends[3] = {};
	int i;

	if (j->phase == WD_JOB_RUN) {
		/* the end of whichever operand the fault is in */
		if (a->len)
			ends[0] = a->addr + a->len;
		if (a->op == WD_OP_COMPRESS || a->op == WD_OP_DECOMPRESS)
			ends[1] = a->addr2 + WD_COMP_ARG_DST_LEN(a->arg);
		else if (a->len && (wd_op_table[a->op].operands & WD_OPND_ADDR2))
			ends[1] = a->addr2 + a->len;
		if (a->op == WD_OP_DUALCAST)
			ends[2] = a->arg + a->len;
		for (i = 0; i < ARRAY_SIZE(ends); i++) {
			u64 start = i == 0 ? a->addr : i == 1 ? a->addr2 : a->arg;

			if (addr >= start && addr < ends[i])
				end = ends[i];
		}
		/*
		 * A stream starts again from its beginning: the rest of that
		 * operand at once, so that it restarts as few times as can be.
		 */
		if (wd_cpu_is_stream(a)) {
			cap = U32_MAX;
			wd_cpu_begin(a, &j->r);
		}
		/* a backward copy goes down: fault in what lies below */
		if (wd_copy_backward(a)) {
			u64 start = ctx->fault_write ? a->addr2 : a->addr;

			end = addr + 1;
			addr = max(start, end > cap ? end - cap : 0);
		}
	} else {
		/*
		 * The descriptors from here on, for writing: their records
		 * are written there, and must not need a trip of their own
		 * (which a submitter that has gone by then cannot make).
		 */
		end = j->args.addr + (u64)j->args.len * sizeof(struct wd_desc);
		ctx->fault_write = true;
	}
	j->fault.addr = addr;
	j->fault.len = min_t(u64, end - addr, cap);
	j->fault.write = ctx->fault_write;
}

/*
 * A fault where faults are trapped: hand it to the submitter, or give up.
 * Progress is the job moving on (a later descriptor, more bytes done)
 * since the last trip. A stream restarts from its beginning on every
 * trip, with a whole operand faulted in each time, so it needs one trip
 * per operand: its trips are counted whatever the progress.
 */
static int wd_cpu_job_trap(struct wd_cpu_ctx *ctx, struct wd_cpu_job *j)
{
	u64 where = ((u64)j->idx << 32) | j->r.done;

	if (where != j->fault_where && !(j->phase == WD_JOB_RUN &&
					  wd_cpu_is_stream(&j->one)))
		j->trips = 0;
	j->fault_where = where;
	if (++j->trips > WD_CPU_FAULT_TRIPS)
		return -EFAULT;
	j->r.status = 0;
	wd_cpu_job_fault(ctx, j);
	return 0;
}

/**
 * wd_cpu_job_resume() - a job comes back from a fault trip
 * @j: the job wd_cpu_job_run() returned WD_CPU_FAULT for
 * @err: 0 when the range is present now; otherwise the request's fate at
 *	that point (-EFAULT: nothing there; -ECANCELED: the submitter is
 *	gone or canceled it)
 *
 * The next wd_cpu_job_run() goes on from where the fault stopped it.
 */
void wd_cpu_job_resume(struct wd_cpu_job *j, int err)
{
	if (!err)
		return;
	switch (j->phase) {
	case WD_JOB_RUN:
		/* the op fails there; a batch goes on with the next one */
		j->r.status = err;
		break;
	default:
		/* the descriptor array itself: the batch ends */
		j->fatal = err;
		j->phase = WD_JOB_END;
		break;
	}
}
EXPORT_SYMBOL_GPL(wd_cpu_job_resume);

/* Read, check and start descriptor j->idx of a batch. */
static int wd_cpu_job_read(struct wd_cpu_ctx *ctx,
			   const struct wd_device *wdev, struct wd_cpu_job *j)
{
	struct wd_desc __user *ud = u64_to_user_ptr(j->args.addr);
	struct wd_desc d;

	ud += j->idx;
	if (wd_desc_read(&d, ud)) {
		wd_cpu_fault_at(ctx, (u64)(unsigned long)ud, false);
		return -EFAULT;
	}
	memset(&j->r, 0, sizeof(j->r));
	if (wd_cpu_should_stop(ctx)) {
		j->r.status = -ECANCELED;
		j->phase = WD_JOB_RECORD;
		return 0;
	}
	/* the rest is for the device: too long, or needs its state */
	if (d.len > j->max_len ||
	    (d.op < WD_OP_END && !ctx->deflate_ws &&
	     (wd_op_table[d.op].operands & WD_OPND_ENGINE)))
		return WD_CPU_STOP;
	j->r.status = wd_desc_to_args(wdev, &d, &j->one);
	if (!j->r.status) {
		/* inline: the op and its record must be there already */
		if (ctx->probe &&
		    (!wd_probe_op(&j->one) ||
		     !wd_probe_range((u64)(unsigned long)&ud->status, 16, true)))
			return WD_CPU_STOP;
		wd_cpu_begin(&j->one, &j->r);
		j->phase = WD_JOB_RUN;
		return 0;
	}
	j->phase = WD_JOB_RECORD;
	return 0;
}

/**
 * wd_cpu_job_run() - execute a job for up to about @budget bytes
 * @ctx: the executor (with trap_faults, a fault hands the job back)
 * @wdev: the device (its op mask and limits apply to every descriptor)
 * @rq: the request the job came in: its cancellation is followed, and it
 *	gets res and res2 when the job ends (for a batch, res counts on from
 *	the value it has: a batch may be run in parts)
 * @j: the job, from wd_cpu_job_init()
 * @budget: bytes to process before returning WD_CPU_MORE
 *
 * Each descriptor of a batch is read, validated, executed and its record
 * written back before the next is read. Once @rq is canceled, the op or
 * descriptor running and every one after it end with -ECANCELED.
 *
 * Context: process, in the submitter's mm. With @ctx->trap_faults the
 * caller runs it with page faults disabled: a page that is not present
 * stops the job with its progress kept, and WD_CPU_FAULT asks the caller
 * to have j->fault faulted in by the submitter, then call
 * wd_cpu_job_resume() and run it again. With @ctx->probe (inline, faults
 * disabled), the job stops instead (WD_CPU_STOP) before any op whose
 * operands are not all present, as before a descriptor longer than
 * j->max_len: j->idx descriptors are done (0 for an op: nothing ran).
 *
 * A stream (COMPRESS, DECOMPRESS) cannot stop part way: its codec's state
 * lives in @ctx's workspaces. With @ctx->stream_max set, the job stops
 * (WD_CPU_STREAM) before a stream whose source or destination is longer,
 * for the caller to run it where a long run holds nobody up.
 *
 * Return: WD_CPU_DONE (results set in @rq), WD_CPU_MORE, WD_CPU_FAULT,
 * WD_CPU_STOP or WD_CPU_STREAM.
 */
int wd_cpu_job_run(struct wd_cpu_ctx *ctx, const struct wd_device *wdev,
		   struct wd_req *rq, struct wd_cpu_job *j, u32 budget)
{
	bool batch = j->args.op == WD_OP_BATCH;
	struct wd_desc __user *ud;
	u32 spent = 0, before;
	int ret;

	ctx->rq = rq;
	ctx->fault_set = false;
	for (;;) {
		switch (j->phase) {
		case WD_JOB_READ:
			if (j->idx == j->args.len) {
				j->phase = WD_JOB_END;
				break;
			}
			if (spent >= budget)
				return WD_CPU_MORE;
			ctx->fault_set = false;
			ret = wd_cpu_job_read(ctx, wdev, j);
			/* inline, a descriptor not there: the device reads it */
			if (ret == WD_CPU_STOP || (ret && ctx->probe))
				return WD_CPU_STOP;
			if (ret && !ctx->trap_faults) {
				j->fatal = ret;
				j->phase = WD_JOB_END;
			} else if (ret) {
				goto trap;
			}
			spent += WD_CPU_DESC_COST;
			break;
		case WD_JOB_RUN:
			if (!j->r.status && wd_cpu_should_stop(ctx))
				j->r.status = -ECANCELED;
			/* not failed at a fault, nor canceled: run a step */
			if (!j->r.status) {
				if (spent >= budget)
					return WD_CPU_MORE;
				if (wd_cpu_stream_too_long(ctx, &j->one))
					return WD_CPU_STREAM;
				if (!batch && !j->r.done && ctx->probe &&
				    !wd_probe_op(&j->one))
					return WD_CPU_STOP;
				before = j->r.done;
				/* only this step's own faults count */
				ctx->fault_set = false;
				if (!wd_cpu_step(ctx, &j->one, &j->r,
						 min(budget - spent,
						     WD_CPU_CANCEL_SLICE))) {
					spent += j->r.done - before;
					break;
				}
				spent += j->r.done - before + 1;
				if (j->r.status == -EFAULT && ctx->fault_set &&
				    ctx->trap_faults)
					goto trap;
			}
			wd_cpu_finish(&j->r);
			j->phase = batch ? WD_JOB_RECORD : WD_JOB_END;
			break;
		case WD_JOB_RECORD:
			ud = u64_to_user_ptr(j->args.addr);
			ud += j->idx;
			ctx->fault_set = false;
			if (wd_desc_write_record(ud, &j->r)) {
				wd_cpu_fault_at(ctx, (u64)(unsigned long)&ud->status,
						true);
				if (ctx->trap_faults)
					goto trap;
				j->fatal = -EFAULT;
				j->phase = WD_JOB_END;
				break;
			}
			j->ok += !j->r.status;
			j->last = wd_cpu_res(&j->one, &j->r);
			j->idx++;
			j->phase = WD_JOB_READ;
			cond_resched();
			break;
		case WD_JOB_END:
			if (!batch) {
				wd_cpu_result(rq, &j->one, &j->r);
			} else {
				if (j->fatal)
					rq->res = j->fatal;
				else if (rq->res >= 0)
					rq->res += j->ok;
				/*
				 * The ioctl's one descriptor: its result comes
				 * from here, not from the record, which the
				 * caller's other threads may already change.
				 */
				rq->res2 = rq->flags & WD_REQ_SYNC ?
					   (u64)(s64)j->last : 0;
			}
			return WD_CPU_DONE;
		}
		continue;
trap:
		ret = wd_cpu_job_trap(ctx, j);
		ctx->fault_set = false;
		if (!ret)
			return WD_CPU_FAULT;
		/* out of trips: a real fault at that point */
		wd_cpu_job_resume(j, -EFAULT);
	}
}
EXPORT_SYMBOL_GPL(wd_cpu_job_run);

/**
 * wd_cpu_run() - run a request (an op or a batch) and set its results
 * @ctx: the executor's bounce buffer
 * @wdev: the device
 * @rq: gets res and res2; for a batch, res counts on from its value
 * @a: the request
 * @max_len: for a batch, stop before the first descriptor longer than this
 *	(U32_MAX: run them all)
 *
 * For inline execution: with page faults disabled (the io_uring issue
 * path), nothing runs that would fault: an op is left whole for the
 * device, a batch stops before the first descriptor whose operands or
 * record are not present. With page faults enabled, a fault is taken here,
 * in the caller's context.
 *
 * Context: process, in the submitter's mm.
 * Return: descriptors consumed for a batch; for an op, 1 if it ran, 0 if
 * it was left for the device.
 */
u32 wd_cpu_run(struct wd_cpu_ctx *ctx, const struct wd_device *wdev,
	       struct wd_req *rq, const struct wd_args *a, u32 max_len)
{
	struct wd_cpu_job j;
	int ret;

	wd_cpu_job_init(&j, a);
	j.max_len = max_len;
	ctx->trap_faults = false;
	ctx->probe = pagefault_disabled();
	ret = wd_cpu_job_run(ctx, wdev, rq, &j, U32_MAX);
	if (ret == WD_CPU_DONE)
		return a->op == WD_OP_BATCH ? a->len : 1;
	/* WD_CPU_STOP: what ran of a batch counts; the rest is the device's */
	if (a->op == WD_OP_BATCH && rq->res >= 0)
		rq->res += j.ok;
	return j.idx;
}
EXPORT_SYMBOL_GPL(wd_cpu_run);
