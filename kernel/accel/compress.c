// SPDX-License-Identifier: GPL-2.0
/*
 * COMPRESS and DECOMPRESS on the CPU, with the kernel's zlib and zstd, over
 * user memory in the current address space: raw DEFLATE (RFC 1951), zlib
 * (RFC 1950, the kernel zlib's own wrapper), gzip (RFC 1952, whose header
 * and trailer are written and checked here, around raw DEFLATE: the
 * kernel's zlib does not do gzip) and, where the kernel has it, zstd
 * (RFC 8878, streaming, with a content checksum).
 *
 * Both directions are single-shot: the input streams in from the source
 * through half of the bounce buffer, the output streams out to the
 * destination through the other half, and the destination's size is a
 * hard limit. The zlib workspaces belong to the executor context (one per
 * engine, allocated once), so nothing large is allocated per request.
 */
#include <linux/crc32.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <linux/zlib.h>
#include <linux/zstd.h>
#include <linux/lz4.h>
#include <linux/xxhash.h>
#include "wd_internal.h"

#define WD_LZ4 (IS_REACHABLE(CONFIG_LZ4_COMPRESS) && \
		IS_REACHABLE(CONFIG_LZ4_DECOMPRESS) && \
		IS_REACHABLE(CONFIG_XXHASH))
/* LZ4 frame format (lz4_Frame_format.md), what we write and accept */
#define WD_LZ4_MAGIC		0x184D2204
#define WD_LZ4_FLG_VERSION	0x40
#define WD_LZ4_FLG_VERSION_MASK	0xc0
#define WD_LZ4_FLG_B_INDEP	BIT(5)
#define WD_LZ4_FLG_B_CHECKSUM	BIT(4)
#define WD_LZ4_FLG_C_SIZE	BIT(3)
#define WD_LZ4_FLG_C_CHECKSUM	BIT(2)
#define WD_LZ4_FLG_RESERVED	BIT(1)
#define WD_LZ4_FLG_DICT_ID	BIT(0)
#define WD_LZ4_BD_64K		0x40	/* block maximum 64 KiB */
#define WD_LZ4_UNCOMPRESSED	0x80000000U
/* the blocks we write: the bounce buffer's input half at most */
#define WD_LZ4_WRITE_BLOCK	(32U << 10)
#define WD_LZ4_MAX_BLOCK	(4U << 20)

#define WD_ZSTD (IS_REACHABLE(CONFIG_ZSTD_COMPRESS) && \
		 IS_REACHABLE(CONFIG_ZSTD_DECOMPRESS))
#define WD_ZSTD_DEFAULT_LEVEL	3
/* Frames needing a larger window are refused: it bounds the workspace. */
#define WD_ZSTD_MAX_WINDOW	(8U << 20)

#define WD_GZIP_HDR_LEN		10
#define WD_GZIP_TRAILER_LEN	8
#define WD_ZLIB_MEM_LEVEL	DEF_MEM_LEVEL

/* gzip header flags (RFC 1952, 2.3.1) */
#define WD_GZ_FHCRC		BIT(1)
#define WD_GZ_FEXTRA		BIT(2)
#define WD_GZ_FNAME		BIT(3)
#define WD_GZ_FCOMMENT		BIT(4)
#define WD_GZ_FRESERVED		0xe0

/**
 * wd_cpu_ctx_alloc_codecs() - give an executor context the zlib workspaces
 * @ctx: the context; its bounce buffer must be at least 1 KiB
 *
 * zstd's workspaces come on first use: they are several MiB, and sized by
 * the level asked for.
 *
 * Return: 0 or -ENOMEM.
 */
int wd_cpu_ctx_alloc_codecs(struct wd_cpu_ctx *ctx)
{
	ctx->deflate_ws = vmalloc(zlib_deflate_workspacesize(MAX_WBITS,
							      WD_ZLIB_MEM_LEVEL));
	ctx->inflate_ws = vmalloc(zlib_inflate_workspacesize());
	if (!ctx->deflate_ws || !ctx->inflate_ws) {
		wd_cpu_ctx_free_codecs(ctx);
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(wd_cpu_ctx_alloc_codecs);

void wd_cpu_ctx_free_codecs(struct wd_cpu_ctx *ctx)
{
	vfree(ctx->deflate_ws);
	vfree(ctx->inflate_ws);
	vfree(ctx->zstd_cws);
	vfree(ctx->zstd_dws);
	vfree(ctx->lz4_ws);
	vfree(ctx->lz4_in);
	vfree(ctx->lz4_out);
	ctx->lz4_ws = NULL;
	ctx->lz4_in = NULL;
	ctx->lz4_out = NULL;
	ctx->lz4_block = 0;
	ctx->deflate_ws = NULL;
	ctx->inflate_ws = NULL;
	ctx->zstd_cws = NULL;
	ctx->zstd_cws_size = 0;
	ctx->zstd_dws = NULL;
}
EXPORT_SYMBOL_GPL(wd_cpu_ctx_free_codecs);

/* One direction's state: where the streams are in user memory. */
struct wd_zjob {
	struct wd_cpu_ctx	*ctx;
	const struct wd_args	*a;
	u32			format;
	u32			dst_len;
	u32			in_pos;		/* source bytes read */
	u32			out_pos;	/* destination bytes written */
	u8			*in, *out;	/* halves of the bounce buffer */
	size_t			half;
	u32			crc;		/* gzip: CRC-32 register */
	u32			adler;		/* zlib: Adler-32 of the data */
};

/* Append @n bytes to the destination, within its size. */
static int wd_zput(struct wd_zjob *j, const void *buf, size_t n)
{
	if (n > j->dst_len - j->out_pos)
		return -ENOSPC;
	if (wd_cpu_copy_out(j->ctx, j->a->addr2 + j->out_pos, buf, n))
		return -EFAULT;
	j->out_pos += n;
	return 0;
}

/*
 * Read the next piece of the source into the input half: its size. Each
 * piece is a point where a canceled request stops.
 */
static ssize_t wd_zread(struct wd_zjob *j)
{
	size_t n = min_t(size_t, j->a->len - j->in_pos, j->half);

	if (wd_cpu_should_stop(j->ctx))
		return -ECANCELED;
	if (wd_cpu_copy_in(j->ctx, j->in, j->a->addr + j->in_pos, n))
		return -EFAULT;
	j->in_pos += n;
	return n;
}

/* The same, as zlib's next input. */
static int wd_zget(struct wd_zjob *j, z_stream *s)
{
	ssize_t n = wd_zread(j);

	if (n < 0)
		return n;
	s->next_in = j->in;
	s->avail_in = n;
	return 0;
}

static void wd_zjob_init(struct wd_zjob *j, struct wd_cpu_ctx *ctx,
			 const struct wd_args *a)
{
	memset(j, 0, sizeof(*j));
	j->ctx = ctx;
	j->a = a;
	j->format = WD_COMP_ARG_FORMAT(a->arg);
	j->dst_len = WD_COMP_ARG_DST_LEN(a->arg);
	j->half = ctx->bounce_size / 2;
	j->in = ctx->bounce;
	j->out = j->in + j->half;
	j->crc = ~0U;
}

static int wd_deflate(struct wd_cpu_ctx *ctx, struct wd_zjob *j, z_stream *s)
{
	int level = WD_COMP_ARG_LEVEL(j->a->arg);
	int flush, ret, err;

	if (j->format == WD_COMP_GZIP) {
		/* magic, deflate, no flags, no mtime, no extra flags, Unix */
		static const u8 hdr[WD_GZIP_HDR_LEN] = {
			0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
		};

		err = wd_zput(j, hdr, sizeof(hdr));
		if (err)
			return err;
	}

	s->workspace = ctx->deflate_ws;
	if (zlib_deflateInit2(s, level, Z_DEFLATED,
			      j->format == WD_COMP_ZLIB ? MAX_WBITS : -MAX_WBITS,
			      WD_ZLIB_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		return -EINVAL;

	do {
		if (!s->avail_in && j->in_pos < j->a->len) {
			err = wd_zget(j, s);
			if (err)
				goto out;
			if (j->format == WD_COMP_GZIP)
				j->crc = crc32_le(j->crc, j->in, s->avail_in);
		}
		flush = j->in_pos == j->a->len ? Z_FINISH : Z_NO_FLUSH;
		s->next_out = j->out;
		s->avail_out = j->half;
		ret = zlib_deflate(s, flush);
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
			err = -EINVAL;
			goto out;
		}
		err = wd_zput(j, j->out, j->half - s->avail_out);
		if (err)
			goto out;
		cond_resched();
	} while (ret != Z_STREAM_END);

	if (j->format == WD_COMP_GZIP) {
		u8 trailer[WD_GZIP_TRAILER_LEN];

		put_unaligned_le32(~j->crc, trailer);
		put_unaligned_le32(j->a->len, trailer + 4);
		err = wd_zput(j, trailer, sizeof(trailer));
	}
out:
	zlib_deflateEnd(s);
	return err;
}

/* Past a zero-terminated header field, or NULL when it does not end. */
static const u8 *wd_gzip_skip_string(const u8 *p, const u8 *end)
{
	const u8 *nul = memchr(p, 0, end - p);

	return nul ? nul + 1 : NULL;
}

/*
 * Skip a gzip member header (RFC 1952, 2.3) at the start of the input.
 * The header must fit in the first piece read; one that does not (a file
 * name longer than the piece) is refused as malformed.
 */
static int wd_gzip_header(struct wd_zjob *j, z_stream *s)
{
	const u8 *p = s->next_in, *end = p + s->avail_in;
	u8 flags;

	if (end - p < WD_GZIP_HDR_LEN || p[0] != 0x1f || p[1] != 0x8b ||
	    p[2] != 8 || (p[3] & WD_GZ_FRESERVED))
		return -EBADMSG;
	flags = p[3];
	p += WD_GZIP_HDR_LEN;
	if (flags & WD_GZ_FEXTRA) {
		size_t xlen;

		if (end - p < 2)
			return -EBADMSG;
		xlen = get_unaligned_le16(p);
		if ((size_t)(end - p) < 2 + xlen)
			return -EBADMSG;
		p += 2 + xlen;
	}
	if (flags & WD_GZ_FNAME) {
		p = wd_gzip_skip_string(p, end);
		if (!p)
			return -EBADMSG;
	}
	if (flags & WD_GZ_FCOMMENT) {
		p = wd_gzip_skip_string(p, end);
		if (!p)
			return -EBADMSG;
	}
	if (flags & WD_GZ_FHCRC) {
		if (end - p < 2)
			return -EBADMSG;
		p += 2;
	}
	s->avail_in -= p - s->next_in;
	s->next_in = p;
	return 0;
}

/* The 8-byte gzip trailer: what is left in the input, then the source. */
static int wd_gzip_trailer(struct wd_zjob *j, z_stream *s)
{
	u8 trailer[WD_GZIP_TRAILER_LEN];
	size_t have = min_t(size_t, s->avail_in, sizeof(trailer));

	memcpy(trailer, s->next_in, have);
	s->avail_in -= have;
	if (have < sizeof(trailer)) {
		size_t more = sizeof(trailer) - have;

		if (j->a->len - j->in_pos < more)
			return -EBADMSG;	/* truncated */
		if (wd_cpu_copy_in(j->ctx, trailer + have,
				   j->a->addr + j->in_pos, more))
			return -EFAULT;
		j->in_pos += more;
	}
	if (get_unaligned_le32(trailer) != ~j->crc ||
	    get_unaligned_le32(trailer + 4) != j->out_pos)
		return -EBADMSG;
	return 0;
}

static int wd_inflate(struct wd_cpu_ctx *ctx, struct wd_zjob *j, z_stream *s)
{
	int ret, err;

	s->workspace = ctx->inflate_ws;
	if (zlib_inflateInit2(s, j->format == WD_COMP_ZLIB ? MAX_WBITS :
						       -MAX_WBITS) != Z_OK)
		return -EINVAL;

	err = wd_zget(j, s);
	if (!err && j->format == WD_COMP_GZIP)
		err = wd_gzip_header(j, s);
	if (err)
		goto out;

	for (;;) {
		if (!s->avail_in && j->in_pos < j->a->len) {
			err = wd_zget(j, s);
			if (err)
				goto out;
		}
		s->next_out = j->out;
		s->avail_out = j->half;
		ret = zlib_inflate(s, Z_SYNC_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END &&
		    !(ret == Z_BUF_ERROR && s->avail_out)) {
			/* corrupt data, a bad Adler-32, a preset dictionary */
			err = -EBADMSG;
			goto out;
		}
		if (j->format == WD_COMP_GZIP)
			j->crc = crc32_le(j->crc, j->out,
					  j->half - s->avail_out);
		err = wd_zput(j, j->out, j->half - s->avail_out);
		if (err)
			goto out;
		if (ret == Z_STREAM_END)
			break;
		/* the source is used up and the stream has not ended */
		if (!s->avail_in && j->in_pos == j->a->len &&
		    s->avail_out) {
			err = -EBADMSG;
			goto out;
		}
		cond_resched();
	}

	if (j->format == WD_COMP_GZIP)
		err = wd_gzip_trailer(j, s);
	/* one stream per request: anything after it is an error */
	if (!err && (s->avail_in || j->in_pos != j->a->len))
		err = -EBADMSG;
out:
	zlib_inflateEnd(s);
	return err;
}

#if WD_ZSTD
/* zstd's workspace for @level, grown (once per new level) when too small. */
static void *wd_zstd_cws(struct wd_cpu_ctx *ctx, const zstd_parameters *p)
{
	size_t need = zstd_cstream_workspace_bound(&p->cParams);

	if (ctx->zstd_cws_size < need) {
		vfree(ctx->zstd_cws);
		ctx->zstd_cws = vmalloc(need);
		ctx->zstd_cws_size = ctx->zstd_cws ? need : 0;
	}
	return ctx->zstd_cws;
}

static int wd_zstd_compress(struct wd_cpu_ctx *ctx, struct wd_zjob *j)
{
	int level = WD_COMP_ARG_LEVEL(j->a->arg) ?: WD_ZSTD_DEFAULT_LEVEL;
	zstd_parameters p = zstd_get_params(level, 0);
	zstd_in_buffer in = { .src = j->in };
	zstd_out_buffer out = { .dst = j->out, .size = j->half };
	zstd_cstream *cs;
	size_t left;
	int err;

	p.fParams.checksumFlag = 1;
	p.fParams.contentSizeFlag = 1;
	if (!wd_zstd_cws(ctx, &p))
		return -ENOMEM;
	cs = zstd_init_cstream(&p, j->a->len, ctx->zstd_cws,
			       ctx->zstd_cws_size);
	if (!cs)
		return -EINVAL;

	while (j->in_pos < j->a->len || in.pos < in.size) {
		if (in.pos == in.size) {
			ssize_t n = wd_zread(j);

			if (n < 0)
				return n;
			in.size = n;
			in.pos = 0;
		}
		out.pos = 0;
		if (zstd_is_error(zstd_compress_stream(cs, &out, &in)))
			return -EINVAL;
		err = wd_zput(j, j->out, out.pos);
		if (err)
			return err;
		cond_resched();
	}
	do {
		out.pos = 0;
		left = zstd_end_stream(cs, &out);
		if (zstd_is_error(left))
			return -EINVAL;
		err = wd_zput(j, j->out, out.pos);
		if (err)
			return err;
	} while (left);
	return 0;
}

static int wd_zstd_decompress(struct wd_cpu_ctx *ctx, struct wd_zjob *j)
{
	size_t size = zstd_dstream_workspace_bound(WD_ZSTD_MAX_WINDOW);
	zstd_in_buffer in = { .src = j->in };
	zstd_out_buffer out = { .dst = j->out, .size = j->half };
	zstd_dstream *ds;
	bool full = false;
	size_t ret = 1;
	int err;

	if (!ctx->zstd_dws)
		ctx->zstd_dws = vmalloc(size);
	if (!ctx->zstd_dws)
		return -ENOMEM;
	ds = zstd_init_dstream(WD_ZSTD_MAX_WINDOW, ctx->zstd_dws, size);
	if (!ds)
		return -EINVAL;

	while (ret) {
		/* a full output may hold more back: drain it before reading */
		if (in.pos == in.size && !full) {
			ssize_t n = wd_zread(j);

			if (n < 0)
				return n;
			/* the source ended before the frame did */
			if (!n)
				return -EBADMSG;
			in.size = n;
			in.pos = 0;
		}
		out.pos = 0;
		/* corrupt data, a bad checksum, a window over the limit */
		ret = zstd_decompress_stream(ds, &out, &in);
		if (zstd_is_error(ret))
			return -EBADMSG;
		full = out.pos == out.size;
		err = wd_zput(j, j->out, out.pos);
		if (err)
			return err;
		cond_resched();
	}
	/* one frame per request: anything after it is an error */
	if (in.pos != in.size || j->in_pos != j->a->len)
		return -EBADMSG;
	return 0;
}
#endif

#if WD_LZ4
/*
 * XXH32 over a stream, for the LZ4 frame's content checksum: later
 * kernels keep only the one-shot xxh32(). The algorithm is XXH32's
 * (xxhash_spec.md): four lanes over 16-byte stripes, then the tail and the
 * final mix.
 */
#define WD_XXH_P1	0x9E3779B1U
#define WD_XXH_P2	0x85EBCA77U
#define WD_XXH_P3	0xC2B2AE3DU
#define WD_XXH_P4	0x27D4EB2FU
#define WD_XXH_P5	0x165667B1U

struct wd_xxh32 {
	u32	lane[4];
	u64	total;
	u8	buf[16];
	u32	buffered;
	u32	seed;
};

static u32 wd_xxh32_round(u32 acc, u32 in)
{
	return rol32(acc + in * WD_XXH_P2, 13) * WD_XXH_P1;
}

static void wd_xxh32_stripe(struct wd_xxh32 *x, const u8 *p)
{
	int i;

	for (i = 0; i < 4; i++)
		x->lane[i] = wd_xxh32_round(x->lane[i],
					    get_unaligned_le32(p + 4 * i));
}

static void wd_xxh32_reset(struct wd_xxh32 *x, u32 seed)
{
	memset(x, 0, sizeof(*x));
	x->seed = seed;
	x->lane[0] = seed + WD_XXH_P1 + WD_XXH_P2;
	x->lane[1] = seed + WD_XXH_P2;
	x->lane[2] = seed;
	x->lane[3] = seed - WD_XXH_P1;
}

static void wd_xxh32_update(struct wd_xxh32 *x, const void *data, size_t n)
{
	const u8 *p = data;
	size_t take;

	x->total += n;
	if (x->buffered) {
		take = min_t(size_t, n, 16 - x->buffered);
		memcpy(x->buf + x->buffered, p, take);
		x->buffered += take;
		p += take;
		n -= take;
		if (x->buffered < 16)
			return;
		wd_xxh32_stripe(x, x->buf);
		x->buffered = 0;
	}
	for (; n >= 16; p += 16, n -= 16)
		wd_xxh32_stripe(x, p);
	memcpy(x->buf, p, n);
	x->buffered = n;
}

static u32 wd_xxh32_digest(const struct wd_xxh32 *x)
{
	const u8 *p = x->buf, *end = x->buf + x->buffered;
	u32 h;

	if (x->total >= 16)
		h = rol32(x->lane[0], 1) + rol32(x->lane[1], 7) +
		    rol32(x->lane[2], 12) + rol32(x->lane[3], 18);
	else
		h = x->seed + WD_XXH_P5;
	h += (u32)x->total;
	for (; end - p >= 4; p += 4)
		h = rol32(h + get_unaligned_le32(p) * WD_XXH_P3, 17) *
		    WD_XXH_P4;
	for (; p < end; p++)
		h = rol32(h + *p * WD_XXH_P5, 11) * WD_XXH_P1;
	h ^= h >> 15;
	h *= WD_XXH_P2;
	h ^= h >> 13;
	h *= WD_XXH_P3;
	h ^= h >> 16;
	return h;
}

/* Block buffers for blocks of up to @block bytes, grown when needed. */
static int wd_lz4_buffers(struct wd_cpu_ctx *ctx, size_t block)
{
	if (ctx->lz4_block >= block)
		return 0;
	vfree(ctx->lz4_in);
	vfree(ctx->lz4_out);
	ctx->lz4_in = vmalloc(LZ4_COMPRESSBOUND(block) + 4);
	ctx->lz4_out = vmalloc(LZ4_COMPRESSBOUND(block) + 4);
	if (!ctx->lz4_in || !ctx->lz4_out) {
		vfree(ctx->lz4_in);
		vfree(ctx->lz4_out);
		ctx->lz4_in = NULL;
		ctx->lz4_out = NULL;
		ctx->lz4_block = 0;
		return -ENOMEM;
	}
	ctx->lz4_block = block;
	return 0;
}

/* Independent blocks and a content checksum, so damage is always found. */
static int wd_lz4_compress(struct wd_cpu_ctx *ctx, struct wd_zjob *j)
{
	u8 hdr[7] = { 0, 0, 0, 0,
		      WD_LZ4_FLG_VERSION | WD_LZ4_FLG_B_INDEP |
		      WD_LZ4_FLG_C_CHECKSUM, WD_LZ4_BD_64K };
	struct wd_xxh32 xs;
	u8 word[4];
	int err;

	if (WD_COMP_ARG_LEVEL(j->a->arg))
		return -EINVAL;
	if (!ctx->lz4_ws)
		ctx->lz4_ws = vmalloc(LZ4_MEM_COMPRESS);
	if (!ctx->lz4_ws || wd_lz4_buffers(ctx, WD_LZ4_WRITE_BLOCK))
		return -ENOMEM;

	put_unaligned_le32(WD_LZ4_MAGIC, hdr);
	hdr[6] = (xxh32(hdr + 4, 2, 0) >> 8) & 0xff;
	err = wd_zput(j, hdr, sizeof(hdr));
	wd_xxh32_reset(&xs, 0);

	while (!err && j->in_pos < j->a->len) {
		size_t n = min_t(size_t, j->a->len - j->in_pos,
				 WD_LZ4_WRITE_BLOCK);
		u8 *blk = (u8 *)ctx->lz4_out + 4;
		u32 size;
		int c;

		if (wd_cpu_should_stop(ctx))
			return -ECANCELED;
		if (wd_cpu_copy_in(ctx, ctx->lz4_in, j->a->addr + j->in_pos, n))
			return -EFAULT;
		j->in_pos += n;
		wd_xxh32_update(&xs, ctx->lz4_in, n);
		c = LZ4_compress_fast(ctx->lz4_in, blk, n,
				      LZ4_COMPRESSBOUND(n), 1, ctx->lz4_ws);
		size = c;
		if (c <= 0 || size >= n) {
			/* incompressible: stored as it is */
			memcpy(blk, ctx->lz4_in, n);
			size = n | WD_LZ4_UNCOMPRESSED;
		}
		put_unaligned_le32(size, ctx->lz4_out);
		err = wd_zput(j, ctx->lz4_out,
			      4 + (size & ~WD_LZ4_UNCOMPRESSED));
		cond_resched();
	}
	if (err)
		return err;
	put_unaligned_le32(0, word);		/* end mark */
	err = wd_zput(j, word, 4);
	put_unaligned_le32(wd_xxh32_digest(&xs), word);
	return err ?: wd_zput(j, word, 4);
}

/* Read exactly @n source bytes, or -EBADMSG when the source ends first. */
static int wd_lz4_read(struct wd_zjob *j, void *buf, size_t n)
{
	if (j->a->len - j->in_pos < n)
		return -EBADMSG;
	if (wd_cpu_should_stop(j->ctx))
		return -ECANCELED;
	if (wd_cpu_copy_in(j->ctx, buf, j->a->addr + j->in_pos, n))
		return -EFAULT;
	j->in_pos += n;
	return 0;
}

static int wd_lz4_decompress(struct wd_cpu_ctx *ctx, struct wd_zjob *j)
{
	struct wd_xxh32 xs;
	u8 hdr[15], flg, word[4];
	size_t block, hlen = 7;
	int err;

	err = wd_lz4_read(j, hdr, 7);
	if (err)
		return err;
	flg = hdr[4];
	if (get_unaligned_le32(hdr) != WD_LZ4_MAGIC ||
	    (flg & WD_LZ4_FLG_VERSION_MASK) != WD_LZ4_FLG_VERSION ||
	    (flg & WD_LZ4_FLG_RESERVED) || (hdr[5] & 0x8f) ||
	    ((hdr[5] >> 4) & 7) < 4)
		return -EBADMSG;
	/* linked blocks and dictionaries need state we do not keep */
	if (!(flg & WD_LZ4_FLG_B_INDEP) || (flg & WD_LZ4_FLG_DICT_ID))
		return -EOPNOTSUPP;
	if (flg & WD_LZ4_FLG_C_SIZE) {
		err = wd_lz4_read(j, hdr + 7, 8);
		if (err)
			return err;
		hlen += 8;
	}
	if (((xxh32(hdr + 4, hlen - 5, 0) >> 8) & 0xff) != hdr[hlen - 1])
		return -EBADMSG;
	block = 64U << (2 * (((hdr[5] >> 4) & 7) - 4)) << 10;
	if (wd_lz4_buffers(ctx, block))
		return -ENOMEM;
	wd_xxh32_reset(&xs, 0);

	for (;;) {
		u32 size;
		int d;

		err = wd_lz4_read(j, word, 4);
		if (err)
			return err;
		size = get_unaligned_le32(word);
		if (!size)
			break;		/* end mark */
		if ((size & ~WD_LZ4_UNCOMPRESSED) > block)
			return -EBADMSG;
		err = wd_lz4_read(j, ctx->lz4_in, size & ~WD_LZ4_UNCOMPRESSED);
		if (err)
			return err;
		if (flg & WD_LZ4_FLG_B_CHECKSUM) {
			err = wd_lz4_read(j, word, 4);
			if (err)
				return err;
			if (xxh32(ctx->lz4_in, size & ~WD_LZ4_UNCOMPRESSED, 0) !=
			    get_unaligned_le32(word))
				return -EBADMSG;
		}
		if (size & WD_LZ4_UNCOMPRESSED) {
			d = size & ~WD_LZ4_UNCOMPRESSED;
			memcpy(ctx->lz4_out, ctx->lz4_in, d);
		} else {
			d = LZ4_decompress_safe(ctx->lz4_in, ctx->lz4_out, size,
						block);
			if (d < 0)
				return -EBADMSG;
		}
		wd_xxh32_update(&xs, ctx->lz4_out, d);
		err = wd_zput(j, ctx->lz4_out, d);
		if (err)
			return err;
		cond_resched();
	}
	if (flg & WD_LZ4_FLG_C_CHECKSUM) {
		err = wd_lz4_read(j, word, 4);
		if (err)
			return err;
		if (wd_xxh32_digest(&xs) != get_unaligned_le32(word))
			return -EBADMSG;
	}
	if (flg & WD_LZ4_FLG_C_SIZE && get_unaligned_le64(hdr + 6) != j->out_pos)
		return -EBADMSG;
	/* one frame per request: anything after it is an error */
	return j->in_pos == j->a->len ? 0 : -EBADMSG;
}
#endif

/* zlib's three formats share one engine: the format picks the wrapper. */
static int wd_zlib_compress(struct wd_cpu_ctx *ctx, struct wd_zjob *j)
{
	z_stream s = {};
	int err = wd_deflate(ctx, j, &s);

	j->adler = s.adler;
	return err;
}

static int wd_zlib_decompress(struct wd_cpu_ctx *ctx, struct wd_zjob *j)
{
	z_stream s = {};
	int err = wd_inflate(ctx, j, &s);

	j->adler = s.adler;
	return err;
}

/*
 * One entry per format, as far as this kernel has the library: what
 * wd_cpu_comp_formats() reports is what this table can run.
 */
static const struct {
	int	(*compress)(struct wd_cpu_ctx *ctx, struct wd_zjob *j);
	int	(*decompress)(struct wd_cpu_ctx *ctx, struct wd_zjob *j);
} wd_codecs[WD_COMP_FORMAT_END] = {
	[WD_COMP_DEFLATE]	= { wd_zlib_compress, wd_zlib_decompress },
	[WD_COMP_ZLIB]		= { wd_zlib_compress, wd_zlib_decompress },
	[WD_COMP_GZIP]		= { wd_zlib_compress, wd_zlib_decompress },
#if WD_ZSTD
	[WD_COMP_ZSTD]		= { wd_zstd_compress, wd_zstd_decompress },
#endif
#if WD_LZ4
	[WD_COMP_LZ4]		= { wd_lz4_compress, wd_lz4_decompress },
#endif
};

/**
 * wd_cpu_comp_formats() - what the CPU executor compresses on this kernel
 *
 * Return: BIT_ULL(WD_COMP_x) per format.
 */
u64 wd_cpu_comp_formats(void)
{
	u64 formats = 0;
	int f;

	for (f = 0; f < WD_COMP_FORMAT_END; f++)
		if (wd_codecs[f].compress)
			formats |= BIT_ULL(f);
	return formats;
}
EXPORT_SYMBOL_GPL(wd_cpu_comp_formats);

/* The checksum COMPRESS and DECOMPRESS report as their value result. */
static u64 wd_zcheck(const struct wd_zjob *j)
{
	switch (j->format) {
	case WD_COMP_GZIP:
		return ~j->crc;
	case WD_COMP_ZLIB:
		return j->adler;
	default:
		return 0;
	}
}

static void wd_cpu_zrun(struct wd_cpu_ctx *ctx, const struct wd_args *a,
			struct wd_result *r, bool compress)
{
	u32 format = WD_COMP_ARG_FORMAT(a->arg);
	struct wd_zjob j;
	int err;

	/* validation let through only formats the device lists */
	if (!ctx->deflate_ws || !ctx->inflate_ws || ctx->bounce_size < 1024 ||
	    format >= WD_COMP_FORMAT_END || !wd_codecs[format].compress) {
		r->status = -EOPNOTSUPP;
		return;
	}
	/* a user-chosen index into a table of function pointers */
	format = array_index_nospec(format, WD_COMP_FORMAT_END);
	wd_zjob_init(&j, ctx, a);
	err = compress ? wd_codecs[format].compress(ctx, &j) :
			 wd_codecs[format].decompress(ctx, &j);
	/* a failed request claims no output */
	r->status = err;
	r->done = err ? 0 : j.out_pos;
	r->value = err ? 0 : wd_zcheck(&j);
}

void wd_cpu_compress(struct wd_cpu_ctx *ctx, const struct wd_args *a,
		     struct wd_result *r)
{
	wd_cpu_zrun(ctx, a, r, true);
}

void wd_cpu_decompress(struct wd_cpu_ctx *ctx, const struct wd_args *a,
		       struct wd_result *r)
{
	wd_cpu_zrun(ctx, a, r, false);
}
