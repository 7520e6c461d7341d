/* SPDX-License-Identifier: MIT */
/*
 * liburing-accel: WarpDrive offload requests on a liburing ring.
 *
 * The io_uring_prep_accel_*() helpers fill an SQE for one WarpDrive
 * command, zeroing every field the kernel validates, in the manner of
 * liburing's own prep helpers. The rest finds, opens and probes devices.
 * Functions that can fail return a negative errno.
 *
 * On a ring set up with IORING_SETUP_SQE128, the second 64 bytes of each
 * SQE are reserved and must be zero: clear them before calling a helper
 * (io_uring_prep_accel_cmd() only writes the first 64).
 */
#ifndef LIBURING_ACCEL_H
#define LIBURING_ACCEL_H

#include <stddef.h>
#include <string.h>
#include <liburing.h>
#include <linux/warpdrive.h>

#ifdef __cplusplus
extern "C" {
#endif

_Static_assert(sizeof(struct wd_features) == WD_FEATURES_SIZE_V0,
	       "struct wd_features layout");
_Static_assert(sizeof(struct wd_sqe_cmd) == 16, "struct wd_sqe_cmd layout");
_Static_assert(sizeof(struct wd_desc) == WD_DESC_SIZE, "struct wd_desc layout");
_Static_assert(sizeof(struct wd_sqe_desc) == 80, "struct wd_sqe_desc layout");

/* The 16 bytes of an SQE that carry struct wd_sqe_cmd. */
static inline struct wd_sqe_cmd *io_uring_sqe_accel_cmd(struct io_uring_sqe *sqe)
{
	return (struct wd_sqe_cmd *)&sqe->addr3;
}

/*
 * The base helper: every WarpDrive SQE is built by this one, so a field the
 * kernel checks is never left holding a previous request's value.
 */
static inline void io_uring_prep_accel_cmd(struct io_uring_sqe *sqe, int fd,
					   __u32 cmd_op, __u32 flags,
					   __u64 addr, __u32 len,
					   __u64 addr2, __u64 arg)
{
	struct wd_sqe_cmd *cmd = io_uring_sqe_accel_cmd(sqe);

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	sqe->file_index = flags;
	sqe->addr = addr;
	sqe->len = len;
	cmd->addr2 = addr2;
	cmd->arg = arg;
}

/*
 * Take the prepared op's memory operands from registered buffer @buf_index
 * (io_uring_register_buffers()) instead of pinning them per request. Every
 * memory operand must lie inside that buffer. Only devices in pinned mode
 * (WD_DEV_F_PINNED) take it; others fail the SQE with -EOPNOTSUPP.
 * Call after the prep helper.
 */
static inline void io_uring_sqe_set_accel_fixed(struct io_uring_sqe *sqe,
						unsigned int buf_index)
{
	sqe->uring_cmd_flags |= IORING_URING_CMD_FIXED;
	sqe->buf_index = buf_index;
}

/*
 * WD_OP_NOP. @flags: WD_NOP_F_*. With WD_NOP_F_INJECT_RESULT the request
 * completes with @res; without it, @res must be 0. @arg comes back in
 * big_cqe[0] on a CQE32 ring.
 */
static inline void io_uring_prep_accel_nop(struct io_uring_sqe *sqe, int fd,
					   unsigned int flags, int res,
					   __u64 arg)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_NOP, flags, 0,
				(__u32)res, 0, arg);
}

/*
 * Data ops, one per SQE. The CQE's res is what the uAPI header's op table
 * says (bytes done, or the offset of the first difference for compares);
 * value results (CRCs, offsets) also arrive in big_cqe[0] on CQE32 rings.
 * For a value result on a 16-byte CQE ring, use a descriptor batch.
 */
static inline void io_uring_prep_accel_copy(struct io_uring_sqe *sqe, int fd,
					    void *dst, const void *src,
					    __u32 len)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_COPY, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst, 0);
}

static inline void io_uring_prep_accel_fill(struct io_uring_sqe *sqe, int fd,
					    void *dst, __u64 pattern,
					    __u32 len)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_FILL, 0,
				(__u64)(unsigned long)dst, len, 0, pattern);
}

static inline void io_uring_prep_accel_compare(struct io_uring_sqe *sqe,
					       int fd, const void *a,
					       const void *b, __u32 len)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_COMPARE, 0,
				(__u64)(unsigned long)a, len,
				(__u64)(unsigned long)b, 0);
}

static inline void io_uring_prep_accel_compare_pattern(struct io_uring_sqe *sqe,
						       int fd, const void *src,
						       __u64 pattern,
						       __u32 len)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_COMPARE_PATTERN, 0,
				(__u64)(unsigned long)src, len, 0, pattern);
}

static inline void io_uring_prep_accel_crc32c(struct io_uring_sqe *sqe,
					      int fd, const void *src,
					      __u32 len, __u32 seed)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_CRC32C, 0,
				(__u64)(unsigned long)src, len, 0, seed);
}

static inline void io_uring_prep_accel_copy_crc32c(struct io_uring_sqe *sqe,
						   int fd, void *dst,
						   const void *src, __u32 len,
						   __u32 seed)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_COPY_CRC32C, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst, seed);
}

static inline void io_uring_prep_accel_dualcast(struct io_uring_sqe *sqe,
						int fd, void *dst1, void *dst2,
						const void *src, __u32 len)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_DUALCAST, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst1,
				(__u64)(unsigned long)dst2);
}

/*
 * Single-shot compression: all of @src in, all of the output into @dst
 * (@dst_len bytes at most; -ENOSPC when it does not fit). @format is
 * WD_COMP_DEFLATE, WD_COMP_ZLIB or WD_COMP_GZIP, @level 0..9. The CQE's
 * res is the output length.
 */
static inline void io_uring_prep_accel_compress(struct io_uring_sqe *sqe,
						int fd, void *dst,
						__u32 dst_len,
						const void *src, __u32 len,
						unsigned int format,
						unsigned int level)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_COMPRESS, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst,
				WD_COMP_ARG(dst_len, format, level));
}

/*
 * Single-shot decompression of one complete stream in @src; -EBADMSG for
 * corrupt or truncated input or a bad checksum, -ENOSPC when the output
 * would exceed @dst_len.
 */
static inline void io_uring_prep_accel_decompress(struct io_uring_sqe *sqe,
						  int fd, void *dst,
						  __u32 dst_len,
						  const void *src, __u32 len,
						  unsigned int format)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_DECOMPRESS, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst,
				WD_COMP_ARG(dst_len, format, 0));
}

/*
 * Crypto ops (crypto0). @p holds the key handle, the IV and, for AEADs,
 * the associated data and the tag's address (see wd_crypt_prep()); the
 * kernel reads it when the SQE is issued, so it may be reused once
 * io_uring_submit() has returned. dst may be src (in place).
 */
static inline void wd_crypt_prep(struct wd_crypt *p, __u32 key,
				 const void *iv, unsigned int iv_len,
				 const void *aad, __u32 aad_len, void *out)
{
	memset(p, 0, sizeof(*p));
	p->key = key;
	if (iv_len > sizeof(p->iv))
		iv_len = sizeof(p->iv);
	if (iv && iv_len)
		memcpy(p->iv, iv, iv_len);
	p->aad = (__u64)(unsigned long)aad;
	p->aad_len = aad_len;
	p->out = (__u64)(unsigned long)out;
}

static inline void io_uring_prep_accel_encrypt(struct io_uring_sqe *sqe,
					       int fd, void *dst,
					       const void *src, __u32 len,
					       const struct wd_crypt *p)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_ENCRYPT, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst,
				(__u64)(unsigned long)p);
}

/* An AEAD's tag that does not verify: -EBADMSG, and dst is untouched. */
static inline void io_uring_prep_accel_decrypt(struct io_uring_sqe *sqe,
					       int fd, void *dst,
					       const void *src, __u32 len,
					       const struct wd_crypt *p)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_DECRYPT, 0,
				(__u64)(unsigned long)src, len,
				(__u64)(unsigned long)dst,
				(__u64)(unsigned long)p);
}

/*
 * The digest of @src (into p->out), or with WD_DIGEST_F_MORE in @flags
 * only an addition to the key's running hash (p->out 0).
 */
static inline void io_uring_prep_accel_digest(struct io_uring_sqe *sqe,
					      int fd, const void *src,
					      __u32 len,
					      const struct wd_crypt *p,
					      unsigned int flags)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_DIGEST, flags,
				(__u64)(unsigned long)src, len, 0,
				(__u64)(unsigned long)p);
}

/*
 * A batch: @nr descriptors at @descs, one CQE whose res is the number that
 * succeeded; each descriptor gets its completion record written back.
 */
static inline void io_uring_prep_accel_batch(struct io_uring_sqe *sqe, int fd,
					     struct wd_desc *descs,
					     unsigned int nr)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_BATCH, 0,
				(__u64)(unsigned long)descs, nr, 0, 0);
}

/*
 * Descriptor builders: each zeroes the whole descriptor (its completion
 * record included) and fills one op, operands as in the op table.
 */
static inline void wd_desc_prep(struct wd_desc *d, __u8 op, __u32 flags,
				__u64 addr, __u32 len, __u64 addr2, __u64 arg)
{
	memset(d, 0, sizeof(*d));
	d->op = op;
	d->flags = flags;
	d->addr = addr;
	d->len = len;
	d->addr2 = addr2;
	d->arg = arg;
}

static inline void wd_desc_copy(struct wd_desc *d, void *dst, const void *src,
				__u32 len)
{
	wd_desc_prep(d, WD_OP_COPY, 0, (__u64)(unsigned long)src, len,
		     (__u64)(unsigned long)dst, 0);
}

static inline void wd_desc_fill(struct wd_desc *d, void *dst, __u64 pattern,
				__u32 len)
{
	wd_desc_prep(d, WD_OP_FILL, 0, (__u64)(unsigned long)dst, len, 0,
		     pattern);
}

static inline void wd_desc_compare(struct wd_desc *d, const void *a,
				   const void *b, __u32 len)
{
	wd_desc_prep(d, WD_OP_COMPARE, 0, (__u64)(unsigned long)a, len,
		     (__u64)(unsigned long)b, 0);
}

static inline void wd_desc_compare_pattern(struct wd_desc *d, const void *src,
					   __u64 pattern, __u32 len)
{
	wd_desc_prep(d, WD_OP_COMPARE_PATTERN, 0, (__u64)(unsigned long)src,
		     len, 0, pattern);
}

static inline void wd_desc_crc32c(struct wd_desc *d, const void *src,
				  __u32 len, __u32 seed)
{
	wd_desc_prep(d, WD_OP_CRC32C, 0, (__u64)(unsigned long)src, len, 0,
		     seed);
}

static inline void wd_desc_copy_crc32c(struct wd_desc *d, void *dst,
				       const void *src, __u32 len, __u32 seed)
{
	wd_desc_prep(d, WD_OP_COPY_CRC32C, 0, (__u64)(unsigned long)src, len,
		     (__u64)(unsigned long)dst, seed);
}

static inline void wd_desc_dualcast(struct wd_desc *d, void *dst1, void *dst2,
				    const void *src, __u32 len)
{
	wd_desc_prep(d, WD_OP_DUALCAST, 0, (__u64)(unsigned long)src, len,
		     (__u64)(unsigned long)dst1, (__u64)(unsigned long)dst2);
}

static inline void wd_desc_compress(struct wd_desc *d, void *dst,
				    __u32 dst_len, const void *src, __u32 len,
				    unsigned int format, unsigned int level)
{
	wd_desc_prep(d, WD_OP_COMPRESS, 0, (__u64)(unsigned long)src, len,
		     (__u64)(unsigned long)dst,
		     WD_COMP_ARG(dst_len, format, level));
}

static inline void wd_desc_decompress(struct wd_desc *d, void *dst,
				      __u32 dst_len, const void *src,
				      __u32 len, unsigned int format)
{
	wd_desc_prep(d, WD_OP_DECOMPRESS, 0, (__u64)(unsigned long)src, len,
		     (__u64)(unsigned long)dst, WD_COMP_ARG(dst_len, format, 0));
}

/* Result accessors: a descriptor's completion record. */
static inline int wd_desc_status(const struct wd_desc *d)
{
	return d->status;
}

static inline __u32 wd_desc_done(const struct wd_desc *d)
{
	return d->done;
}

static inline __u64 wd_desc_result(const struct wd_desc *d)
{
	return d->result;
}

/* The value result of a CQE from a CQE32 ring (a CRC, an offset). */
static inline __u64 io_uring_cqe_accel_value(const struct io_uring_cqe *cqe)
{
	return cqe->big_cqe[0];
}

/*
 * The value result of a CQE from @ring, whatever its CQE size: on a CQE32
 * ring every CQE has one; on an IORING_SETUP_CQE_MIXED ring (Linux 7.x,
 * liburing 2.12 and later) the ops with a value result come in a 32-byte
 * CQE (IORING_CQE_F_32), and a 16-byte CQE has none (0).
 */
static inline __u64 io_uring_accel_cqe_value(const struct io_uring *ring,
					     const struct io_uring_cqe *cqe)
{
	if (ring->flags & IORING_SETUP_CQE32)
		return cqe->big_cqe[0];
#ifdef IORING_CQE_F_32
	if (cqe->flags & IORING_CQE_F_32)
		return cqe->big_cqe[0];
#endif
	return 0;
}

/*
 * One descriptor carried in a 128-byte SQE (WD_CMD_DESC): it runs as its op
 * would from an SQE of its own, without a descriptor array in memory, and
 * its record comes back in the CQE (res; the value result as
 * io_uring_accel_cqe_value() reads it). @d's record fields must be 0.
 * @sqe is a 128-byte SQE: io_uring_get_sqe() on an IORING_SETUP_SQE128
 * ring; on an IORING_SETUP_SQE_MIXED ring, io_uring_get_sqe128() and
 * io_uring_prep_accel_desc128() instead.
 */
static inline void io_uring_prep_accel_desc(struct io_uring_sqe *sqe, int fd,
					    const struct wd_desc *d)
{
	struct wd_sqe_desc *sd = (struct wd_sqe_desc *)(void *)sqe->cmd;

	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_DESC, 0, 0, 0, 0, 0);
	sd->desc = *d;
	sd->__resv[0] = 0;
	sd->__resv[1] = 0;
}

#ifdef IORING_SETUP_SQE_MIXED
/*
 * The same on an IORING_SETUP_SQE_MIXED ring (Linux 7.x, liburing 2.12 and
 * later): @sqe from io_uring_get_sqe128(), marked IORING_OP_URING_CMD128 so
 * that the kernel takes both of its slots.
 */
static inline void io_uring_prep_accel_desc128(struct io_uring_sqe *sqe,
					       int fd, const struct wd_desc *d)
{
	io_uring_prep_accel_desc(sqe, fd, d);
	sqe->opcode = IORING_OP_URING_CMD128;
}
#endif

/*
 * Run one descriptor synchronously through ioctl(WD_IOC_SUBMIT), for code
 * that is not on a ring. Returns what a CQE's res would be, or -errno.
 */
int io_uring_accel_submit_sync(int fd, struct wd_desc *d);

/* WD_CTRL_GET_FEATURES into @f; completes with the bytes written. */
static inline void io_uring_prep_accel_get_features(struct io_uring_sqe *sqe,
						    int fd,
						    struct wd_features *f)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_GET_FEATURES, 0,
				(__u64)(unsigned long)f, sizeof(*f), 0, 0);
}

/* Name of op @op ("nop", ...), or NULL for an op this library lacks. */
const char *io_uring_accel_op_name(unsigned int op);

/* Open /dev/warpdrive/@name with open(2) @oflags; fd or -errno. */
int io_uring_accel_open(const char *name, int oflags);

/*
 * Open the first device (in name order) whose sysfs "ops" lists @op, and
 * copy its name into @name (@size bytes) when @name is not NULL.
 */
int io_uring_accel_open_op(unsigned int op, int oflags, char *name,
			   size_t size);

/* Fill @f for the device open on @fd, through a private ring. */
int io_uring_accel_probe(int fd, struct wd_features *f);

/*
 * Keys of a crypto device (crypto0): load @key (@key_len bytes; NULL and 0
 * for a plain digest) for algorithm @alg ("gcm(aes)", or an
 * implementation's driver name) into the open file @fd. @tag_len: an
 * AEAD's tag bytes (0: 16). Returns the handle (> 0) or a negative errno;
 * @info (may be NULL) receives what the kernel reports (implementation,
 * IV and output sizes, WD_KEY_F_* flags).
 */
int io_uring_accel_key_add(int fd, const char *alg, const void *key,
			   unsigned int key_len, unsigned int tag_len,
			   struct wd_key_add *info);
int io_uring_accel_key_remove(int fd, __u32 handle);

/*
 * Call on a WarpDrive SQE that io_uring may issue after io_uring_submit()
 * has returned: one that follows an SQE with IOSQE_IO_LINK or
 * IOSQE_IO_HARDLINK, or one submitted while an IOSQE_IO_DRAIN request may
 * still be pending. Kernels from 6.10 to 6.13.3 read such an SQE from the
 * SQ ring when they issue it, after the application may have reused the
 * slot; on those, this sets IOSQE_ASYNC, which has io_uring copy the SQE
 * when it is submitted. Elsewhere it does nothing.
 */
void io_uring_accel_sqe_deferred(struct io_uring_sqe *sqe);

/* Does this kernel need io_uring_accel_sqe_deferred()'s IOSQE_ASYNC? */
int io_uring_accel_sqe_copied_late(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBURING_ACCEL_H */
