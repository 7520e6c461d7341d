// SPDX-License-Identifier: GPL-2.0
/*
 * crypto0's COMPRESS and DECOMPRESS, through the crypto API's acomp
 * "deflate": the kernel's own implementation, or a compression
 * accelerator's (Intel IAA and QAT, HiSilicon ZIP, ...), whichever the
 * crypto API ranks first, or the one the module parameter "compress"
 * names.
 *
 * A provider does raw DEFLATE (RFC 1951) at a level of its own choosing;
 * the request's level is not passed on. The zlib and gzip formats are
 * framing added here: headers written and parsed, and the Adler-32 or
 * CRC-32 of the uncompressed data computed on the CPU, of the source
 * after compression and of the output after decompression (which then
 * fails with -EBADMSG when the trailer disagrees). Those passes, and
 * everything else that is not the provider's call, run in process
 * context: on crypto0's workqueue, or in the issue path for requests of
 * at most inline_max bytes.
 *
 * Decompression on a CPU provider is not the provider's: the crypto
 * API's software deflate decodes with IPComp's 2 KiB window, which works
 * on 6.12 only because it decodes into one flat buffer, while 7.x's
 * decodes a page at a time and, given a stream from an ordinary writer
 * (32 KiB window), reads out of bounds (selftests/compress found it).
 * Untrusted streams from any user must not reach it; crypto0 inflates
 * them itself, on the workqueue, with the kernel's zlib and a full
 * window, as soft0 does.
 *
 * The errors mean what they mean on every WarpDrive device, although
 * providers do not say which is which: the kernel's software deflate
 * fails an output that does not fit and a corrupt stream alike with
 * -EINVAL, and a device may too. So when a device's decompression fails,
 * the same CPU inflate runs into the destination, up to one byte past
 * it: a stream that ends within it is the answer after all, one that gets
 * past it is -ENOSPC, one that breaks or ends short first is -EBADMSG.
 * That costs a failed request no more than soft0 would have spent on it.
 *
 * What the crypto API does not report is how much input a provider
 * used, so with a device's provider the end of a raw DEFLATE stream is
 * where the device finds it: bytes after it are ignored, and so are bytes
 * between the DEFLATE data and a zlib or gzip trailer, which is read from
 * the end of the source (so a cut stream fails its checksum there).
 * crypto0 says so with WD_DEV_F_DEFLATE_TAIL then. The CPU inflate sees
 * all of it, and refuses such bytes as soft0 does.
 *
 * Limits: a CPU implementation runs a whole request without yielding
 * (6.12's through per-CPU scratch buffers under a spinlock, 7.x's on a
 * per-CPU stream with softirqs off), so with one a request reads and
 * writes at most 128 KiB, reported as comp_max_len (GET_FEATURES and
 * sysfs): longer input is refused with -EINVAL, longer output fails with
 * -ENOSPC. Its acomp requests for compression (on 6.12 each with its own
 * zlib workspaces) are made at load, a few; a request that finds none
 * free waits in line for one, so no submitter makes the kernel allocate
 * per request.
 */
#include <crypto/acompress.h>
#include <linux/crc32.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>
#include <linux/zlib.h>
#include <linux/zutil.h>
#include "wd_crypto.h"

/* the most a CPU implementation takes or gives (6.12's scratch size) */
#define WD_CZ_CPU_MAX		(128U << 10)
/* a gzip header must lie within this much of the input, as on soft0 */
#define WD_CZ_HDR_MAX		(32U << 10)

#define WD_CZ_GZIP_HDR		10
#define WD_CZ_GZIP_TRAILER	8
#define WD_CZ_ZLIB_HDR		2
#define WD_CZ_ZLIB_TRAILER	4

/* gzip header flags (RFC 1952, 2.3.1) */
#define WD_CZ_FHCRC		BIT(1)
#define WD_CZ_FEXTRA		BIT(2)
#define WD_CZ_FNAME		BIT(3)
#define WD_CZ_FCOMMENT		BIT(4)
#define WD_CZ_FRESERVED		0xe0

/**
 * struct wd_cz_req - one COMPRESS or DECOMPRESS
 * @op: WD_OP_COMPRESS or WD_OP_DECOMPRESS (first: see wd_cr_priv_op())
 * @format: WD_COMP_*
 * @post: the workqueue item finishes the request rather than start it
 * @called: the provider was given the request
 * @hdr_len: framing before the DEFLATE data
 * @trl_len: framing after it
 * @rq: the core's request
 * @cz: the compressor
 * @wq: crypto0's workqueue
 * @areq: the acomp request, while the request has one
 * @wait: on @cz->waiting
 * @len: bytes of source
 * @slen: bytes the provider reads
 * @space: what the provider may write: the destination less framing, at
 *	most the provider's limit
 * @err: the provider's result
 * @out: what it wrote
 * @src: DECOMPRESS: the DEFLATE data, within the source's pages
 * @dst: where the DEFLATE data (COMPRESS) or the output goes
 * @work: for the workqueue
 */
struct wd_cz_req {
	u8			op;
	u8			format;
	bool			post;
	bool			called;
	u32			hdr_len;
	u32			trl_len;
	struct wd_req		*rq;
	struct wd_cz		*cz;
	struct workqueue_struct	*wq;
	struct acomp_req	*areq;
	struct list_head	wait;
	u32			len;
	u32			slen;
	u32			space;
	int			err;
	u32			out;
	struct sg_table		src;
	struct sg_table		dst;
	struct work_struct	work;
};

/*
 * A CPU provider's acomp request for @r, or false: @r then waits in line,
 * and wd_cz_pool_put() hands it one and queues it.
 */
static bool wd_cz_pool_get(struct wd_cz_req *r)
{
	struct wd_cz *cz = r->cz;
	unsigned long flags;
	bool got = false;

	/* decided under the lock: once in line, @r may be queued at once */
	spin_lock_irqsave(&cz->lock, flags);
	if (cz->nr_free) {
		r->areq = cz->free[--cz->nr_free];
		got = true;
	} else {
		list_add_tail(&r->wait, &cz->waiting);
	}
	spin_unlock_irqrestore(&cz->lock, flags);
	return got;
}

/* Give @r's acomp request back: to the first in line, or to the pool. */
static void wd_cz_pool_put(struct wd_cz_req *r)
{
	struct acomp_req *areq = r->areq;
	struct wd_cz *cz = r->cz;
	struct wd_cz_req *next;
	unsigned long flags;

	if (cz->hw || !areq)
		return;
	r->areq = NULL;
	spin_lock_irqsave(&cz->lock, flags);
	next = list_first_entry_or_null(&cz->waiting, struct wd_cz_req, wait);
	if (next) {
		list_del(&next->wait);
		next->areq = areq;
	} else if (!WARN_ON_ONCE(cz->nr_free >= WD_CZ_POOL)) {
		cz->free[cz->nr_free++] = areq;
	}
	spin_unlock_irqrestore(&cz->lock, flags);
	if (next)
		queue_work(next->wq, &next->work);
}

/*
 * List @len bytes of @in from @skip on in @out: the same pages, no copy.
 * An empty slice is one empty entry.
 */
static int wd_cz_slice(struct sg_table *out, const struct sg_table *in,
		       u32 skip, u32 len)
{
	struct scatterlist *s, *d;
	unsigned int n = 0, i;
	u32 pos = 0, left;
	int ret;

	for_each_sg(in->sgl, s, in->orig_nents, i) {
		if (pos + s->length > skip && pos < skip + len)
			n++;
		pos += s->length;
	}
	ret = sg_alloc_table(out, max(n, 1U), GFP_KERNEL_ACCOUNT);
	if (ret || !n)
		return ret;

	d = out->sgl;
	pos = 0;
	left = len;
	for_each_sg(in->sgl, s, in->orig_nents, i) {
		u32 from = skip > pos ? skip - pos : 0;
		size_t off;
		u32 take;

		if (!left)
			break;
		if (from >= s->length) {
			pos += s->length;
			continue;
		}
		take = min(s->length - from, left);
		off = s->offset + from;
		sg_set_page(d, wd_nth_page(sg_page(s), off >> PAGE_SHIFT), take,
			    offset_in_page(off));
		d = sg_next(d);
		left -= take;
		pos += s->length;
	}
	return 0;
}

/*
 * The checksum @format keeps of @len bytes of @sgt: CRC-32 for gzip,
 * Adler-32 for zlib, 0 for raw DEFLATE.
 */
static u32 wd_cz_sum(u8 format, struct sg_table *sgt, u32 len)
{
	struct sg_mapping_iter it;
	u32 crc = ~0U, adler = 1, done = 0;

	if (format == WD_COMP_DEFLATE)
		return 0;
	if (len) {
		sg_miter_start(&it, sgt->sgl, sgt->orig_nents,
			       SG_MITER_FROM_SG);
		while (done < len && sg_miter_next(&it)) {
			u32 n = min_t(size_t, it.length, len - done);

			if (format == WD_COMP_GZIP)
				crc = crc32_le(crc, it.addr, n);
			else
				adler = zlib_adler32(adler, it.addr, n);
			done += n;
			cond_resched();
		}
		sg_miter_stop(&it);
	}
	return format == WD_COMP_GZIP ? ~crc : adler;
}

/* Where the string at @pos ends (past its zero byte), or -EBADMSG. */
static long wd_cz_skip_string(struct sg_table *src, u32 pos, u32 end)
{
	u8 buf[64], *nul;
	u32 n;

	for (; pos < end; pos += n) {
		n = min_t(u32, sizeof(buf), end - pos);
		sg_pcopy_to_buffer(src->sgl, src->orig_nents, buf, n, pos);
		nul = memchr(buf, 0, n);
		if (nul)
			return pos + (nul - buf) + 1;
	}
	return -EBADMSG;
}

/*
 * Where the DEFLATE data starts in a gzip member (RFC 1952, 2.3) whose
 * header lies within the first @end bytes of @src, or -EBADMSG.
 */
static long wd_cz_gzip_header(struct sg_table *src, u32 end)
{
	u8 h[WD_CZ_GZIP_HDR], x[2];
	long pos = WD_CZ_GZIP_HDR;

	if (end < WD_CZ_GZIP_HDR)
		return -EBADMSG;
	sg_pcopy_to_buffer(src->sgl, src->orig_nents, h, sizeof(h), 0);
	if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 ||
	    (h[3] & WD_CZ_FRESERVED))
		return -EBADMSG;
	if (h[3] & WD_CZ_FEXTRA) {
		if (end - pos < 2)
			return -EBADMSG;
		sg_pcopy_to_buffer(src->sgl, src->orig_nents, x, 2, pos);
		if (end - pos < 2 + get_unaligned_le16(x))
			return -EBADMSG;
		pos += 2 + get_unaligned_le16(x);
	}
	if (h[3] & WD_CZ_FNAME) {
		pos = wd_cz_skip_string(src, pos, end);
		if (pos < 0)
			return pos;
	}
	if (h[3] & WD_CZ_FCOMMENT) {
		pos = wd_cz_skip_string(src, pos, end);
		if (pos < 0)
			return pos;
	}
	if (h[3] & WD_CZ_FHCRC) {
		if (end - pos < 2)
			return -EBADMSG;
		pos += 2;
	}
	return pos;
}

/*
 * The framing of a DECOMPRESS's source: set @r->hdr_len and @r->trl_len,
 * or -EBADMSG.
 */
static int wd_cz_parse(struct wd_cz_req *r, struct sg_table *src)
{
	u8 zh[WD_CZ_ZLIB_HDR];
	long ret;

	switch (r->format) {
	case WD_COMP_ZLIB:
		r->trl_len = WD_CZ_ZLIB_TRAILER;
		r->hdr_len = WD_CZ_ZLIB_HDR;
		if (r->len < WD_CZ_ZLIB_HDR)
			return -EBADMSG;
		sg_pcopy_to_buffer(src->sgl, src->orig_nents, zh, sizeof(zh), 0);
		/* deflate, a window zlib knows, the check, no dictionary */
		if ((zh[0] & 0x0f) != Z_DEFLATED || (zh[0] >> 4) > 7 ||
		    ((zh[0] << 8) | zh[1]) % 31 || (zh[1] & 0x20))
			return -EBADMSG;
		break;
	case WD_COMP_GZIP:
		r->trl_len = WD_CZ_GZIP_TRAILER;
		ret = wd_cz_gzip_header(src, min(r->len, WD_CZ_HDR_MAX));
		if (ret < 0)
			return ret;
		r->hdr_len = ret;
		break;
	default:
		break;
	}
	/* the DEFLATE data cannot be empty */
	if (r->len <= r->hdr_len + r->trl_len)
		return -EBADMSG;
	return 0;
}

/*
 * Inflate a DECOMPRESS's data on the CPU, with a full 32 KiB window, into
 * the destination as far as it holds: -ENOSPC once the output passes
 * @r->space (soft0 stops there too, whatever follows), -EBADMSG if the
 * stream breaks or the input ends first, else the output's length. This
 * is a CPU provider's decompression, and the explanation of a device's
 * failed one. Context: process (the workqueue).
 */
static long wd_cz_inflate(struct wd_cz_req *r)
{
	struct sg_mapping_iter in;
	z_stream s = {};
	int zret = Z_OK;
	size_t before;
	long ret;
	u8 *sink;

	s.workspace = kvmalloc(zlib_inflate_workspacesize(),
			       GFP_KERNEL_ACCOUNT);
	sink = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!s.workspace || !sink) {
		ret = -ENOMEM;
		goto out;
	}
	if (zlib_inflateInit2(&s, -MAX_WBITS) != Z_OK) {
		ret = -ENOMEM;
		goto out;
	}
	sg_miter_start(&in, r->src.sgl, r->src.orig_nents, SG_MITER_FROM_SG);
	while (zret == Z_OK && s.total_out <= r->space &&
	       sg_miter_next(&in)) {
		s.next_in = in.addr;
		s.avail_in = in.length;
		do {
			before = s.total_out;
			s.next_out = sink;
			s.avail_out = PAGE_SIZE;
			zret = zlib_inflate(&s, Z_SYNC_FLUSH);
			/* no progress without more input */
			if (zret == Z_BUF_ERROR)
				zret = Z_OK;
			/* mapped and unmapped inside the source's mapping */
			if (before < r->space)
				sg_pcopy_from_buffer(r->dst.sgl, r->dst.orig_nents,
						     sink, min_t(size_t,
						     s.total_out - before,
						     r->space - before), before);
			cond_resched();
		} while (zret == Z_OK && s.total_out <= r->space &&
			 (s.avail_in || !s.avail_out));
	}
	sg_miter_stop(&in);
	/* one stream, all of the data: nothing may follow it */
	if (s.total_out > r->space)
		ret = -ENOSPC;
	else if (zret == Z_STREAM_END && s.total_in == r->slen)
		ret = s.total_out;
	else
		ret = -EBADMSG;
	zlib_inflateEnd(&s);
out:
	kfree(sink);
	kvfree(s.workspace);
	return ret;
}

/* The request is over: its result, and the checksum as its value. */
static void wd_cz_end(struct wd_cz_req *r, int err, u32 res, u32 sum)
{
	struct wd_req *rq = r->rq;

	/* canceled while it held one */
	wd_cz_pool_put(r);
	rq->res = err ?: res;
	rq->res2 = err ? 0 : sum;
	wd_complete(rq);
}

/* zlib's deflateBound() for raw DEFLATE: the longest output of @len. */
static u64 wd_cz_bound(u32 len)
{
	return (u64)len + (len >> 12) + (len >> 14) + (len >> 25) + 7;
}

/*
 * A failed compression: short of memory, or of room for the output, as
 * long as there was less room than the worst case; with room for that,
 * the provider itself failed.
 */
static int wd_cz_comp_err(struct wd_cz_req *r, int err)
{
	if (err == -ENOMEM || err == -ECANCELED)
		return err;
	return r->space < wd_cz_bound(r->len) ? -ENOSPC : -EIO;
}

static void wd_cz_post_compress(struct wd_cz_req *r)
{
	/* raw DEFLATE of nothing: one empty final block with fixed codes */
	static const u8 empty[] = { 0x03, 0x00 };
	static const u8 gzip_hdr[WD_CZ_GZIP_HDR] = {
		/* magic, deflate, no flags, no mtime, no extra flags, Unix */
		0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
	};
	/* 32 KiB window, default level, check bits */
	static const u8 zlib_hdr[WD_CZ_ZLIB_HDR] = { 0x78, 0x9c };
	struct wd_dma *dma = r->rq->dma;
	struct sg_table *dst = &dma->addr2.sgt;
	u8 trailer[WD_CZ_GZIP_TRAILER];
	u32 out = r->out, sum;
	int err = r->err;

	if (!err && !r->called) {
		if (r->space < sizeof(empty)) {
			err = -ENOSPC;
		} else {
			sg_pcopy_from_buffer(dst->sgl, dst->orig_nents, empty,
					     sizeof(empty), r->hdr_len);
			out = sizeof(empty);
		}
	}
	if (err || out > r->space) {
		wd_cz_end(r, err ? wd_cz_comp_err(r, err) : -ENOSPC, 0, 0);
		return;
	}
	if (r->format == WD_COMP_DEFLATE) {
		wd_cz_end(r, 0, out, 0);
		return;
	}

	sum = r->len ? wd_cz_sum(r->format, &dma->addr.sgt, r->len) :
		       wd_cz_sum(r->format, NULL, 0);
	if (r->format == WD_COMP_GZIP) {
		sg_pcopy_from_buffer(dst->sgl, dst->orig_nents, gzip_hdr,
				     sizeof(gzip_hdr), 0);
		put_unaligned_le32(sum, trailer);
		put_unaligned_le32(r->len, trailer + 4);
	} else {
		sg_pcopy_from_buffer(dst->sgl, dst->orig_nents, zlib_hdr,
				     sizeof(zlib_hdr), 0);
		put_unaligned_be32(sum, trailer);
	}
	sg_pcopy_from_buffer(dst->sgl, dst->orig_nents, trailer, r->trl_len,
			     r->hdr_len + out);
	wd_cz_end(r, 0, r->hdr_len + out + r->trl_len, sum);
}

static void wd_cz_post_decompress(struct wd_cz_req *r)
{
	struct wd_dma *dma = r->rq->dma;
	u8 trailer[WD_CZ_GZIP_TRAILER];
	u32 out = r->out, sum;
	int err = r->err;
	long got;

	/*
	 * Not the provider's (the CPU's, or no room for output), or it
	 * failed: corrupt, or too long, or neither? It does not say which.
	 */
	if (!r->called || (err && err != -ENOMEM && err != -ECANCELED)) {
		got = wd_cz_inflate(r);
		err = got < 0 ? got : 0;
		out = got < 0 ? 0 : got;
	}
	if (!err && out > r->space)
		err = -ENOSPC;
	if (err) {
		wd_cz_end(r, err, 0, 0);
		return;
	}
	if (r->format == WD_COMP_DEFLATE) {
		wd_cz_end(r, 0, out, 0);
		return;
	}

	sum = wd_cz_sum(r->format, &r->dst, out);
	sg_pcopy_to_buffer(dma->addr.sgt.sgl, dma->addr.sgt.orig_nents,
			   trailer, r->trl_len, r->len - r->trl_len);
	if (r->format == WD_COMP_GZIP ?
	    get_unaligned_le32(trailer) != sum ||
	    get_unaligned_le32(trailer + 4) != out :
	    get_unaligned_be32(trailer) != sum)
		err = -EBADMSG;
	wd_cz_end(r, err, out, sum);
}

/* Everything after the provider's call. Context: process. */
static void wd_cz_post(struct wd_cz_req *r)
{
	if (r->op == WD_OP_COMPRESS)
		wd_cz_post_compress(r);
	else
		wd_cz_post_decompress(r);
}

/*
 * The provider is done with @r: finish here when that costs no more than
 * the request may spend where it is (@here) and needs no inflate, else on
 * the workqueue. Raw DEFLATE that succeeded has nothing left to do.
 */
static void wd_cz_provided(struct wd_cz_req *r, int err, bool here)
{
	r->err = err;
	r->out = r->called && !err ? r->areq->dlen : 0;
	wd_cz_pool_put(r);
	if (!err && r->format == WD_COMP_DEFLATE && r->called &&
	    r->out <= r->space) {
		wd_cz_end(r, 0, r->out, 0);
		return;
	}
	if (here && !(r->op == WD_OP_DECOMPRESS && (err || !r->called))) {
		wd_cz_post(r);
		return;
	}
	r->post = true;
	queue_work(r->wq, &r->work);
}

/* The provider's callback: softirq, hard interrupt or process context. */
static void wd_cz_done(void *data, int err)
{
	struct wd_cz_req *r = data;

	/* moved from the provider's backlog to its queue: not the end */
	if (err == -EINPROGRESS)
		return;
	wd_cz_provided(r, err, false);
}

static void wd_cz_run(struct wd_cz_req *r, bool may_sleep, bool here)
{
	u32 flags = CRYPTO_TFM_REQ_MAY_BACKLOG |
		    (may_sleep ? CRYPTO_TFM_REQ_MAY_SLEEP : 0);
	int err;

	/*
	 * Nothing for the provider: an empty input, no room for output, or
	 * a decompression on the CPU, which wd_cz_inflate() does.
	 */
	if (!r->slen || !r->space ||
	    (r->op == WD_OP_DECOMPRESS && !r->cz->hw)) {
		wd_cz_provided(r, 0, here);
		return;
	}
	if (!r->areq && !wd_cz_pool_get(r))
		return;		/* in line for a request: queued with one */
	acomp_request_set_params(r->areq, r->op == WD_OP_COMPRESS ?
				 r->rq->dma->addr.sgt.sgl : r->src.sgl,
				 r->dst.sgl, r->slen, r->space);
	acomp_request_set_callback(r->areq, flags, wd_cz_done, r);
	r->called = true;
	err = r->op == WD_OP_COMPRESS ? crypto_acomp_compress(r->areq) :
					crypto_acomp_decompress(r->areq);
	if (err == -EINPROGRESS || err == -EBUSY)
		return;
	wd_cz_provided(r, err, here);
}

static void wd_cz_work(struct work_struct *work)
{
	struct wd_cz_req *r = container_of(work, struct wd_cz_req, work);

	if (r->post) {
		wd_cz_post(r);
		return;
	}
	if (wd_req_canceled(r->rq) || wd_req_owner_gone(r->rq)) {
		wd_cz_end(r, -ECANCELED, 0, 0);
		return;
	}
	wd_cz_run(r, true, true);
}

static void wd_cz_free(struct wd_cz_req *r)
{
	/* a device's: made for the request (a CPU one's went back) */
	if (r->areq)
		acomp_request_free(r->areq);
	sg_free_table(&r->src);
	sg_free_table(&r->dst);
	kfree(r);
}

/* Lay a request out for the provider; the framing checks come first. */
static int wd_cz_prep(struct wd_cr *cr, struct wd_cz_req *r,
		      const struct wd_args *a)
{
	struct wd_dma *dma = r->rq->dma;
	u32 dst_len = WD_COMP_ARG_DST_LEN(a->arg);
	u32 cap = cr->cz.max_len ?: U32_MAX;
	int ret;

	if (r->op == WD_OP_COMPRESS) {
		if (r->format == WD_COMP_GZIP) {
			r->hdr_len = WD_CZ_GZIP_HDR;
			r->trl_len = WD_CZ_GZIP_TRAILER;
		} else if (r->format == WD_COMP_ZLIB) {
			r->hdr_len = WD_CZ_ZLIB_HDR;
			r->trl_len = WD_CZ_ZLIB_TRAILER;
		}
		if (dst_len < r->hdr_len + r->trl_len)
			return -ENOSPC;
		r->space = min(dst_len - r->hdr_len - r->trl_len, cap);
		/* DEFLATE data of anything takes at least two bytes */
		if (r->len && !r->space)
			return -ENOSPC;
		/* 0: the empty stream is written in the post step */
		r->slen = r->len;
	} else {
		if (!r->len)
			return -EBADMSG;
		ret = wd_cz_parse(r, &dma->addr.sgt);
		if (ret)
			return ret;
		r->slen = r->len - r->hdr_len - r->trl_len;
		ret = wd_cz_slice(&r->src, &dma->addr.sgt, r->hdr_len, r->slen);
		if (ret)
			return ret;
		r->space = min(dst_len, cap);
	}
	if (r->space) {
		ret = wd_cz_slice(&r->dst, &dma->addr2.sgt,
				  r->op == WD_OP_COMPRESS ? r->hdr_len : 0,
				  r->space);
		if (ret)
			return ret;
	}
	/* a device's provider: a request of its own (a CPU's: the pool) */
	if (cr->cz.hw && r->slen && r->space) {
		r->areq = acomp_request_alloc(cr->cz.tfm);
		if (!r->areq)
			return -ENOMEM;
	}
	return 0;
}

/**
 * wd_cz_submit() - start a COMPRESS or DECOMPRESS
 * @cr: crypto0
 * @rq: the request, validated by the core, its operands pinned
 * @a: its arguments
 * @nowait: in the io_uring issue path
 *
 * Return: 0 (the request is the driver's: it completes), or a negative
 * errno to fail it with.
 */
int wd_cz_submit(struct wd_cr *cr, struct wd_req *rq, const struct wd_args *a,
		 bool nowait)
{
	struct wd_device *wdev = cr->wdev;
	u32 dst_len = WD_COMP_ARG_DST_LEN(a->arg);
	struct wd_cz_req *r;
	bool short_req;
	int ret;

	BUILD_BUG_ON(offsetof(struct wd_cz_req, op));
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->op = a->op;
	r->format = WD_COMP_ARG_FORMAT(a->arg);
	r->rq = rq;
	r->cz = &cr->cz;
	r->wq = cr->wq;
	r->len = a->len;
	INIT_LIST_HEAD(&r->wait);
	INIT_WORK(&r->work, wd_cz_work);
	ret = wd_cz_prep(cr, r, a);
	if (ret) {
		wd_cz_free(r);
		return ret;
	}

	rq->priv = r;
	wd_doorbell_count(wdev);
	/* as for crypto ops: a device's queue now, the CPU only when short */
	short_req = max(r->len, dst_len) <= READ_ONCE(wdev->inline_max);
	if ((cr->cz.hw && cr->cz.async) || short_req)
		wd_cz_run(r, !nowait, short_req);
	else
		queue_work(cr->wq, &r->work);
	return 0;
}

/* ops->finish() for a compression request: let go of it. */
void wd_cz_finish(struct wd_cr *cr, struct wd_req *rq)
{
	wd_cz_free(rq->priv);
	rq->priv = NULL;
}

/**
 * wd_cz_init() - find crypto0's compressor
 * @cr: crypto0, not registered yet
 * @name: an acomp algorithm or implementation of the "deflate" family, or
 *	"" for none
 *
 * Without one (not built, not loaded, named wrong, or no memory for a CPU
 * provider's requests) crypto0 simply does not compress; that is not an
 * error.
 */
int wd_cz_init(struct wd_cr *cr, const char *name)
{
	struct wd_device *wdev = cr->wdev;
	struct wd_cz *cz = &cr->cz;
	struct crypto_acomp *tfm;
	struct crypto_alg *alg;
	unsigned int n;

	spin_lock_init(&cz->lock);
	INIT_LIST_HEAD(&cz->waiting);
	if (!name || !*name)
		return 0;
	tfm = crypto_alloc_acomp(name, 0, 0);
	if (IS_ERR(tfm)) {
		dev_info(&cr->pdev->dev, "no acomp \"%s\" (%ld): no compression\n",
			 name, PTR_ERR(tfm));
		return 0;
	}
	alg = crypto_acomp_tfm(tfm)->__crt_alg;
	if (strcmp(alg->cra_name, "deflate")) {
		dev_warn(&cr->pdev->dev, "%s is %s, not deflate: no compression\n",
			 name, alg->cra_name);
		crypto_free_acomp(tfm);
		return 0;
	}
	cz->tfm = tfm;
	cz->hw = wd_cr_alg_is_hw(alg);
	cz->async = alg->cra_flags & CRYPTO_ALG_ASYNC;
	if (!cz->hw) {
		cz->max_len = WD_CZ_CPU_MAX;
		n = clamp_t(unsigned int, num_possible_cpus(), 2, WD_CZ_POOL);
		while (cz->nr_free < n) {
			cz->free[cz->nr_free] = acomp_request_alloc(tfm);
			if (!cz->free[cz->nr_free])
				break;
			cz->nr_free++;
		}
		if (!cz->nr_free) {
			cz->tfm = NULL;
			crypto_free_acomp(tfm);
			return 0;
		}
	}

	wdev->ops_mask |= BIT_ULL(WD_OP_COMPRESS) | BIT_ULL(WD_OP_DECOMPRESS);
	wdev->comp_formats = BIT_ULL(WD_COMP_DEFLATE) | BIT_ULL(WD_COMP_ZLIB) |
			     BIT_ULL(WD_COMP_GZIP);
	wdev->comp_max_len = cz->max_len;
	if (cz->hw)
		wdev->dev_flags |= WD_DEV_F_DEFLATE_TAIL;
	return 0;
}

void wd_cz_exit(struct wd_cr *cr)
{
	struct wd_cz *cz = &cr->cz;

	while (cz->nr_free)
		acomp_request_free(cz->free[--cz->nr_free]);
	if (cz->tfm)
		crypto_free_acomp(cz->tfm);
}

/* sysfs "compression": the provider, as "algorithms" shows the others. */
static ssize_t compression_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct wd_cr *cr = wd_dev_to_wdev(dev)->priv;
	struct wd_cz *cz = &cr->cz;

	if (!cz->tfm)
		return sysfs_emit(buf, "deflate acomp -\n");
	return sysfs_emit(buf, "deflate acomp %s %s %s\n",
			  crypto_tfm_alg_driver_name(crypto_acomp_tfm(cz->tfm)),
			  cz->hw ? "hw" : "cpu", cz->async ? "async" : "sync");
}
DEVICE_ATTR_RO(compression);
