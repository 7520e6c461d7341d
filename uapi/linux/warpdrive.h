/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * WarpDrive: accelerator offload through io_uring.
 *
 * This header is the whole user ABI and the single source of truth for the
 * kernel and for liburing-accel.
 *
 * A request is an io_uring SQE with opcode IORING_OP_URING_CMD whose fd is
 * a WarpDrive device (/dev/warpdrive/<name>, or its fixed-file index). The
 * SQE fields io_uring leaves to the driver are used as follows:
 *
 *   sqe->cmd_op     WD_CMD_* (below): which command or op
 *   sqe->addr       first operand (source address for data ops)
 *   sqe->len        length in bytes (or the op's own meaning, documented
 *                   with the op)
 *   sqe->file_index request flags (the 32 bits at byte 44, which liburing
 *                   also names splice_fd_in, optlen and addr_len): WD_F_*
 *                   common to all ops in the low 16 bits, the op's own
 *                   (WD_NOP_F_*, ...) in the high 16. io_uring leaves this
 *                   slot to the driver for URING_CMD; sqe->ioprio would be
 *                   the natural place, but io_uring refuses a non-zero
 *                   ioprio on URING_CMD with -EINVAL before we see it.
 *   sqe->cmd[0..15] struct wd_sqe_cmd: second operand and one argument
 *   sqe->buf_index  0; or, with IORING_URING_CMD_FIXED in
 *                   sqe->uring_cmd_flags, the io_uring registered buffer
 *                   every memory operand lies in: the device then uses its
 *                   pages, pinned at registration. Only for devices with
 *                   WD_DEV_F_PINNED; others fail it with -EOPNOTSUPP.
 *   SQE128 rings: the extra 64 bytes of sqe->cmd must be 0 (reserved)
 *
 * Every field an op does not use must be zero, else the request fails with
 * -EINVAL; so does an unknown command, op or flag. An op the device does
 * not implement fails with -EOPNOTSUPP. The CQE's res is the op's result
 * (bytes done, or a value documented with the op) or a negative errno. On a
 * CQE32 ring, big_cqe[0] carries the op's 64-bit value result (0 when it
 * has none) and big_cqe[1] is 0.
 */
#ifndef _UAPI_LINUX_WARPDRIVE_H
#define _UAPI_LINUX_WARPDRIVE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * ABI version reported by WD_CMD_GET_FEATURES. Bumped only for changes a
 * program must know about; additions are found through the feature bits.
 */
#define WD_ABI_VERSION		0

/*
 * Command numbering (sqe->cmd_op, 32 bits):
 *
 *   31            16 15       8 7         0
 *  +----------------+----------+-----------+
 *  |  WD_CMD_MAGIC  |  class   |  number   |
 *  +----------------+----------+-----------+
 *
 * The magic keeps our numbers apart from every other driver's URING_CMD
 * space, so a request sent to the wrong kind of device can never be
 * mistaken for a valid one. The class says who handles the command:
 *
 *   WD_CLASS_CTRL  handled by the WarpDrive core itself, synchronously
 *                  (probing, configuration); number = WD_CTRL_*
 *   WD_CLASS_OP    a data op executed by the device, one request per SQE
 *                  (the "inline" form); number = WD_OP_*
 *
 * Further classes (descriptor batches) will take further class values; the
 * op numbers stay the same across forms.
 */
#define WD_CMD_MAGIC		0x5744U		/* "WD" */
#define WD_CLASS_CTRL		0x00U
#define WD_CLASS_OP		0x01U

#define WD_CMD(class, nr)	((WD_CMD_MAGIC << 16) | ((class) << 8) | (nr))
#define WD_CMD_MAGIC_OF(cmd)	((__u32)(cmd) >> 16)
#define WD_CMD_CLASS(cmd)	(((__u32)(cmd) >> 8) & 0xffU)
#define WD_CMD_NR(cmd)		((__u32)(cmd) & 0xffU)

/* Control commands (WD_CLASS_CTRL). */
enum {
	/*
	 * Report what the device and this kernel support.
	 *   sqe->addr  user pointer to a struct wd_features
	 *   sqe->len   size of that buffer in bytes (at least
	 *              WD_FEATURES_SIZE_V0)
	 * The kernel writes min(sqe->len, its own sizeof(struct wd_features))
	 * bytes, every one of them initialised, and completes with the number
	 * of bytes written. A program built against a newer header sees the
	 * kernel's size in wd_features.size and zeroes beyond it.
	 */
	WD_CTRL_GET_FEATURES	= 0x01,
	WD_CTRL_END,
};

#define WD_CMD_GET_FEATURES	WD_CMD(WD_CLASS_CTRL, WD_CTRL_GET_FEATURES)

/*
 * Data ops (WD_CLASS_OP). The number doubles as the bit index in
 * wd_features.ops, so there are at most 64 of them.
 *
 * Operands, the same in an SQE (addr = sqe->addr, len = sqe->len, addr2
 * and arg = struct wd_sqe_cmd) and in a struct wd_desc:
 *
 *   op               addr    addr2   arg       res (and wd_desc.done)
 *   COPY             src     dst     0         len
 *   FILL             dst     0       pattern   len
 *   COMPARE          src1    src2    0         offset of the first
 *                                              difference; len if equal
 *   COMPARE_PATTERN  src     0       pattern   as COMPARE
 *   CRC32C           src     0       seed      len
 *   COPY_CRC32C      src     dst     seed      len
 *   DUALCAST         src     dst1    dst2      len
 *   COMPRESS         src     dst     WD_COMP_ARG(dst_len, format, level)
 *                                              bytes written to dst
 *   DECOMPRESS       src     dst     WD_COMP_ARG(dst_len, format, 0)
 *                                              bytes written to dst
 *
 * Value results (wd_desc.result, big_cqe[0] on CQE32 rings): the CRC for
 * CRC32C and COPY_CRC32C, the offset of the first difference (len if
 * none) for COMPARE and COMPARE_PATTERN, the uncompressed data's checksum
 * for COMPRESS and DECOMPRESS (CRC-32 for gzip, Adler-32 for zlib, 0 for
 * raw deflate), 0 for the rest.
 *
 * COPY has memmove semantics: src and dst may overlap either way.
 * FILL and COMPARE_PATTERN repeat the 8-byte pattern from the first byte:
 * byte i is ((__u8 *)&pattern)[i % 8], the pattern's in-memory order.
 * CRC32C is the Castagnoli polynomial (iSCSI, RFC 3720), reflected; the
 * value is the CRC register after the data, started from the seed (low 32
 * bits of arg; the rest must be 0), with no inversion on either side: the
 * RFC 3720 checksum of a buffer is ~crc(seed = ~0). Chaining requests with
 * the previous value as the seed gives the CRC of the concatenation.
 * COPY_CRC32C's buffers must not overlap; DUALCAST writes src to both
 * destinations, which must not overlap src or each other (-EINVAL).
 *
 * COMPRESS and DECOMPRESS are single-shot: src holds the whole input, dst
 * (dst_len bytes) receives the whole output. An output that does not fit
 * fails with -ENOSPC (and claims no output: bytes in dst are undefined);
 * corrupt or truncated input, a checksum that does not match, or bytes
 * after the end of the stream fail with -EBADMSG. Output never exceeds
 * dst_len, whatever the input claims. Formats (WD_COMP_*) are those the
 * device lists in wd_features.comp_formats; level is 0 (stored) to 9
 * (smallest), as zlib's, and for zstd 1 to 9 of zstd's scale (0: its
 * default, 3). src and dst must not overlap. done (in a descriptor) is the
 * bytes written to dst. zstd frames carry a content checksum (XXH64),
 * checked on decompression; their value result is 0, and frames whose
 * window exceeds 8 MiB are refused with -EBADMSG. LZ4 frames are written
 * with independent blocks and a content checksum (level must be 0);
 * decompression takes independent-block frames (others: -EOPNOTSUPP),
 * checking the header, block and content checksums present.
 *
 * A request that faults (an operand not mapped, or a destination not
 * writable) completes with -EFAULT; wd_desc.done says how many bytes were
 * processed (every destination byte before it was written, none after).
 */
enum {
	/*
	 * Does nothing, through the whole path: validation, the device's queue,
	 * its completion context and the CQE. The reference for overhead.
	 *   sqe->addr, sqe->len: 0 unless WD_NOP_F_INJECT_RESULT
	 *   wd_sqe_cmd.arg: any value, echoed in big_cqe[0] on CQE32 rings
	 *   wd_sqe_cmd.addr2: 0
	 * Result: 0, or (__s32)sqe->len with WD_NOP_F_INJECT_RESULT.
	 */
	WD_OP_NOP		= 0x00,
	WD_OP_COPY		= 0x01,
	WD_OP_FILL		= 0x02,
	WD_OP_COMPARE		= 0x03,
	WD_OP_COMPARE_PATTERN	= 0x04,
	WD_OP_CRC32C		= 0x05,
	WD_OP_COPY_CRC32C	= 0x06,
	WD_OP_DUALCAST		= 0x07,
	WD_OP_COMPRESS		= 0x08,
	WD_OP_DECOMPRESS	= 0x09,
	/* crypto ops: see "Crypto ops" below */
	WD_OP_ENCRYPT		= 0x0a,
	WD_OP_DECRYPT		= 0x0b,
	WD_OP_DIGEST		= 0x0c,
	WD_OP_END,
};

#define WD_CMD_NOP		WD_CMD(WD_CLASS_OP, WD_OP_NOP)
#define WD_CMD_COPY		WD_CMD(WD_CLASS_OP, WD_OP_COPY)
#define WD_CMD_FILL		WD_CMD(WD_CLASS_OP, WD_OP_FILL)
#define WD_CMD_COMPARE		WD_CMD(WD_CLASS_OP, WD_OP_COMPARE)
#define WD_CMD_COMPARE_PATTERN	WD_CMD(WD_CLASS_OP, WD_OP_COMPARE_PATTERN)
#define WD_CMD_CRC32C		WD_CMD(WD_CLASS_OP, WD_OP_CRC32C)
#define WD_CMD_COPY_CRC32C	WD_CMD(WD_CLASS_OP, WD_OP_COPY_CRC32C)
#define WD_CMD_DUALCAST		WD_CMD(WD_CLASS_OP, WD_OP_DUALCAST)
#define WD_CMD_COMPRESS		WD_CMD(WD_CLASS_OP, WD_OP_COMPRESS)
#define WD_CMD_DECOMPRESS	WD_CMD(WD_CLASS_OP, WD_OP_DECOMPRESS)
#define WD_CMD_ENCRYPT		WD_CMD(WD_CLASS_OP, WD_OP_ENCRYPT)
#define WD_CMD_DECRYPT		WD_CMD(WD_CLASS_OP, WD_OP_DECRYPT)
#define WD_CMD_DIGEST		WD_CMD(WD_CLASS_OP, WD_OP_DIGEST)

/*
 * Crypto ops, on devices that list them in wd_features.ops (the crypto-API
 * bridge, crypto0). Each names a key loaded into the same open file with
 * WD_IOC_KEY_ADD, and takes the rest of its parameters from a struct
 * wd_crypt in memory, read when the request is issued:
 *
 *   op        addr    addr2   arg                   len
 *   ENCRYPT   src     dst     -> struct wd_crypt    bytes of src and dst
 *   DECRYPT   src     dst     -> struct wd_crypt    bytes of src and dst
 *   DIGEST    src     0       -> struct wd_crypt    bytes of src
 *
 * res: len (DIGEST: the digest's size in bytes, 0 with WD_DIGEST_F_MORE),
 * or a negative errno. src and dst are the same buffer (in place) or do not
 * overlap (-EINVAL). The key's algorithm decides the rest:
 *  - skciphers (cbc(aes), ctr(aes), xts(aes)): iv holds the IV (XTS: the
 *    tweak); len must suit the mode (CBC: a multiple of 16; XTS: at least
 *    16), else -EINVAL. aad, aad_len and out are 0.
 *  - AEADs (gcm(aes)): iv holds the 12-byte nonce; aad/aad_len the
 *    associated data (at most WD_CRYPT_AAD_MAX bytes, read at issue); out
 *    the tag (the key's out_len bytes). ENCRYPT writes the tag there when
 *    the request completes; DECRYPT reads it at issue and fails with
 *    -EBADMSG when it does not verify, in which case dst is left as it was:
 *    no unauthenticated plaintext is ever written to it.
 *  - digests (sha256, sha512, hmac(sha256)): out receives the digest (the
 *    key's out_len bytes) when the request completes. With
 *    WD_DIGEST_F_MORE the data is only added to the key's running hash
 *    state and nothing is written; the next request without it writes the
 *    digest of everything since the last digest. Requests on one digest
 *    key must not overlap in time (-EBUSY). A request that fails once the
 *    running hash has been touched ends it, and the key's next request
 *    fails with -EPIPE (and the one after starts a new hash), so that no
 *    digest silently covers less than was sent.
 * Unknown or foreign key handle, or a key of another kind: -ENOKEY. The
 * tag or digest destination is pinned at issue: not writable, -EFAULT.
 */
#define WD_CRYPT_AAD_MAX	4096
#define WD_CRYPT_IV_MAX		16

struct wd_crypt {
	__u32	key;			/* handle from WD_IOC_KEY_ADD */
	__u32	aad_len;		/* AEAD: bytes at aad */
	__u64	aad;			/* AEAD: associated data */
	__u64	out;			/* AEAD: tag; DIGEST: digest */
	__u8	iv[WD_CRYPT_IV_MAX];	/* the key's iv_len bytes, rest 0 */
	__u64	__resv[3];		/* zero */
};

#define WD_CRYPT_SIZE		64

/* WD_OP_DIGEST: add the data to the running hash, write no digest yet */
#define WD_DIGEST_F_MORE	(1U << 16)

/*
 * Keys (WD_IOC_KEY_ADD): an algorithm and its key, loaded into an open
 * file of a crypto device. The file holds them; any process that holds
 * the file may name them in requests, no other file can. A key cannot be
 * read back; it is wiped when removed (WD_IOC_KEY_REMOVE) or when the file
 * is released. A file holds at most the device's keys_max (sysfs) keys:
 * more fail with -ENOSPC. Handles are not reused soon after removal. The
 * key ioctls need a file opened for writing (-EBADF).
 *
 * alg is a crypto API algorithm name ("gcm(aes)": the kernel's highest
 * priority implementation serves it) or an implementation's driver name
 * ("virtio_crypto_aes_cbc", "cbc(aes-generic)": that one serves it); the
 * algorithm must be one of the bridge's (sysfs "algorithms"), else
 * -ENOENT. The kernel reports what it chose.
 */
#define WD_KEY_NAME_MAX		128	/* CRYPTO_MAX_ALG_NAME */

struct wd_key_add {
	char	alg[WD_KEY_NAME_MAX];	/* in: NUL-terminated */
	/* in: the key; the "out" fields below must be 0 on input */
	__u64	key;			/* in: the key bytes (0 for a digest) */
	__u32	key_len;		/* in: their length */
	__u32	tag_len;		/* in: AEAD tag bytes (0: 16) */
	__u32	handle;			/* out: for wd_crypt.key */
	__u32	type;			/* out: WD_KEY_T_* */
	__u32	flags;			/* out: WD_KEY_F_* */
	__u32	iv_len;			/* out: bytes of wd_crypt.iv used */
	__u32	block_len;		/* out: the cipher's block size */
	__u32	out_len;		/* out: tag or digest bytes */
	char	driver[WD_KEY_NAME_MAX]; /* out: the implementation */
	__u64	__resv[4];		/* zero */
};

#define WD_KEY_ADD_SIZE		328

/* wd_key_add.type */
enum {
	WD_KEY_T_SKCIPHER	= 1,	/* ENCRYPT, DECRYPT */
	WD_KEY_T_AEAD		= 2,	/* ENCRYPT, DECRYPT */
	WD_KEY_T_HASH		= 3,	/* DIGEST */
};

/* wd_key_add.flags */
/* served by a device's driver, not by the CPU */
#define WD_KEY_F_HARDWARE	(1U << 0)
/* the implementation completes asynchronously (a queue and a callback) */
#define WD_KEY_F_ASYNC		(1U << 1)

/* Compression formats (the format field of WD_COMP_ARG). */
enum {
	WD_COMP_DEFLATE		= 0,	/* raw DEFLATE, RFC 1951 */
	WD_COMP_ZLIB		= 1,	/* zlib, RFC 1950 (Adler-32) */
	WD_COMP_GZIP		= 2,	/* gzip, RFC 1952 (CRC-32), one member */
	WD_COMP_ZSTD		= 3,	/* Zstandard, RFC 8878, one frame */
	WD_COMP_LZ4		= 4,	/* LZ4 frame format, one frame */
	WD_COMP_FORMAT_END,
};

#define WD_COMP_LEVEL_MAX	9

/*
 * COMPRESS/DECOMPRESS pack their parameters in arg: the output buffer's
 * size in bits 0-31, the format in bits 32-39, the level in bits 40-47.
 * Bits 48-63 are reserved (zero).
 */
#define WD_COMP_ARG(dst_len, format, level)				\
	((__u64)(__u32)(dst_len) | ((__u64)((format) & 0xff) << 32) |	\
	 ((__u64)((level) & 0xff) << 40))
#define WD_COMP_ARG_DST_LEN(arg)	((__u32)(arg))
#define WD_COMP_ARG_FORMAT(arg)		((__u32)((arg) >> 32) & 0xff)
#define WD_COMP_ARG_LEVEL(arg)		((__u32)((arg) >> 40) & 0xff)

/*
 * A batch (WD_CLASS_BATCH, number 0): one SQE, many requests.
 *   sqe->addr   user pointer to an array of struct wd_desc
 *   sqe->len    number of descriptors, 1..WD_BATCH_MAX
 *   flags, wd_sqe_cmd: 0
 * Each descriptor is validated and executed on its own, in array order,
 * and gets its completion record written back (status, done, result);
 * one bad descriptor fails only itself. The CQE's res is the number of
 * descriptors whose status is 0, or a negative errno when the batch as a
 * whole could not be run (-EINVAL for a bad count, -EFAULT when the array
 * cannot be read).
 */
#define WD_CLASS_BATCH		0x02U
#define WD_CMD_BATCH		WD_CMD(WD_CLASS_BATCH, 0)
#define WD_BATCH_MAX		1024

/*
 * One request in memory: an element of a batch, or the argument of the
 * WD_IOC_SUBMIT ioctl. The first part is written by the program, the
 * completion record by the kernel (which reads nothing from it).
 */
struct wd_desc {
	__u8	op;		/* WD_OP_* */
	__u8	__resv0[3];	/* zero */
	__u32	flags;		/* request flags, as in sqe->file_index */
	__u64	addr;		/* operands: see the op table above */
	__u64	addr2;
	__u64	arg;
	__u32	len;
	__u32	__resv1;	/* zero */
	__u64	__resv2;	/* zero */
	/* completion record */
	__s32	status;		/* 0, or a negative errno */
	__u32	done;		/* bytes processed */
	__u64	result;		/* the op's value result, or 0 */
};

#define WD_DESC_SIZE		64

/*
 * One descriptor in the SQE itself (WD_CLASS_BATCH, number 1), on a ring
 * with 128-byte SQEs: IORING_SETUP_SQE128, or an IORING_OP_URING_CMD128
 * SQE on an IORING_SETUP_SQE_MIXED ring (Linux 7.x). sqe->cmd holds a
 * struct wd_sqe_desc: the descriptor runs as its op would from an SQE of
 * its own, with no array in memory, and its completion record is the CQE
 * (res as for the op; the value result in big_cqe[0] where the ring posts
 * 32-byte CQEs). sqe->addr, sqe->len, sqe->file_index, the descriptor's
 * record fields and __resv are 0. -EINVAL in a 64-byte SQE.
 */
#define WD_CMD_DESC		WD_CMD(WD_CLASS_BATCH, 1)

struct wd_sqe_desc {
	struct wd_desc	desc;
	__u64		__resv[2];	/* zero */
};

/*
 * Synchronous submission for programs that are not on io_uring: runs one
 * descriptor to completion and writes its completion record back. Returns
 * what the CQE's res would be (>= 0), or -1 with errno set, the
 * descriptor's status included.
 */
#define WD_IOC_MAGIC		0xA7
#define WD_IOC_SUBMIT		_IOWR(WD_IOC_MAGIC, 0x01, struct wd_desc)
/* crypto devices: load a key; remove one by handle (-ENOKEY if none) */
#define WD_IOC_KEY_ADD		_IOWR(WD_IOC_MAGIC, 0x02, struct wd_key_add)
#define WD_IOC_KEY_REMOVE	_IOW(WD_IOC_MAGIC, 0x03, __u32)

/* Request flags common to every op (sqe->file_index, low 16 bits). */
#define WD_F_COMMON_MASK	0x0000ffffU

/* Op-specific request flags (sqe->file_index, high 16 bits). */
/* WD_OP_NOP: complete with (__s32)sqe->len instead of 0 */
#define WD_NOP_F_INJECT_RESULT	(1U << 16)
/*
 * WD_OP_NOP: complete in the io_uring issue path without involving the
 * device. Measures io_uring's own URING_CMD floor.
 */
#define WD_NOP_F_INLINE		(1U << 17)

/* The 16 bytes of sqe->cmd on a 64-byte SQE. */
struct wd_sqe_cmd {
	__u64	addr2;		/* second operand (destination for data ops) */
	__u64	arg;		/* op argument (seed, pattern, ...) */
};

/* Device capability flags (wd_features.dev_flags, sysfs "flags"). */
/* Operands are resolved by the CPU in the submitter's address space. */
#define WD_DEV_F_CPU_SVA	(1ULL << 0)
/* The device walks the submitter's page tables itself (PASID). */
#define WD_DEV_F_SVA		(1ULL << 1)
/*
 * The kernel pins and DMA-maps operands for the device (no PASID). Such a
 * device takes registered buffers (IORING_URING_CMD_FIXED) but no
 * descriptor batches (-EOPNOTSUPP); WD_IOC_SUBMIT works.
 */
#define WD_DEV_F_PINNED		(1ULL << 2)
/*
 * DECOMPRESS finds the end of the DEFLATE data as the device's provider
 * does, which does not report how much input it used (a bridge to a
 * device): bytes after a raw DEFLATE stream, or between the DEFLATE data
 * and a zlib or gzip trailer (the last bytes of the source), may be
 * ignored. zlib and gzip output is still checked against the trailer's
 * checksum and length.
 */
#define WD_DEV_F_DEFLATE_TAIL	(1ULL << 3)

struct wd_features {
	__u32	size;		/* bytes of this struct the kernel knows */
	__u16	abi_version;	/* WD_ABI_VERSION */
	__u16	__pad0;
	__u64	ops;		/* bit (1 << WD_OP_x) per op the device runs */
	__u64	op_flags;	/* WD_F_* and op flags the kernel accepts */
	__u64	dev_flags;	/* WD_DEV_F_* */
	__u64	max_len;	/* longest operand one request may name */
	__u32	nr_queues;	/* hardware (or engine) queues */
	__s32	numa_node;	/* -1 when the device has no affinity */
	__u64	comp_formats;	/* bit (1 << WD_COMP_x) per format */
	__u64	cmds;		/* WD_FEAT_CMD_*: request forms beyond one op */
	/*
	 * COMPRESS/DECOMPRESS: the longest input, and the most output, one
	 * request may have (0 from a kernel that predates the field: max_len)
	 */
	__u32	comp_max_len;
	__u32	__pad1;
	__u64	__resv[1];	/* zero */
};

/* wd_features.cmds (0 from a kernel that predates the field) */
#define WD_FEAT_CMD_BATCH	(1ULL << 0)	/* WD_CMD_BATCH */
#define WD_FEAT_CMD_DESC	(1ULL << 1)	/* WD_CMD_DESC */

#define WD_FEATURES_SIZE_V0	80

#endif /* _UAPI_LINUX_WARPDRIVE_H */
