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
 * The errors mean what they mean on every WarpDrive device, although
 * providers do not say which is which: the kernel's software deflate
 * fails an output that does not fit and a corrupt stream alike with
 * -EINVAL. So when a decompression fails without saying -ENOSPC, the
 * input is inflated once more on the CPU, its output discarded, up to one
 * byte more than the destination holds: a stream that gets that far is
 * -ENOSPC, one that breaks before is -EBADMSG. That costs a failed
 * request no more than soft0 would have spent on it.
 *
 * What the crypto API does not report is how much input the provider
 * used, so bytes after the end of a raw DEFLATE stream go unnoticed: the
 * device says so with WD_DEV_F_DEFLATE_TAIL. (zlib and gzip input is
 * checked to its trailer, the last bytes of the source.)
 *
 * Limits: synchronous software implementations (scomp) work through
 * per-CPU scratch buffers of 128 KiB on 6.12 and 7.x alike, so with one
 * of those a request reads and writes at most 128 KiB. That is reported
 * as comp_max_len (GET_FEATURES and sysfs): longer input is refused with
 * -EINVAL, output beyond it fails with -ENOSPC.
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

/* SCOMP_SCRATCH_SIZE: what an scomp implementation can take or give */
#define WD_CZ_SCOMP_MAX		(128U << 10)
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
 * @hdr_len: framing before the DEFLATE data
 * @trl_len: framing after it
 * @post: the workqueue item finishes the request rather than start it
 * @called: the provider was given the request
 * @rq: the core's request
 * @wq: crypto0's workqueue
 * @areq: the acomp request
 * @len: bytes of source
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
	u8			hdr_len;
	u8			trl_len;
	bool			post;
	bool			called;
	struct wd_req		*rq;
	struct workqueue_struct	*wq;
	struct acomp_req	*areq;
	u32			len;
	u32			space;
	int			err;
	u32			out;
	struct sg_table		src;
	struct sg_table		dst;
	struct work_struct	work;
};

static struct acomp_req *wd_cz_areq_get(struct wd_cz *cz)
{
	struct acomp_req *req = NULL;

	spin_lock(&cz->lock);
	if (cz->nr_free)
		req = cz->free[--cz->nr_free];
	spin_unlock(&cz->lock);
	return req ?: acomp_request_alloc(cz->tfm);
}

static void wd_cz_areq_put(struct wd_cz *cz, struct acomp_req *req)
{
	spin_lock(&cz->lock);
	if (cz->nr_free < WD_CZ_CACHE) {
		cz->free[cz->nr_free++] = req;
		req = NULL;
	}
	spin_unlock(&cz->lock);
	if (req)
		acomp_request_free(req);
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

/*
 * Where the DEFLATE data starts in a gzip member (RFC 1952, 2.3) whose
 * first @n bytes are @h, or -EBADMSG.
 */
static int wd_cz_gzip_header(const u8 *h, u32 n)
{
	const u8 *p = h, *end = h + n;
	u8 flags;

	if (n < WD_CZ_GZIP_HDR || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 ||
	    (p[3] & WD_CZ_FRESERVED))
		return -EBADMSG;
	flags = p[3];
	p += WD_CZ_GZIP_HDR;
	if (flags & WD_CZ_FEXTRA) {
		if (end - p < 2 || end - p < 2 + get_unaligned_le16(p))
			return -EBADMSG;
		p += 2 + get_unaligned_le16(p);
	}
	if (flags & WD_CZ_FNAME) {
		p = memchr(p, 0, end - p);
		if (!p++)
			return -EBADMSG;
	}
	if (flags & WD_CZ_FCOMMENT) {
		p = memchr(p, 0, end - p);
		if (!p++)
			return -EBADMSG;
	}
	if (flags & WD_CZ_FHCRC) {
		if (end - p < 2)
			return -EBADMSG;
		p += 2;
	}
	return p - h;
}

/*
 * The framing of a DECOMPRESS's source: set @r->hdr_len and @r->trl_len,
 * or -EBADMSG.
 */
static int wd_cz_parse(struct wd_cz_req *r, struct sg_table *src)
{
	u32 n = min(r->len, WD_CZ_HDR_MAX);
	u8 zh[WD_CZ_ZLIB_HDR];
	int ret = 0;
	u8 *h;

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
		h = kmalloc(n, GFP_KERNEL);
		if (!h)
			return -ENOMEM;
		sg_pcopy_to_buffer(src->sgl, src->orig_nents, h, n, 0);
		ret = wd_cz_gzip_header(h, n);
		kfree(h);
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
 * Inflate a failed DECOMPRESS's data on the CPU, keeping none of the
 * output, to say why it failed: -ENOSPC once the output passes @r->space
 * (soft0 stops there too, whatever follows), -EBADMSG if the stream breaks
 * or ends short first, or its length when it is whole and fits.
 */
static long wd_cz_probe(struct wd_cz_req *r)
{
	struct sg_mapping_iter it;
	z_stream s = {};
	int zret = Z_OK;
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
	sg_miter_start(&it, r->src.sgl, r->src.orig_nents, SG_MITER_FROM_SG);
	while (zret == Z_OK && s.total_out <= r->space &&
	       sg_miter_next(&it)) {
		s.next_in = it.addr;
		s.avail_in = it.length;
		do {
			s.next_out = sink;
			s.avail_out = PAGE_SIZE;
			zret = zlib_inflate(&s, Z_SYNC_FLUSH);
			/* no progress without more input */
			if (zret == Z_BUF_ERROR)
				zret = Z_OK;
			if (s.total_out > r->space)
				break;
		} while (zret == Z_OK && (s.avail_in || !s.avail_out));
		cond_resched();
	}
	sg_miter_stop(&it);
	/* raw inflate may want a byte past the end to see the end */
	if (zret == Z_OK && s.total_out <= r->space) {
		u8 zero = 0;

		s.next_in = &zero;
		s.avail_in = 1;
		s.next_out = sink;
		s.avail_out = PAGE_SIZE;
		zret = zlib_inflate(&s, Z_FINISH);
	}
	if (s.total_out > r->space)
		ret = -ENOSPC;
	else if (zret == Z_STREAM_END)
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

	rq->res = err ?: res;
	rq->res2 = err ? 0 : sum;
	wd_complete(rq);
}

/* A failed compression: short of memory, or of room for the output. */
static int wd_cz_comp_err(int err)
{
	switch (err) {
	case -ENOSPC:
	case -EOVERFLOW:
	case -E2BIG:
	case -EINVAL:
		return -ENOSPC;
	default:
		return err;
	}
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
		wd_cz_end(r, err ? wd_cz_comp_err(err) : -ENOSPC, 0, 0);
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

	if (err == -EOVERFLOW)
		err = -ENOSPC;
	/*
	 * A provider's -EINVAL: corrupt, or too long? And with no room for
	 * output the provider is not asked: the probe answers alone.
	 */
	if (!r->called ||
	    (err && err != -ENOSPC && err != -ENOMEM && err != -ECANCELED)) {
		got = wd_cz_probe(r);
		if (got < 0)
			err = got;
		else if (!r->called)
			/* nothing to write to: the stream's output is empty */
			err = 0, out = got;
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
 * the request may spend where it is (@here), else on the workqueue.
 * Raw DEFLATE that succeeded has nothing left to do.
 */
static void wd_cz_provided(struct wd_cz_req *r, int err, bool here)
{
	r->err = err;
	r->out = r->called && !err ? r->areq->dlen : 0;
	if (!err && r->format == WD_COMP_DEFLATE && r->called &&
	    r->out <= r->space) {
		wd_cz_end(r, 0, r->out, 0);
		return;
	}
	if (here) {
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

	if (!r->areq) {
		/* nothing for the provider to do: the output has no room */
		wd_cz_provided(r, r->op == WD_OP_COMPRESS ? 0 : -ENOSPC, here);
		return;
	}
	r->called = true;
	acomp_request_set_callback(r->areq, flags, wd_cz_done, r);
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

static void wd_cz_free(struct wd_cr *cr, struct wd_cz_req *r)
{
	if (r->areq)
		wd_cz_areq_put(&cr->cz, r->areq);
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
	struct scatterlist *src;
	u32 slen;
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
		/* the empty stream is written in the post step */
		if (!r->len)
			return 0;
		src = dma->addr.sgt.sgl;
		slen = r->len;
	} else {
		if (!r->len)
			return -EBADMSG;
		ret = wd_cz_parse(r, &dma->addr.sgt);
		if (ret)
			return ret;
		ret = wd_cz_slice(&r->src, &dma->addr.sgt, r->hdr_len,
				  r->len - r->hdr_len - r->trl_len);
		if (ret)
			return ret;
		r->space = min(dst_len, cap);
		src = r->src.sgl;
		slen = r->len - r->hdr_len - r->trl_len;
	}
	if (!r->space)
		return 0;
	ret = wd_cz_slice(&r->dst, &dma->addr2.sgt,
			  r->op == WD_OP_COMPRESS ? r->hdr_len : 0, r->space);
	if (ret)
		return ret;
	r->areq = wd_cz_areq_get(&cr->cz);
	if (!r->areq)
		return -ENOMEM;
	acomp_request_set_params(r->areq, src, r->dst.sgl, slen, r->space);
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
	int ret;

	BUILD_BUG_ON(offsetof(struct wd_cz_req, op));
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->op = a->op;
	r->format = WD_COMP_ARG_FORMAT(a->arg);
	r->rq = rq;
	r->wq = cr->wq;
	r->len = a->len;
	INIT_WORK(&r->work, wd_cz_work);
	ret = wd_cz_prep(cr, r, a);
	if (ret) {
		wd_cz_free(cr, r);
		return ret;
	}

	rq->priv = r;
	wd_doorbell_count(wdev);
	/* as for crypto ops: a device's queue now, the CPU only when short */
	if ((cr->cz.hw && cr->cz.async && r->areq) ||
	    max(r->len, dst_len) <= READ_ONCE(wdev->inline_max))
		wd_cz_run(r, !nowait,
			  max(r->len, dst_len) <= READ_ONCE(wdev->inline_max));
	else
		queue_work(cr->wq, &r->work);
	return 0;
}

/* ops->finish() for a compression request: let go of it. */
void wd_cz_finish(struct wd_cr *cr, struct wd_req *rq)
{
	wd_cz_free(cr, rq->priv);
	rq->priv = NULL;
}

/**
 * wd_cz_init() - find crypto0's compressor
 * @cr: crypto0, not registered yet
 * @name: an acomp algorithm or implementation of the "deflate" family, or
 *	"" for none
 *
 * Without one (not built, not loaded, or named wrong) crypto0 simply
 * does not compress; that is not an error.
 */
int wd_cz_init(struct wd_cr *cr, const char *name)
{
	struct wd_device *wdev = cr->wdev;
	struct wd_cz *cz = &cr->cz;
	struct crypto_acomp *tfm;
	struct crypto_alg *alg;

	spin_lock_init(&cz->lock);
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
	if ((alg->cra_flags & CRYPTO_ALG_TYPE_MASK) ==
	    CRYPTO_ALG_TYPE_SCOMPRESS)
		cz->max_len = WD_CZ_SCOMP_MAX;

	wdev->ops_mask |= BIT_ULL(WD_OP_COMPRESS) | BIT_ULL(WD_OP_DECOMPRESS);
	wdev->comp_formats = BIT_ULL(WD_COMP_DEFLATE) | BIT_ULL(WD_COMP_ZLIB) |
			     BIT_ULL(WD_COMP_GZIP);
	wdev->comp_max_len = cz->max_len;
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
