// SPDX-License-Identifier: GPL-2.0
/*
 * COMPRESS and DECOMPRESS in raw DEFLATE, zlib, gzip and (where the device
 * offers them) zstd and LZ4 frames:
 *  - round trips of random, text-like, all-zero and real data (this very
 *    program's binary), at several levels, from 0 bytes to 16 MiB;
 *  - cross-checks with user-space zlib, libzstd and liblz4 both ways:
 *    what the device compresses, they decompress, and the reverse;
 *  - -ENOSPC, -EBADMSG (flipped bits, truncation, a wrong checksum,
 *    trailing bytes) and a decompression bomb held to the output buffer;
 *  - batches, the ioctl, and validation of the packed argument;
 *  - a device's own limit (comp_max_len): longer input refused, longer
 *    output -ENOSPC;
 *  - the same answers as soft0 on damaged streams.
 * Each device that compresses runs all of it: soft0 (or WD_DEVICE), then
 * crypto0 where it is loaded (the kernel's acomp providers).
 */
#include <sys/mman.h>
#include <zlib.h>
#include <zstd.h>
#include <lz4frame.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define BIG	(16u << 20)

static int fd;
static const char *dev;
static struct io_uring ring;		/* CQE32: the checksum comes back */
static uint8_t *in, *out, *back;	/* BIG + slack each */
static const char *const fmt_names[] = {
	"deflate", "zlib", "gzip", "zstd", "lz4",
};

/* LZ4 frames take no level: 0 is the only one */
static int lvl(int format, int level)
{
	return format == WD_COMP_LZ4 ? 0 : level;
}
static uint64_t formats;		/* what the device offers */
static uint64_t dev_flags;		/* WD_DEV_F_* */
static uint64_t cmds;			/* WD_FEAT_CMD_* */
static size_t cap;			/* comp_max_len */
static size_t dst_max;			/* the largest destination: max_len */

/* zlib's windowBits for each of our formats */
static int zbits(int format)
{
	return format == WD_COMP_DEFLATE ? -15 :
	       format == WD_COMP_ZLIB ? 15 : 15 + 16;
}

static int dev_op(int op, void *dst, uint32_t dst_len, const void *src,
		  uint32_t len, int format, int level, uint64_t *value)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	int res;

	if (op == WD_OP_COMPRESS)
		io_uring_prep_accel_compress(sqe, fd, dst, dst_len, src, len,
					     format, level);
	else
		io_uring_prep_accel_decompress(sqe, fd, dst, dst_len, src, len,
					       format);
	if (io_uring_submit_and_wait(&ring, 1) < 0 ||
	    io_uring_wait_cqe(&ring, &cqe))
		return -9999;
	res = cqe->res;
	if (value)
		*value = io_uring_cqe_accel_value(cqe);
	io_uring_cqe_seen(&ring, cqe);
	return res;
}

/* User-space zlib or libzstd, one shot. Returns the output length or -1. */
static long z_compress(void *dst, size_t cap, const void *src, size_t len,
		       int format, int level)
{
	z_stream s = { 0 };
	long n;

	if (format == WD_COMP_ZSTD) {
		size_t r = ZSTD_compress(dst, cap, src, len, level);

		return ZSTD_isError(r) ? -1 : (long)r;
	}
	if (format == WD_COMP_LZ4) {
		LZ4F_preferences_t prefs = { 0 };
		size_t r;

		/* what the device decodes: independent blocks */
		prefs.frameInfo.blockMode = LZ4F_blockIndependent;
		prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
		r = LZ4F_compressFrame(dst, cap, src, len, &prefs);
		return LZ4F_isError(r) ? -1 : (long)r;
	}
	if (deflateInit2(&s, level, Z_DEFLATED, zbits(format), 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	s.next_in = (Bytef *)src;
	s.avail_in = len;
	s.next_out = dst;
	s.avail_out = cap;
	n = deflate(&s, Z_FINISH) == Z_STREAM_END ? (long)s.total_out : -1;
	deflateEnd(&s);
	return n;
}

static long z_decompress(void *dst, size_t cap, const void *src, size_t len,
			 int format)
{
	z_stream s = { 0 };
	long n;

	if (format == WD_COMP_ZSTD) {
		size_t r = ZSTD_decompress(dst, cap, src, len);

		return ZSTD_isError(r) ? -1 : (long)r;
	}
	if (format == WD_COMP_LZ4) {
		LZ4F_dctx *dctx;
		size_t in_pos = 0, out_pos = 0, r = 1;

		if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx,
								 LZ4F_VERSION)))
			return -1;
		while (r && in_pos < len) {
			size_t dsize = cap - out_pos, ssize = len - in_pos;

			r = LZ4F_decompress(dctx, (uint8_t *)dst + out_pos,
					    &dsize, (const uint8_t *)src + in_pos,
					    &ssize, NULL);
			if (LZ4F_isError(r))
				break;
			in_pos += ssize;
			out_pos += dsize;
		}
		LZ4F_freeDecompressionContext(dctx);
		return r || in_pos != len ? -1 : (long)out_pos;
	}
	if (inflateInit2(&s, zbits(format)) != Z_OK)
		return -1;
	s.next_in = (Bytef *)src;
	s.avail_in = len;
	s.next_out = dst;
	s.avail_out = cap;
	n = inflate(&s, Z_FINISH) == Z_STREAM_END && !s.avail_in ?
	    (long)s.total_out : -1;
	inflateEnd(&s);
	return n;
}

/* The checksum each format carries, for the uncompressed data. */
static uint64_t z_check(int format, const void *buf, size_t len)
{
	/* zstd's XXH64 stays in the frame: no value result */
	if (format == WD_COMP_GZIP)
		return crc32(0, buf, len);
	if (format == WD_COMP_ZLIB)
		return adler32(1, buf, len);
	return 0;
}

enum kind { K_RANDOM, K_TEXT, K_ZERO, K_BINARY };
static const char *const kind_names[] = { "random", "text", "zeros", "binary" };

static size_t make_data(enum kind k, uint8_t *buf, size_t len, unsigned seed)
{
	static const char *const words[] = {
		"accelerator ", "ring ", "offload ", "the ", "io_uring ",
		"kernel ", "queue ", "doorbell ", "completion\n", "of ",
	};
	size_t i = 0;

	switch (k) {
	case K_RANDOM:
		ref_random_fill(buf, len, seed);
		break;
	case K_TEXT:
		while (i < len) {
			const char *w = words[(i * 7 + seed + i / 13) % 10];
			size_t n = strlen(w);

			memcpy(buf + i, w, n < len - i ? n : len - i);
			i += n;
		}
		break;
	case K_ZERO:
		memset(buf, 0, len);
		break;
	case K_BINARY: {
		int f = open("/proc/self/exe", O_RDONLY);
		ssize_t got = f < 0 ? -1 : read(f, buf, len);

		if (f >= 0)
			close(f);
		return got < 0 ? 0 : (size_t)got;
	}
	}
	return len;
}

/*
 * Round trip through the device, with zlib checking the device's output
 * and the checksum each way.
 */
static int round_trip(enum kind k, size_t len, int format, int level)
{
	uint64_t v1 = 0, v2 = 0;
	long zlen;
	int clen, dlen;

	len = make_data(k, in, len, len + format);
	level = lvl(format, level);
	/* past the device's limit: refused up front */
	if (len > cap) {
		clen = dev_op(WD_OP_COMPRESS, out, BIG + 16384, in, len,
			      format, level, NULL);
		if (clen != -EINVAL)
			wd_diag("%s %zu over comp_max_len %zu: %d", kind_names[k],
				len, cap, clen);
		return clen == -EINVAL;
	}
	/* room for deflate's worst case: 5 bytes per 16 KiB stored block */
	clen = dev_op(WD_OP_COMPRESS, out, dst_max, in, len, format, level,
		      &v1);
	if (clen < 0) {
		wd_diag("%s %zu %s/%d: compress %d", kind_names[k], len,
			fmt_names[format], level, clen);
		return 0;
	}
	zlen = z_decompress(back, BIG + 16384, out, clen, format);
	if (zlen != (long)len || memcmp(back, in, len)) {
		wd_diag("%s %zu %s/%d: zlib inflates our output to %ld bytes",
			kind_names[k], len, fmt_names[format], level, zlen);
		return 0;
	}
	memset(back, 0xa5, len + 16);
	dlen = dev_op(WD_OP_DECOMPRESS, back, len, out, clen, format, 0, &v2);
	if (dlen != (int)len || memcmp(back, in, len) ||
	    back[len] != 0xa5) {
		wd_diag("%s %zu %s/%d: decompress %d", kind_names[k], len,
			fmt_names[format], level, dlen);
		return 0;
	}
	if (v1 != z_check(format, in, len) || v2 != v1) {
		wd_diag("%s %zu %s: checksums %#llx %#llx, want %#llx",
			kind_names[k], len, fmt_names[format],
			(unsigned long long)v1, (unsigned long long)v2,
			(unsigned long long)z_check(format, in, len));
		return 0;
	}
	return 1;
}

static void test_round_trips(void)
{
	static const size_t sizes[] = { 0, 1, 100, 4096, 65537, 1 << 20 };
	static const int levels[] = { 1, 6, 9 };
	size_t lim, big, rnd;
	int format, k;
	unsigned int i, l;

	for (format = 0; format < WD_COMP_FORMAT_END; format++)
		for (k = K_RANDOM; k <= K_BINARY; k++) {
			int ok = 1, n = 0;

			if (!(formats & (1ULL << format))) {
				wd_skip("not offered", "%s: %s data",
					fmt_names[format], kind_names[k]);
				continue;
			}
			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
				for (l = 0; l < 3; l++, n++)
					ok &= round_trip(k, sizes[i], format,
							 levels[l]);
			wd_ok(ok, "%s: %s data, %d sizes x levels 1, 6, 9",
			      fmt_names[format], kind_names[k], n);
		}
	/*
	 * The largest: 16 MiB, or what the device takes and gives, at the
	 * fast level; random data grows by up to 5 bytes per 16 KiB.
	 */
	lim = cap < dst_max ? cap : dst_max;
	big = lim < BIG ? lim : BIG;
	rnd = lim - lim / 64 < BIG ? lim - lim / 64 : BIG;
	wd_ok(round_trip(K_TEXT, big, WD_COMP_GZIP, 1) &&
	      round_trip(K_ZERO, big, WD_COMP_ZLIB, 1) &&
	      round_trip(K_RANDOM, rnd, WD_COMP_DEFLATE, 1),
	      "the largest: %zu bytes of text (gzip) and zeros (zlib), %zu random (deflate)",
	      big, rnd);
	wd_ok(round_trip(K_TEXT, 70000, WD_COMP_GZIP, 0),
	      "level 0 (stored) round trip");
	if (formats & (1ULL << WD_COMP_ZSTD))
		wd_ok(round_trip(K_TEXT, BIG, WD_COMP_ZSTD, 1) &&
		      round_trip(K_TEXT, 300000, WD_COMP_ZSTD, 0),
		      "zstd: 16 MiB at level 1, and the default level");
	else
		wd_skip("not offered", "zstd: 16 MiB");
}

/* What user-space zlib compresses, the device decompresses. */
static void test_from_zlib(void)
{
	int format;

	for (format = 0; format < WD_COMP_FORMAT_END; format++) {
		size_t len = make_data(K_TEXT, in, cap < 300000 ? cap : 300000,
				       7);
		long zlen;
		int res;

		if (!(formats & (1ULL << format))) {
			wd_skip("not offered", "%s: the library's output",
				fmt_names[format]);
			continue;
		}
		zlen = z_compress(out, BIG, in, len, format, 6);
		res = dev_op(WD_OP_DECOMPRESS, back, len, out, zlen, format,
			     0, NULL);

		wd_ok(zlen > 0 && res == (int)len && !memcmp(back, in, len),
		      "%s: the library's output decompresses on the device (%d)",
		      fmt_names[format], res);
	}
}

/*
 * A gzip member of in[0..len) with a file name of @name_len bytes: the
 * device's result.
 */
static int gzip_named(size_t len, size_t name_len)
{
	uint8_t *g = back, *raw_at = back + BIG / 4;
	long raw = z_compress(raw_at, BIG / 4, in, len, WD_COMP_DEFLATE, 6);
	uint32_t crc = crc32(0, in, len);
	size_t n = 0;

	g[n++] = 0x1f; g[n++] = 0x8b; g[n++] = 8; g[n++] = 8;	/* FNAME */
	memset(g + n, 0, 6); n += 6;
	memset(g + n, 'n', name_len - 1); n += name_len - 1;
	g[n++] = 0;
	memcpy(g + n, raw_at, raw); n += raw;
	memcpy(g + n, &crc, 4); n += 4;
	memcpy(g + n, &len, 4); n += 4;
	return dev_op(WD_OP_DECOMPRESS, out + BIG / 2, len, g, n, WD_COMP_GZIP,
		      0, NULL);
}

/* gzip headers with every optional field, as other gzip writers make. */
static void test_gzip_header_fields(void)
{
	size_t len = make_data(K_TEXT, in, 5000, 3), n = 0;
	long raw = z_compress(out + 100, BIG, in, len, WD_COMP_DEFLATE, 6);
	uint8_t *g = back;
	uint32_t crc = crc32(0, in, len);
	int res;

	g[n++] = 0x1f; g[n++] = 0x8b; g[n++] = 8;
	g[n++] = 2 | 4 | 8 | 16;	/* FHCRC FEXTRA FNAME FCOMMENT */
	memset(g + n, 0, 6); n += 6;
	g[n++] = 3; g[n++] = 0; memcpy(g + n, "abc", 3); n += 3;
	memcpy(g + n, "file.txt", 9); n += 9;
	memcpy(g + n, "a comment", 10); n += 10;
	g[n++] = 0x12; g[n++] = 0x34;	/* header CRC: not checked */
	memcpy(g + n, out + 100, raw); n += raw;
	memcpy(g + n, &crc, 4); n += 4;
	memcpy(g + n, &len, 4); n += 4;
	res = dev_op(WD_OP_DECOMPRESS, out, len, g, n, WD_COMP_GZIP, 0, NULL);
	wd_ok(res == (int)len && !memcmp(out, in, len),
	      "gzip: a header with extra field, name, comment and CRC (%d)",
	      res);
	wd_ok(gzip_named(len, 300) == (int)len &&
	      gzip_named(len, 32000) == (int)len,
	      "gzip: file names of 300 and 32000 bytes");
}

static void test_errors(void)
{
	size_t len = make_data(K_TEXT, in, 100000, 9);
	int format, res, clen, cut, bad;

	for (format = 0; format < WD_COMP_FORMAT_END; format++) {
		const char *f = fmt_names[format];

		if (!(formats & (1ULL << format))) {
			for (res = 0; res < 7; res++)
				wd_skip("not offered", "%s: errors", f);
			continue;
		}
		clen = dev_op(WD_OP_COMPRESS, out, BIG, in, len, format,
			      lvl(format, 6), NULL);
		res = dev_op(WD_OP_COMPRESS, back, clen - 1, in, len, format,
			     lvl(format, 6), NULL);
		wd_ok(res == -ENOSPC, "%s: output one byte short: %d", f, res);
		res = dev_op(WD_OP_DECOMPRESS, back, len - 1, out, clen, format,
			     0, NULL);
		wd_ok(res == -ENOSPC, "%s: decompressed output one byte short: %d",
		      f, res);
		res = dev_op(WD_OP_DECOMPRESS, back, len, out, clen - 5,
			     format, 0, NULL);
		wd_ok(res == -EBADMSG, "%s: truncated input: %d", f, res);
		/* the last bytes: the end of the data, and the trailer */
		for (cut = 1, bad = 0; cut <= 8; cut++) {
			res = dev_op(WD_OP_DECOMPRESS, back, len, out,
				     clen - cut, format, 0, NULL);
			if (res != -EBADMSG) {
				wd_diag("%s cut by %d: %d", f, cut, res);
				bad++;
			}
		}
		wd_ok(!bad, "%s: cut by 1 to 8 bytes: -EBADMSG", f);
		out[clen / 2] ^= 0x10;
		res = dev_op(WD_OP_DECOMPRESS, back, len, out, clen, format, 0,
			     NULL);
		out[clen / 2] ^= 0x10;
		/*
		 * raw DEFLATE has no checksum: wrong output is all it can do;
		 * a corrupt length field may also overflow the output first
		 */
		wd_ok(res == -EBADMSG ||
		      (format != WD_COMP_GZIP && format != WD_COMP_ZLIB &&
		       res == -ENOSPC) ||
		      (format == WD_COMP_DEFLATE && res >= 0 &&
		       (res != (int)len || memcmp(back, in, len))),
		      "%s: a flipped bit is caught: %d", f, res);
		if (format != WD_COMP_DEFLATE) {
			/* the checksum is the stream's last bytes */
			int at = clen - (format == WD_COMP_GZIP ? 8 : 1);

			out[at] ^= 1;
			res = dev_op(WD_OP_DECOMPRESS, back, len, out, clen,
				     format, 0, NULL);
			out[at] ^= 1;
			wd_ok(res == -EBADMSG, "%s: a wrong checksum: %d", f,
			      res);
		}
		out[clen] = 0;
		res = dev_op(WD_OP_DECOMPRESS, back, len, out, clen + 1,
			     format, 0, NULL);
		/* a bridge that cannot see a raw stream's end says so */
		if (format == WD_COMP_DEFLATE &&
		    (dev_flags & WD_DEV_F_DEFLATE_TAIL))
			wd_ok(res == (int)len && !memcmp(back, in, len),
			      "%s: a byte after the stream is ignored, as the device says (WD_DEV_F_DEFLATE_TAIL): %d",
			      f, res);
		else
			wd_ok(res == -EBADMSG, "%s: a byte after the stream: %d",
			      f, res);
	}
}

/* 16 MiB of zeros squeezed into a few KiB, let out into a 1 MiB buffer. */
static void test_bomb(void)
{
	uint8_t *guard;
	long zlen;
	int res;

	memset(in, 0, BIG);
	zlen = z_compress(out, BIG, in, BIG, WD_COMP_GZIP, 9);
	memset(back, 0x5a, (1 << 20) + 4096);
	res = dev_op(WD_OP_DECOMPRESS, back, 1 << 20, out, zlen, WD_COMP_GZIP,
		     0, NULL);
	guard = back + (1 << 20);
	wd_ok(res == -ENOSPC && guard[0] == 0x5a && guard[4095] == 0x5a,
	      "a %ld-byte bomb is held to its 1 MiB buffer: %d", zlen, res);
}

static void test_forms(void)
{
	size_t len = make_data(K_TEXT, in, 50000, 11);
	struct wd_desc d[3];
	int res;

	/* a batch mixing compression with a small copy */
	wd_desc_compress(&d[0], out, BIG, in, len, WD_COMP_GZIP, 6);
	wd_desc_copy(&d[1], back, in, 64);
	wd_desc_compress(&d[2], out + BIG / 2, 10, in, len, WD_COMP_ZLIB, 6);
	if (cmds & WD_FEAT_CMD_BATCH) {
		io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd, d, 3);
		res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(res == 2 && d[0].status == 0 && d[1].status == 0 &&
		      d[2].status == -ENOSPC && d[2].done == 0 &&
		      z_decompress(back + 100, BIG, out, d[0].done,
				   WD_COMP_GZIP) == (long)len &&
		      d[0].result == crc32(0, in, len),
		      "batch: compress, copy, too-small compress: res %d, records right",
		      res);
	} else {
		wd_skip("no batches on this device", "batch of compressions");
		/* the ioctl below decompresses what this one makes */
		res = io_uring_accel_submit_sync(fd, &d[0]);
		d[0].done = res > 0 ? res : 0;
	}

	wd_desc_decompress(&d[0], back, len, out, d[0].done, WD_COMP_GZIP);
	res = io_uring_accel_submit_sync(fd, &d[0]);
	wd_ok(res == (int)len && !memcmp(back, in, len),
	      "ioctl: decompress (%d)", res);
}

static void test_validation(void)
{
	static const struct {
		const char *what;
		int op;
		__u64 arg;
		int want;
	} cases[] = {
		{ "unknown format", WD_OP_COMPRESS, WD_COMP_ARG(100, 7, 1),
		  -EINVAL },
		{ "level 10", WD_OP_COMPRESS, WD_COMP_ARG(100, 0, 10), -EINVAL },
		{ "decompress with a level", WD_OP_DECOMPRESS,
		  WD_COMP_ARG(100, 0, 1), -EINVAL },
		{ "reserved argument bits", WD_OP_COMPRESS,
		  WD_COMP_ARG(100, 0, 1) | (1ULL << 50), -EINVAL },
	};
	unsigned int i;
	int res;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		io_uring_prep_accel_cmd(io_uring_get_sqe(&ring), fd,
					WD_CMD(WD_CLASS_OP, cases[i].op), 0,
					(__u64)(unsigned long)in, 100,
					(__u64)(unsigned long)out,
					cases[i].arg);
		res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(res == cases[i].want, "%s: %d", cases[i].what, res);
	}
	io_uring_prep_accel_compress(io_uring_get_sqe(&ring), fd, in + 50, 100,
				     in, 100, WD_COMP_ZLIB, 1);
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == -EINVAL, "overlapping buffers: %d", res);
}

/*
 * A device whose compressor is bounded below max_len: input longer than
 * comp_max_len is refused, output beyond it is -ENOSPC however large the
 * destination, and exactly comp_max_len of output works.
 */
static void test_limit(uint64_t max_len)
{
	long zlen;
	int r1, r2, r3;

	if (cap >= max_len || 4 * cap > BIG) {
		wd_skip("no limit below max_len", "comp_max_len");
		return;
	}
	memset(in, 0, 2 * cap);
	r1 = dev_op(WD_OP_COMPRESS, out, BIG, in, cap + 1, WD_COMP_GZIP, 6,
		    NULL);
	zlen = z_compress(out, BIG, in, 2 * cap, WD_COMP_GZIP, 6);
	r2 = dev_op(WD_OP_DECOMPRESS, back, 4 * cap, out, zlen, WD_COMP_GZIP,
		    0, NULL);
	zlen = z_compress(out, BIG, in, cap, WD_COMP_GZIP, 6);
	r3 = dev_op(WD_OP_DECOMPRESS, back, 4 * cap, out, zlen, WD_COMP_GZIP,
		    0, NULL);
	wd_ok(r1 == -EINVAL && r2 == -ENOSPC && r3 == (int)cap &&
	      !memcmp(back, in, cap),
	      "comp_max_len %zu: longer input %d, longer output %d, exactly that much %d",
	      cap, r1, r2, r3);
}

/*
 * The device against soft0 on damaged streams (truncated, bits flipped,
 * bytes appended) into destinations of random sizes: the same output or
 * the same errno. Two answers may differ where both are right: a stream
 * that is corrupt and also longer than the destination may be either
 * -ENOSPC or -EBADMSG, depending on which the decoder meets first; and
 * bytes after a raw DEFLATE stream may be ignored by a device that says
 * WD_DEV_F_DEFLATE_TAIL.
 */
static uint64_t agree_seed = 0x9e3779b97f4a7c15ull;

/* xorshift64: the damage is the same on every run */
static uint64_t agree_rnd(void)
{
	agree_seed ^= agree_seed << 13;
	agree_seed ^= agree_seed >> 7;
	agree_seed ^= agree_seed << 17;
	return agree_seed;
}

static void test_agree(void)
{
	int sfd, dfd = fd, i, odd = 0, tails = 0, both = 0;
	uint8_t *mine = back, *ref = back + BIG / 2;

	if (!strcmp(dev, "soft0")) {
		wd_skip("soft0 is the reference", "agreement with soft0");
		return;
	}
	sfd = io_uring_accel_open("soft0", O_RDWR);
	if (sfd < 0) {
		wd_skip("no soft0", "agreement with soft0");
		return;
	}
	for (i = 0; i < 300; i++) {
		int format = i % 3, a, b, c, k, kind;
		size_t len, zlen, dst_len;

		len = 1 + agree_rnd() % (cap < 20000 ? cap : 20000);
		make_data(agree_rnd() % 2 ? K_TEXT : K_RANDOM, in, len, i);
		zlen = z_compress(out, BIG, in, len, format, 1 + i % 9);
		kind = agree_rnd() % 4;
		switch (kind) {
		case 0:		/* truncated */
			zlen = 1 + agree_rnd() % zlen;
			break;
		case 1:		/* one to three bits flipped */
			for (k = agree_rnd() % 3; k >= 0; k--) {
				size_t at = agree_rnd() % zlen;

				out[at] ^= 1 << (agree_rnd() % 8);
			}
			break;
		case 2:		/* bytes appended */
			for (k = 1 + agree_rnd() % 8; k > 0; k--)
				out[zlen++] = agree_rnd();
			break;
		default:	/* intact */
			break;
		}
		dst_len = agree_rnd() % 3 ? len : agree_rnd() % (2 * len + 1);
		a = dev_op(WD_OP_DECOMPRESS, mine, dst_len, out, zlen, format,
			   0, NULL);
		fd = sfd;
		b = dev_op(WD_OP_DECOMPRESS, ref, dst_len, out, zlen, format,
			   0, NULL);
		/* corrupt, whatever the room? */
		c = dev_op(WD_OP_DECOMPRESS, ref + BIG / 4, BIG / 4, out, zlen,
			   format, 0, NULL);
		fd = dfd;
		if (a == b && (a < 0 || !memcmp(mine, ref, a)))
			continue;
		if (c == -EBADMSG && ((a == -ENOSPC && b == -EBADMSG) ||
				      (a == -EBADMSG && b == -ENOSPC))) {
			both++;
			continue;
		}
		/* bytes appended to a raw stream, ignored as the flag says */
		if (format == WD_COMP_DEFLATE && b == -EBADMSG &&
		    (dev_flags & WD_DEV_F_DEFLATE_TAIL) && kind == 2 &&
		    a == (int)len && !memcmp(mine, in, len)) {
			tails++;
			continue;
		}
		if (odd++ < 5)
			wd_diag("stream %d (%s, %zu bytes into %zu): %s says %d, soft0 %d",
				i, fmt_names[format], zlen, dst_len, dev, a, b);
	}
	close(sfd);
	wd_ok(!odd, "%s and soft0 agree on 300 damaged streams (%d both too long and corrupt, %d raw tails ignored, %d odd)",
	      dev, both, tails, odd);
}

/*
 * Streams whose last bytes lie on a page of their own, decompressed into
 * a destination of exactly the output's size: a decoder that walks the
 * source a page at a time must still find the end.
 */
static void test_page_ends(void)
{
	uint8_t *page = (uint8_t *)(((uintptr_t)out + 8191) & ~(uintptr_t)4095);
	int i, k, res, bad = 0;

	for (i = 0; i < 12; i++) {
		size_t len = make_data(K_TEXT, in, 3000 + 997 * i, i);
		int format = i % 3;
		long zlen = z_compress(back, BIG / 2, in, len, format, 6);

		for (k = 1; k <= 3; k++) {
			uint8_t *s = page + 4096 * (i + 1) - (zlen - k);

			memmove(s, back, zlen);
			res = dev_op(WD_OP_DECOMPRESS, back + BIG / 2, len, s,
				     zlen, format, 0, NULL);
			if (res != (int)len ||
			    memcmp(back + BIG / 2, in, len)) {
				wd_diag("%s %zu, %d on the next page: %d",
					fmt_names[format], len, k, res);
				bad++;
			}
		}
	}
	wd_ok(!bad, "36 streams ending 1-3 bytes into a page, exact destinations");
}

/*
 * Long compressions queued, then the ring torn down: each ends (run or
 * canceled), the device goes idle and works afterwards.
 */
static void test_teardown(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	size_t len = cap < 128 * 1024 ? cap : 128 * 1024;
	struct io_uring r2;
	long long busy;
	int i, res;

	make_data(K_TEXT, in, len, 5);
	if (io_uring_queue_init_params(64, &r2, &p)) {
		wd_ok(0, "teardown: no ring");
		return;
	}
	for (i = 0; i < 48; i++)
		io_uring_prep_accel_compress(io_uring_get_sqe(&r2), fd,
					     out + (size_t)i * (len + 1024),
					     len + 1024, in, len,
					     WD_COMP_GZIP, 6);
	io_uring_submit(&r2);
	io_uring_queue_exit(&r2);
	busy = wd_wait_idle(dev, 60000);
	res = dev_op(WD_OP_COMPRESS, back, len + 1024, in, len, WD_COMP_GZIP,
		     6, NULL);
	wd_ok(busy == 0 && res > 0 &&
	      z_decompress(out, BIG, back, res, WD_COMP_GZIP) == (long)len,
	      "48 compressions in flight at teardown: the device goes idle (%lld) and works (%d)",
	      busy, res);
}

#define CASES_PER_DEVICE	(20 + 2 + 5 + 2 + 5 * 7 - 1 + 1 + 2 + 5 + 1 + 1 + 1 + \
				 2)

/* Everything above, on @name; every case skipped if it does not compress. */
static void run_device(const char *name)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	struct wd_features f;
	const char *why = NULL;
	int i;

	dev = name;
	wd_diag("device %s", name);
	fd = io_uring_accel_open(name, O_RDWR);
	if (fd < 0)
		why = "no such device";
	else if (io_uring_accel_probe(fd, &f) ||
		 !(f.ops & (1ULL << WD_OP_COMPRESS)) ||
		 (f.comp_formats & 7) != 7)
		why = "the device does not compress deflate, zlib and gzip";
	else if (io_uring_queue_init_params(8, &ring, &p))
		why = "no CQE32 rings";
	if (why) {
		for (i = 0; i < CASES_PER_DEVICE; i++)
			wd_skip(why, "%s", name);
		if (fd >= 0)
			close(fd);
		return;
	}
	formats = f.comp_formats;
	dev_flags = f.dev_flags;
	cmds = f.cmds;
	cap = f.comp_max_len ? f.comp_max_len : f.max_len;
	dst_max = f.max_len < BIG + 16384 ? f.max_len : BIG + 16384;

	test_round_trips();
	test_from_zlib();
	test_gzip_header_fields();
	test_errors();
	test_bomb();
	test_forms();
	test_validation();
	test_limit(f.max_len);
	test_agree();
	test_page_ends();
	test_teardown();
	io_uring_queue_exit(&ring);
	close(fd);
}

int main(void)
{
	size_t size = BIG + 32768;
	const char *env = getenv("WD_DEVICE");

	in = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	back = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (in == MAP_FAILED || out == MAP_FAILED || back == MAP_FAILED)
		wd_skip_all("out of memory");

	/* WD_DEVICE names one device; by default soft0, then crypto0 */
	if (env && *env) {
		wd_plan(CASES_PER_DEVICE);
		run_device(env);
	} else {
		wd_plan(2 * CASES_PER_DEVICE);
		run_device("soft0");
		run_device("crypto0");
	}
	return wd_exit();
}
