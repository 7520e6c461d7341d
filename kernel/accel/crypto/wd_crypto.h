/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crypto0's parts: crypto.c (the device, keys, ciphers and hashes) and
 * comp.c (COMPRESS and DECOMPRESS through acomp).
 */
#ifndef _WD_CRYPTO_H
#define _WD_CRYPTO_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include "../wd_driver.h"

struct crypto_acomp;
struct crypto_alg;
struct acomp_req;
struct platform_device;
struct workqueue_struct;

/* acomp requests a CPU provider gets, at most: one per CPU that runs one */
#define WD_CZ_POOL		16

/**
 * struct wd_cz - the compressor behind crypto0's COMPRESS and DECOMPRESS
 * @tfm: an acomp "deflate" transform (NULL: crypto0 does not compress)
 * @max_len: the most one request may read or write (0: no limit of the
 *	provider's own)
 * @hw: a device's driver, not the CPU
 * @async: completes through a callback
 * @lock: guards @nr_free, @free and @waiting
 * @nr_free: requests in @free
 * @free: CPU providers: acomp requests not in use (made at load: on 6.12
 *	each carries a zlib workspace of some 300 KiB)
 * @waiting: CPU providers: requests waiting for one of @free
 */
struct wd_cz {
	struct crypto_acomp	*tfm;
	u32			max_len;
	bool			hw;
	bool			async;
	spinlock_t		lock;
	unsigned int		nr_free;
	struct acomp_req	*free[WD_CZ_POOL];
	struct list_head	waiting;
};

struct wd_cr {
	struct wd_device	*wdev;
	struct platform_device	*pdev;
	struct workqueue_struct	*wq;
	u32			keys_max;
	struct wd_cz		cz;
};

/*
 * rq->priv of crypto0's requests starts with the op, so that finish can
 * tell a compression request from a cipher or hash one.
 */
static inline u8 wd_cr_priv_op(const void *priv)
{
	return *(const u8 *)priv;
}

static inline bool wd_cr_op_is_comp(u8 op)
{
	return op == WD_OP_COMPRESS || op == WD_OP_DECOMPRESS;
}

bool wd_cr_alg_is_hw(const struct crypto_alg *alg);

int wd_cz_init(struct wd_cr *cr, const char *name);
void wd_cz_exit(struct wd_cr *cr);
int wd_cz_submit(struct wd_cr *cr, struct wd_req *rq, const struct wd_args *a,
		 bool nowait);
void wd_cz_finish(struct wd_cr *cr, struct wd_req *rq);

extern struct device_attribute dev_attr_compression;

#endif /* _WD_CRYPTO_H */
