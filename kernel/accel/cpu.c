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
 * byte before the reported point is written and none after it.
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
	return __crc32c_le(crc, p, len);
}
#else
static u32 wd_crc32c(u32 crc, const void *p, size_t len)
{
	return __crc32c_le(crc, p, len);
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

static size_t wd_read(void *buf, u64 uaddr, size_t n)
{
	size_t done = wd_small_copy(n) ? wd_read_words(buf, uaddr, n) : 0;

	return n - copy_from_user(buf + done, u64_to_user_ptr(uaddr + done),
				  n - done);
}

static size_t wd_write(u64 uaddr, const void *buf, size_t n)
{
	size_t done = wd_small_copy(n) ? wd_write_words(uaddr, buf, n) : 0;

	return n - copy_to_user(u64_to_user_ptr(uaddr + done), buf + done,
				n - done);
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
 * One chunk of COPY, COPY_CRC32C or DUALCAST. @r->value carries the
 * running CRC for COPY_CRC32C.
 */
static void wd_copy_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			  struct wd_result *r)
{
	size_t n = min_t(size_t, a->len - r->done, ctx->bounce_size);
	bool backward = wd_copy_backward(a);
	u64 off = backward ? a->len - r->done - n : r->done;
	size_t got, put;

	got = wd_read(ctx->bounce, a->addr + off, n);
	if (backward && got < n) {
		/* a partial chunk from the back is of no use */
		r->status = -EFAULT;
		return;
	}
	put = wd_write(a->addr2 + off, ctx->bounce, got);
	if (a->op == WD_OP_DUALCAST && put == got)
		put = wd_write(a->arg + off, ctx->bounce, got);
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
 * FILL: the bounce buffer holds the pattern (see wd_cpu_begin()); chunks
 * start at multiples of its size, a multiple of 8, so it never shifts.
 */
static void wd_fill_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			  struct wd_result *r)
{
	size_t n = min_t(size_t, a->len - r->done, ctx->bounce_size);
	size_t put = wd_write(a->addr + r->done, ctx->bounce, n);

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
 * second half of the bounce buffer). Returns true once a difference is
 * found: done and value then point at it.
 */
static bool wd_compare_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			     struct wd_result *r)
{
	size_t half = ctx->bounce_size / 2;	/* a multiple of 8 */
	size_t n = min_t(size_t, a->len - r->done, half);
	u8 *x = ctx->bounce, *y = x + half;
	size_t got, same;

	got = wd_read(x, a->addr + r->done, n);
	if (a->op == WD_OP_COMPARE && got)
		got = min(got, wd_read(y, a->addr2 + r->done, got));
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

/*
 * CRC32C of user memory read where it lies: the pages are looked up (and
 * faulted in) and read through a kernel mapping, with no copy. Returns the
 * bytes summed; fewer than @n means a fault there.
 */
static size_t wd_crc_in_place(u32 *crc, u64 uaddr, size_t n)
{
	struct page *pages[WD_CPU_IN_PLACE_PAGES];
	size_t done = 0;

	while (done < n) {
		u64 addr = uaddr + done;
		unsigned int off = offset_in_page(addr);
		int nr = min_t(size_t, DIV_ROUND_UP(off + n - done, PAGE_SIZE),
			       ARRAY_SIZE(pages));
		int got, i;

		got = get_user_pages_fast(addr & PAGE_MASK, nr, 0, pages);
		if (got <= 0)
			break;
		for (i = 0; i < got; i++) {
			size_t len = min_t(size_t, PAGE_SIZE - off, n - done);
			void *p = kmap_local_page(pages[i]);

			*crc = wd_crc32c(*crc, p + off, len);
			kunmap_local(p);
			done += len;
			off = 0;
		}
		release_pages(pages, got);
		if (got < nr)
			break;
	}
	return done;
}

static void wd_crc_chunk(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			 struct wd_result *r)
{
	size_t n = min_t(size_t, a->len - r->done, ctx->bounce_size);
	u32 crc = r->value;
	size_t got;

	if (ctx->in_place && n >= PAGE_SIZE) {
		got = wd_crc_in_place(&crc, a->addr + r->done, n);
		r->value = crc;
	} else {
		got = wd_read(ctx->bounce, a->addr + r->done, n);
		r->value = wd_crc32c(r->value, ctx->bounce, got);
	}
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
 * wd_cpu_ctx_release() - free what wd_cpu_execute() allocated for @ctx
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
 * Context: process, may sleep and fault; current->mm is the submitter's.
 * Return: true when the op is complete (@r is then its result).
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

	if (r->status) {
		/* no value comes out of a failed op */
		r->value = 0;
		return true;
	}
	if (r->done < a->len)
		return false;
	if (a->op == WD_OP_COMPARE || a->op == WD_OP_COMPARE_PATTERN)
		r->value = a->len;	/* no difference */
	return true;
}
EXPORT_SYMBOL_GPL(wd_cpu_step);

/**
 * wd_cpu_execute() - run one validated op in the current address space
 * @ctx: the executor's bounce buffer
 * @a: the op (not WD_OP_BATCH)
 * @r: the result
 *
 * Context: process, may sleep and fault; current->mm is the submitter's.
 */
void wd_cpu_execute(struct wd_cpu_ctx *ctx, const struct wd_args *a,
		    struct wd_result *r)
{
	wd_cpu_begin(a, r);
	while (!wd_cpu_step(ctx, a, r, U32_MAX))
		;
}
EXPORT_SYMBOL_GPL(wd_cpu_execute);

/**
 * wd_cpu_result() - set a request's results from an executed op
 * @rq: gets res (what the uAPI's op table promises a CQE) and res2
 * @a: the op
 * @r: what executing it produced
 */
void wd_cpu_result(struct wd_req *rq, const struct wd_args *a,
		   const struct wd_result *r)
{
	if (r->status)
		rq->res = r->status;
	else if (a->op == WD_OP_COMPARE || a->op == WD_OP_COMPARE_PATTERN)
		rq->res = r->value;
	else
		rq->res = r->done;
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
 * A descriptor of a batch runs in slices of this many bytes, so that a
 * canceled batch stops within one, even inside a 64 MiB descriptor.
 */
#define WD_CPU_CANCEL_SLICE	(1U << 20)

/**
 * wd_cpu_owner_gone() - has the process an engine works for gone?
 * @ctx: an engine's context (in_place), its submitter's mm adopted
 *
 * The engine holds mm_users on the address space it adopted: when that is
 * the only user left, the process has exited or been killed, and its ring
 * cannot go away (and cancel the request) while the engine holds the mm
 * that maps it. Always false outside an engine.
 */
bool wd_cpu_owner_gone(const struct wd_cpu_ctx *ctx)
{
	return ctx->in_place && current->mm &&
	       atomic_read(&current->mm->mm_users) == 1;
}
EXPORT_SYMBOL_GPL(wd_cpu_owner_gone);

/*
 * wd_cpu_execute(), stopping with -ECANCELED (and the bytes done so far)
 * once @rq is canceled or its process is gone.
 */
static void wd_cpu_execute_rq(struct wd_cpu_ctx *ctx, const struct wd_req *rq,
			      const struct wd_args *a, struct wd_result *r)
{
	wd_cpu_begin(a, r);
	for (;;) {
		if ((rq && wd_req_canceled(rq)) || wd_cpu_owner_gone(ctx)) {
			r->status = -ECANCELED;
			r->value = 0;
			return;
		}
		if (wd_cpu_step(ctx, a, r, WD_CPU_CANCEL_SLICE))
			return;
		cond_resched();
	}
}

/**
 * wd_cpu_run_batch() - run a batch of descriptors in the current mm
 * @ctx: the executor's bounce buffer
 * @wdev: the device (its op mask and limits apply to every descriptor)
 * @rq: the request the batch came in (NULL: not cancelable); once it is
 *	canceled, the descriptor running and every one after it get
 *	-ECANCELED in their records
 * @a: the batch: WD_OP_BATCH, array address and count
 * @max_len: stop before the first descriptor longer than this
 * @consumed: gets the number of descriptors run
 *
 * Each descriptor is read, validated, executed and its completion record
 * written back before the next is read.
 *
 * Return: the number of descriptors run whose status is 0, or -EFAULT when
 * a descriptor cannot be read or its record cannot be written (the batch
 * stops there).
 */
static int wd_cpu_run_batch(struct wd_cpu_ctx *ctx,
			    const struct wd_device *wdev,
			    const struct wd_req *rq,
			    const struct wd_args *a, u32 max_len,
			    u32 *consumed)
{
	struct wd_desc __user *ud = u64_to_user_ptr(a->addr);
	int ok = 0;
	u32 i;

	for (i = 0; i < a->len; i++, ud++) {
		struct wd_result r = {};
		struct wd_args one;
		struct wd_desc d;

		if (wd_desc_read(&d, ud))
			return -EFAULT;
		/* the rest is for the device: too long, or needs its state */
		if (d.len > max_len ||
		    (d.op < WD_OP_END && !ctx->deflate_ws &&
		     (wd_op_table[d.op].operands & WD_OPND_ENGINE)))
			break;
		r.status = wd_desc_to_args(wdev, &d, &one);
		if (!r.status)
			wd_cpu_execute_rq(ctx, rq, &one, &r);

		/* status, done and result sit together at the end */
		BUILD_BUG_ON(offsetof(struct wd_desc, done) !=
			     offsetof(struct wd_desc, status) + 4 ||
			     offsetof(struct wd_desc, result) !=
			     offsetof(struct wd_desc, status) + 8);
		if (wd_desc_write_record(ud, &r))
			return -EFAULT;
		ok += !r.status;
		cond_resched();
	}
	*consumed = i;
	return ok;
}

/**
 * wd_cpu_run() - run a request (an op or a batch) and set its results
 * @ctx: the executor's bounce buffer
 * @wdev: the device
 * @rq: gets res and res2; for a batch, res counts on from its value
 * @a: the request
 * @max_len: for a batch, stop before the first descriptor longer than this
 *	(U32_MAX: run them all)
 *
 * A batch may be run in parts (inline, then the rest on the engine): @rq's
 * res carries the successes so far from one part to the next.
 *
 * Context: process, in the submitter's mm.
 * Return: descriptors consumed for a batch, 1 for an op.
 */
u32 wd_cpu_run(struct wd_cpu_ctx *ctx, const struct wd_device *wdev,
	       struct wd_req *rq, const struct wd_args *a, u32 max_len)
{
	struct wd_result r;
	u32 consumed = 0;
	int ok;

	if (a->op == WD_OP_BATCH) {
		ok = wd_cpu_run_batch(ctx, wdev, rq, a, max_len, &consumed);
		if (ok < 0)
			rq->res = ok;
		else if (rq->res >= 0)
			rq->res += ok;
		rq->res2 = 0;
		return ok < 0 ? a->len : consumed;
	}
	wd_cpu_execute(ctx, a, &r);
	wd_cpu_result(rq, a, &r);
	return 1;
}
EXPORT_SYMBOL_GPL(wd_cpu_run);
