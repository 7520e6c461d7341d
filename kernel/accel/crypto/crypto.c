// SPDX-License-Identifier: GPL-2.0
/*
 * crypto0: WarpDrive's bridge to the kernel crypto API.
 *
 * Every accelerator Linux drives for cryptography (QAT, CCP, HiSilicon
 * SEC, Marvell CPT, virtio-crypto, ...) registers its algorithms with the
 * crypto API; so do the CPU's own implementations (AES-NI, SHA-NI, the
 * generic C code) and the cryptd wrapper that makes them asynchronous.
 * This driver puts all of them behind one WarpDrive device, crypto0.
 * Compression accelerators register with it too (acomp): comp.c bridges
 * COMPRESS and DECOMPRESS to them; this file has the device, keys,
 * ciphers and hashes.
 *
 * Device model: one device, and the choice of implementation is made per
 * key. A key names an algorithm either generically ("gcm(aes)": the crypto
 * API's highest-priority implementation serves it) or by an
 * implementation's driver name ("virtio_crypto_aes_cbc": that one serves
 * it). WD_IOC_KEY_ADD reports the implementation chosen, whether it is a
 * device's driver or the CPU, and whether it is asynchronous; the sysfs
 * file "algorithms" says what a generic name resolves to. One device
 * rather than one per provider because the crypto API already arbitrates
 * between providers per algorithm, providers come and go (modules, hot
 * plug) without WarpDrive having to follow, and a program that wants a
 * particular one can still name it.
 *
 * Requests are pinned-mode: the core pins the operands' pages and the
 * transform gets them as scatterlists, so a provider's driver DMA-maps
 * the user's pages itself and nothing large is copied, with one
 * exception: AEAD decryption writes into a kernel buffer first and copies
 * to the destination only once the tag has verified, so that no
 * unauthenticated plaintext is ever visible.
 *
 * Where a request runs:
 *  - asynchronous implementations (a device's queue, cryptd) are called
 *    from ops->submit(), in the io_uring issue path: that call is the
 *    doorbell, and the provider's completion callback (softirq or
 *    interrupt) completes the request. -EBUSY with CRYPTO_TFM_REQ_MAY_BACKLOG
 *    means queued behind a full device queue; what one file may have in
 *    flight bounds that backlog.
 *  - synchronous ones (the CPU) run on the submitting thread when the
 *    request is at most inline_max bytes (sysfs), else on an unbound
 *    workqueue, which keeps long requests off the submitter's ring.
 * A canceled request still waiting for the workqueue ends with -ECANCELED;
 * one already with a provider runs to its end (the crypto API cannot take
 * a request back), which its pinned pages make safe.
 */
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include "wd_crypto.h"

/* Longest operand of one request. */
#define WD_CR_MAX_LEN		(16U << 20)
/* Keys one file may hold, unless sysfs keys_max says otherwise. */
#define WD_CR_KEYS_MAX		64
/* Longest key accepted (XTS-AES-256 is 64 bytes; HMAC keys may be long). */
#define WD_CR_KEY_LEN_MAX	256
/* Synchronous implementations run in the issue path up to this. */
#define WD_CR_INLINE_MAX	4096
/* The longest tag or digest any of the algorithms produces (SHA-512). */
#define WD_CR_OUT_MAX		64

/* The algorithms the bridge serves, by crypto API name. */
static const struct wd_cr_alg {
	const char	*name;
	u8		type;
} wd_cr_algs[] = {
	{ "cbc(aes)",		WD_KEY_T_SKCIPHER },
	{ "ctr(aes)",		WD_KEY_T_SKCIPHER },
	{ "xts(aes)",		WD_KEY_T_SKCIPHER },
	{ "gcm(aes)",		WD_KEY_T_AEAD },
	{ "sha256",		WD_KEY_T_HASH },
	{ "sha512",		WD_KEY_T_HASH },
	{ "hmac(sha256)",	WD_KEY_T_HASH },
};

/*
 * A loaded key: a transform with the key set. Held by the file's table
 * and by every request naming it; the last reference frees it in process
 * context (the final put is never in a completion callback).
 */
struct wd_cr_key {
	struct kref		ref;
	u8			type;
	bool			async;
	bool			hw;
	bool			xts;
	u32			iv_len;
	u32			block_len;
	u32			out_len;
	union {
		struct crypto_skcipher	*skcipher;
		struct crypto_aead	*aead;
		struct crypto_ahash	*ahash;
	};
	/* digests: one request at a time, and the running state between them */
	atomic_t		busy;
	bool			running;
	bool			broken;
	void			*state;
	u32			state_len;
};

struct wd_cr_file {
	struct xarray		keys;
	struct mutex		lock;	/* serializes add and remove */
	u32			nr;
	u32			next;	/* the next handle to try */
};

/* Where a digest request is in its chain of transform calls. */
enum {
	WD_CR_H_INIT,
	WD_CR_H_IMPORT,
	WD_CR_H_UPDATE,
	WD_CR_H_FINUP,
	WD_CR_H_DIGEST,
	WD_CR_H_EXPORT,
	WD_CR_H_END,
};

/**
 * struct wd_cr_req - one request on its way through a transform
 * @op: WD_OP_ENCRYPT, WD_OP_DECRYPT or WD_OP_DIGEST (first: see
 *	wd_cr_priv_op())
 * @rq: the core's request
 * @key: the key it names (a reference)
 * @wq: the device's workqueue
 * @more: DIGEST with WD_DIGEST_F_MORE
 * @started: the transform has been called (a digest's state touched)
 * @resume: the workqueue goes on with a digest's chain
 * @len: bytes of data
 * @steps: DIGEST: the transform calls to make, in order
 * @nsteps: how many of @steps there are
 * @step: the next of them
 * @aad_len: AEAD: bytes of associated data
 * @aad: AEAD: the associated data
 * @aad_dst: AEAD: room for the transform to write it again, in the
 *	destination's list
 * @sgt_src: AEAD: associated data, the source pages and (DECRYPT) the tag
 * @sgt_dst: AEAD: room for the associated data, then the destination (or
 *	for DECRYPT the bounce pages), then (ENCRYPT) the tag
 * @bounce: AEAD DECRYPT: the plaintext, until the tag has verified
 * @nr_bounce: pages in @bounce
 * @out_pages: the pinned pages the tag or digest goes to
 * @nr_out_pages: how many (0: nothing to write)
 * @out_off: where in the first it starts
 * @work: for the workqueue
 * @iv: the IV, as the transform updates it
 * @out: the tag (in or out) or the digest (a DMA buffer of its own)
 * @creq: the transform's request (skcipher, aead or ahash), at the end
 */
struct wd_cr_req {
	u8			op;
	struct wd_req		*rq;
	struct wd_cr_key	*key;
	struct workqueue_struct	*wq;
	bool			more;
	bool			started;
	bool			resume;
	u32			len;
	u8			steps[3];
	u8			nsteps;
	u8			step;
	u32			aad_len;
	void			*aad;
	void			*aad_dst;
	struct sg_table		sgt_src;
	struct sg_table		sgt_dst;
	struct page		**bounce;
	unsigned int		nr_bounce;
	struct page		*out_pages[2];
	u8			nr_out_pages;
	u32			out_off;
	struct work_struct	work;
	u8			iv[WD_CRYPT_IV_MAX];
	u8			*out;
	void			*creq;
};

/* ---- keys -------------------------------------------------------------- */

static void wd_cr_tfm_free(struct wd_cr_key *k)
{
	switch (k->type) {
	case WD_KEY_T_SKCIPHER:
		crypto_free_skcipher(k->skcipher);
		break;
	case WD_KEY_T_AEAD:
		crypto_free_aead(k->aead);
		break;
	case WD_KEY_T_HASH:
		crypto_free_ahash(k->ahash);
		break;
	}
	k->type = 0;
}

static void wd_cr_key_release(struct kref *ref)
{
	struct wd_cr_key *k = container_of(ref, struct wd_cr_key, ref);

	wd_cr_tfm_free(k);
	/* an HMAC's running state is as secret as its key */
	kfree_sensitive(k->state);
	kfree(k);
}

/* Context: process (freeing a transform may sleep). */
static void wd_cr_key_put(struct wd_cr_key *k)
{
	kref_put(&k->ref, wd_cr_key_release);
}

static struct wd_cr_key *wd_cr_key_get(struct wd_cr_file *cf, u32 handle)
{
	struct wd_cr_key *k;

	xa_lock(&cf->keys);
	k = xa_load(&cf->keys, handle);
	if (k)
		kref_get(&k->ref);
	xa_unlock(&cf->keys);
	return k;
}

static const struct wd_cr_alg *wd_cr_alg_find(const char *cra_name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(wd_cr_algs); i++)
		if (!strcmp(wd_cr_algs[i].name, cra_name))
			return &wd_cr_algs[i];
	return NULL;
}

/*
 * Is the implementation a device's driver? Drivers of offload engines
 * mark their algorithms CRYPTO_ALG_KERN_DRIVER_ONLY, except some (such as
 * virtio_crypto) that do not; those are told by their module, which has
 * registered a bus driver. The CPU's implementations and the crypto API's
 * templates do neither.
 */
bool wd_cr_alg_is_hw(const struct crypto_alg *alg)
{
	if (alg->cra_flags & CRYPTO_ALG_KERN_DRIVER_ONLY)
		return true;
#ifdef CONFIG_SYSFS
	if (alg->cra_module && alg->cra_module->mkobj.drivers_dir)
		return true;
#endif
	return false;
}

/*
 * Allocate a transform for @name as algorithm type @type. Returns the
 * transform's generic part; ERR_PTR(-ENOENT) when @name is no algorithm of
 * that type the bridge serves, or the crypto API's error (-ENOMEM, ...).
 */
static struct crypto_tfm *wd_cr_tfm_alloc(const char *name, u8 type,
					  struct wd_cr_key *k)
{
	struct crypto_tfm *tfm;
	const struct wd_cr_alg *alg;

	switch (type) {
	case WD_KEY_T_SKCIPHER:
		k->skcipher = crypto_alloc_skcipher(name, 0, 0);
		if (IS_ERR(k->skcipher))
			return ERR_CAST(k->skcipher);
		tfm = crypto_skcipher_tfm(k->skcipher);
		break;
	case WD_KEY_T_AEAD:
		k->aead = crypto_alloc_aead(name, 0, 0);
		if (IS_ERR(k->aead))
			return ERR_CAST(k->aead);
		tfm = crypto_aead_tfm(k->aead);
		break;
	case WD_KEY_T_HASH:
	default:
		k->ahash = crypto_alloc_ahash(name, 0, 0);
		if (IS_ERR(k->ahash))
			return ERR_CAST(k->ahash);
		tfm = crypto_ahash_tfm(k->ahash);
		break;
	}
	k->type = type;
	alg = wd_cr_alg_find(crypto_tfm_alg_name(tfm));
	if (alg && alg->type == type)
		return tfm;
	wd_cr_tfm_free(k);
	return ERR_PTR(-ENOENT);
}

/* Resolve @name to a transform of an algorithm the bridge serves. */
static int wd_cr_key_resolve(struct wd_cr_key *k, const char *name)
{
	const struct wd_cr_alg *alg = wd_cr_alg_find(name);
	static const u8 types[] = {
		WD_KEY_T_SKCIPHER, WD_KEY_T_AEAD, WD_KEY_T_HASH
	};
	struct crypto_tfm *tfm = ERR_PTR(-ENOENT);
	unsigned int i;

	if (alg) {
		tfm = wd_cr_tfm_alloc(name, alg->type, k);
	} else {
		/*
		 * A driver name: whichever type it turns out to be. A name
		 * of another type fails variously (-ENOENT, or -EINVAL from
		 * a template that cannot make that type); only running out
		 * of memory ends the search.
		 */
		for (i = 0; i < ARRAY_SIZE(types); i++) {
			tfm = wd_cr_tfm_alloc(name, types[i], k);
			if (!IS_ERR(tfm) || PTR_ERR(tfm) == -ENOMEM)
				break;
		}
	}
	if (IS_ERR(tfm))
		return PTR_ERR(tfm) == -ENOMEM ? -ENOMEM : -ENOENT;
	k->xts = !strncmp(crypto_tfm_alg_name(tfm), "xts(", 4);
	k->async = tfm->__crt_alg->cra_flags & CRYPTO_ALG_ASYNC;
	k->hw = wd_cr_alg_is_hw(tfm->__crt_alg);
	k->block_len = crypto_tfm_alg_blocksize(tfm);
	return 0;
}

/* Set the key's bytes (@key, @key_len) and learn its geometry. */
static int wd_cr_key_set(struct wd_cr_key *k, const u8 *key, u32 key_len,
			 u32 tag_len)
{
	int ret;

	switch (k->type) {
	case WD_KEY_T_SKCIPHER:
		if (tag_len)
			return -EINVAL;
		k->iv_len = crypto_skcipher_ivsize(k->skcipher);
		return crypto_skcipher_setkey(k->skcipher, key, key_len);
	case WD_KEY_T_AEAD:
		k->iv_len = crypto_aead_ivsize(k->aead);
		k->out_len = tag_len ?: crypto_aead_maxauthsize(k->aead);
		ret = crypto_aead_setkey(k->aead, key, key_len);
		if (!ret)
			ret = crypto_aead_setauthsize(k->aead, k->out_len);
		return ret;
	default:
		if (tag_len)
			return -EINVAL;
		k->out_len = crypto_ahash_digestsize(k->ahash);
		/* a plain digest takes no key, an HMAC needs one */
		if (!(crypto_ahash_get_flags(k->ahash) & CRYPTO_TFM_NEED_KEY))
			return key_len ? -EINVAL : 0;
		if (!key_len)
			return -EINVAL;
		return crypto_ahash_setkey(k->ahash, key, key_len);
	}
}

static long wd_cr_key_add(struct wd_cr *cr, struct wd_cr_file *cf,
			  struct wd_key_add __user *uka)
{
	struct wd_key_add ka;
	struct wd_cr_key *k;
	u8 *key = NULL;
	u32 handle;
	int ret;

	BUILD_BUG_ON(sizeof(ka) != WD_KEY_ADD_SIZE);

	if (copy_from_user(&ka, uka, sizeof(ka)))
		return -EFAULT;
	/* the fields the kernel fills in come zeroed, for their future use */
	if (memchr_inv(ka.__resv, 0, sizeof(ka.__resv)) || ka.handle ||
	    ka.type || ka.flags || ka.iv_len || ka.block_len || ka.out_len ||
	    memchr_inv(ka.driver, 0, sizeof(ka.driver)) ||
	    strnlen(ka.alg, sizeof(ka.alg)) == sizeof(ka.alg) ||
	    ka.key_len > WD_CR_KEY_LEN_MAX || (!ka.key && ka.key_len) ||
	    ka.tag_len > WD_CR_OUT_MAX)
		return -EINVAL;

	k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	kref_init(&k->ref);
	atomic_set(&k->busy, 0);
	ret = wd_cr_key_resolve(k, ka.alg);
	if (ret) {
		kfree(k);
		return ret;
	}
	if (ka.key_len) {
		key = memdup_user(u64_to_user_ptr(ka.key), ka.key_len);
		if (IS_ERR(key)) {
			ret = PTR_ERR(key);
			key = NULL;
			goto err;
		}
	}
	/* the transform keeps its own copy; this one is wiped at once */
	ret = wd_cr_key_set(k, key, ka.key_len, ka.tag_len);
	kfree_sensitive(key);
	if (ret)
		goto err;
	/* what a request carries must fit where it goes */
	if (k->iv_len > WD_CRYPT_IV_MAX || k->out_len > WD_CR_OUT_MAX) {
		ret = -EINVAL;
		goto err;
	}
	if (k->type == WD_KEY_T_HASH) {
		k->state_len = crypto_ahash_statesize(k->ahash);
		k->state = kzalloc(k->state_len, GFP_KERNEL_ACCOUNT);
		if (!k->state) {
			ret = -ENOMEM;
			goto err;
		}
	}

	mutex_lock(&cf->lock);
	ret = -ENOSPC;
	if (cf->nr < READ_ONCE(cr->keys_max))
		/* not a handle just removed: a queued SQE may still name it */
		ret = xa_alloc_cyclic(&cf->keys, &handle, k, xa_limit_32b,
				      &cf->next, GFP_KERNEL_ACCOUNT);
	if (ret == 1)	/* wrapped around: fine */
		ret = 0;
	if (!ret)
		cf->nr++;
	mutex_unlock(&cf->lock);
	if (ret)
		goto err;

	ka.handle = handle;
	ka.type = k->type;
	ka.flags = (k->hw ? WD_KEY_F_HARDWARE : 0) |
		   (k->async ? WD_KEY_F_ASYNC : 0);
	ka.iv_len = k->iv_len;
	ka.block_len = k->block_len;
	ka.out_len = k->out_len;
	switch (k->type) {
	case WD_KEY_T_SKCIPHER:
		ret = strscpy(ka.driver,
			      crypto_skcipher_driver_name(k->skcipher));
		break;
	case WD_KEY_T_AEAD:
		ret = strscpy(ka.driver, crypto_aead_driver_name(k->aead));
		break;
	case WD_KEY_T_HASH:
	default:
		ret = strscpy(ka.driver, crypto_ahash_driver_name(k->ahash));
		break;
	}
	/* WD_KEY_NAME_MAX is the crypto API's own limit: cannot happen */
	WARN_ON_ONCE(ret < 0);
	if (!copy_to_user(uka, &ka, sizeof(ka)))
		return 0;
	/* nobody learned the handle: take the key out again */
	mutex_lock(&cf->lock);
	if (xa_erase(&cf->keys, handle) == k) {
		cf->nr--;
		mutex_unlock(&cf->lock);
		wd_cr_key_put(k);
	} else {
		/* guessed and removed by another thread already */
		mutex_unlock(&cf->lock);
	}
	return -EFAULT;

err:
	wd_cr_key_put(k);
	return ret;
}

static long wd_cr_key_remove(struct wd_cr_file *cf, u32 __user *uh)
{
	struct wd_cr_key *k;
	u32 handle;

	if (get_user(handle, uh))
		return -EFAULT;
	mutex_lock(&cf->lock);
	k = xa_erase(&cf->keys, handle);
	if (k)
		cf->nr--;
	mutex_unlock(&cf->lock);
	if (!k)
		return -ENOKEY;
	/* requests that name it keep it until they finish */
	wd_cr_key_put(k);
	return 0;
}

/* ---- requests ---------------------------------------------------------- */

/*
 * Read @len bytes of the submitter's at @uaddr. In the issue path
 * (@nowait) only what is present: WD_SUBMIT_LATER asks for the
 * submitter's task.
 */
static int wd_cr_read_user(void *dst, u64 uaddr, u32 len, bool nowait)
{
	void __user *src = u64_to_user_ptr(uaddr);

	if (!nowait)
		return copy_from_user(dst, src, len) ? -EFAULT : 0;
	/* a bad address too: the copy that may fault tells them apart */
	return copy_from_user_nofault(dst, src, len) ? WD_SUBMIT_LATER : 0;
}

/*
 * Pin the page(s) the tag or digest goes to, so that it can be written
 * where no fault may be taken: ops->finish() runs as io_uring task work,
 * under the ring's lock on 6.12.
 */
static int wd_cr_pin_out(struct wd_cr_req *r, u64 uaddr, u32 len,
			 bool nowait)
{
	unsigned int n = DIV_ROUND_UP(offset_in_page(uaddr) + len, PAGE_SIZE);
	int got;

	if (!access_ok(u64_to_user_ptr(uaddr), len))
		return -EFAULT;
	got = pin_user_pages_fast(uaddr & PAGE_MASK, n,
				  FOLL_WRITE | (nowait ? FOLL_NOFAULT : 0),
				  r->out_pages);
	if (got == n) {
		r->nr_out_pages = n;
		r->out_off = offset_in_page(uaddr);
		return 0;
	}
	if (got > 0)
		unpin_user_pages(r->out_pages, got);
	return nowait ? WD_SUBMIT_LATER : -EFAULT;
}

/* Write @r->out to the pinned output pages. */
static void wd_cr_write_out(struct wd_cr_req *r, u32 len)
{
	u32 off = r->out_off, done = 0, n;
	unsigned int i;

	for (i = 0; i < r->nr_out_pages && done < len; i++, off = 0) {
		void *va = kmap_local_page(r->out_pages[i]);

		n = min_t(u32, PAGE_SIZE - off, len - done);
		memcpy(va + off, r->out + done, n);
		kunmap_local(va);
		done += n;
	}
}

static void wd_cr_free_bounce(struct wd_cr_req *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_bounce; i++) {
		/* it may hold plaintext whose tag did not verify */
		clear_highpage(r->bounce[i]);
		__free_page(r->bounce[i]);
	}
	kvfree(r->bounce);
}

static void wd_cr_req_free(struct wd_cr_req *r, bool dirty)
{
	if (r->nr_out_pages)
		unpin_user_pages_dirty_lock(r->out_pages, r->nr_out_pages,
					    dirty);
	if (r->bounce)
		wd_cr_free_bounce(r);
	sg_free_table(&r->sgt_src);
	sg_free_table(&r->sgt_dst);
	kfree(r->aad);
	kfree(r->aad_dst);
	kfree_sensitive(r->out);
	wd_cr_key_put(r->key);
	/* the IV and the transform's request state */
	kfree_sensitive(r);
}

/*
 * An AEAD's scatterlist, in @sgt (chained tables: no large allocation):
 * @head (@head_len bytes), then the entries of @data (@data_nents), then
 * @tail (@tail_len bytes). No zero-length entries (generic GCM trips over
 * one at the head), except the one an empty list needs.
 */
static int wd_cr_sg_build(struct sg_table *sgt, void *head, u32 head_len,
			  struct scatterlist *data, unsigned int data_nents,
			  void *tail, u32 tail_len)
{
	unsigned int n = !!head_len + data_nents + !!tail_len;
	struct scatterlist *d, *s;
	int ret, j;

	ret = sg_alloc_table(sgt, max(n, 1U), GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	d = sgt->sgl;
	if (head_len || !n) {
		sg_set_buf(d, head, head_len);
		d = sg_next(d);
	}
	for_each_sg(data, s, data_nents, j) {
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
	if (tail_len)
		sg_set_buf(d, tail, tail_len);
	return 0;
}

/* The bounce pages for an AEAD decryption's plaintext, listed in @sgt. */
static int wd_cr_alloc_bounce(struct wd_cr_req *r, struct sg_table *sgt)
{
	unsigned int n = DIV_ROUND_UP(r->len, PAGE_SIZE), i;

	r->bounce = kvcalloc(n, sizeof(*r->bounce), GFP_KERNEL_ACCOUNT);
	if (!r->bounce)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r->bounce[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!r->bounce[i])
			return -ENOMEM;
		r->nr_bounce++;
	}
	return sg_alloc_table_from_pages(sgt, r->bounce, n, 0, r->len,
					 GFP_KERNEL_ACCOUNT);
}

/*
 * The request is over with @err. A digest key's running hash goes on only
 * after a success with WD_DIGEST_F_MORE; a failure once the hash was
 * touched breaks it, and the key's next request says so (-EPIPE) rather
 * than give the digest of less than everything since the last one.
 */
static void wd_cr_end(struct wd_cr_req *r, int err)
{
	struct wd_req *rq = r->rq;
	struct wd_cr_key *k = r->key;

	if (err)
		rq->res = err;
	else if (r->op != WD_OP_DIGEST)
		rq->res = r->len;
	else
		rq->res = r->more ? 0 : k->out_len;
	if (r->op == WD_OP_DIGEST) {
		if (err && r->started && (k->running || r->more))
			k->broken = true;
		if (r->started)
			k->running = !err && r->more;
		atomic_set_release(&k->busy, 0);
	}
	wd_complete(rq);
}

static int wd_cr_hash_step(struct wd_cr_req *r)
{
	struct ahash_request *req = r->creq;
	struct wd_cr_key *k = r->key;

	switch (r->steps[r->step++]) {
	case WD_CR_H_INIT:
		return crypto_ahash_init(req);
	case WD_CR_H_IMPORT:
		return crypto_ahash_import(req, k->state);
	case WD_CR_H_UPDATE:
		return crypto_ahash_update(req);
	case WD_CR_H_FINUP:
		return crypto_ahash_finup(req);
	case WD_CR_H_DIGEST:
		return crypto_ahash_digest(req);
	default:
		return crypto_ahash_export(req, k->state);
	}
}

/*
 * Run a digest's remaining steps while they complete at once. Returns
 * -EINPROGRESS or -EBUSY when one went to the provider (its callback goes
 * on), else the result.
 */
static int wd_cr_hash_run(struct wd_cr_req *r)
{
	int err = 0;

	while (!err && r->step < r->nsteps)
		err = wd_cr_hash_step(r);
	return err;
}

/*
 * The transform's callback: softirq, hard interrupt or process context.
 * A digest's chain goes on from here, but not from a hard interrupt, where
 * no transform may be called: the workqueue takes it there.
 */
static void wd_cr_done(void *data, int err)
{
	struct wd_cr_req *r = data;

	/* moved from the provider's backlog to its queue: not the end */
	if (err == -EINPROGRESS)
		return;
	if (!err && r->op == WD_OP_DIGEST && r->step < r->nsteps) {
		if (in_hardirq()) {
			r->resume = true;
			queue_work(r->wq, &r->work);
			return;
		}
		/* the rest of the chain runs here, where nothing may sleep */
		ahash_request_set_callback(r->creq, CRYPTO_TFM_REQ_MAY_BACKLOG,
					   wd_cr_done, r);
		err = wd_cr_hash_run(r);
		if (err == -EINPROGRESS || err == -EBUSY)
			return;
	}
	wd_cr_end(r, err);
}

/* Make the transform call (the first of a digest's). */
static int wd_cr_start(struct wd_cr_req *r, bool may_sleep)
{
	u32 flags = CRYPTO_TFM_REQ_MAY_BACKLOG |
		    (may_sleep ? CRYPTO_TFM_REQ_MAY_SLEEP : 0);

	r->started = true;
	switch (r->key->type) {
	case WD_KEY_T_SKCIPHER:
		skcipher_request_set_callback(r->creq, flags, wd_cr_done, r);
		return r->op == WD_OP_ENCRYPT ?
		       crypto_skcipher_encrypt(r->creq) :
		       crypto_skcipher_decrypt(r->creq);
	case WD_KEY_T_AEAD:
		aead_request_set_callback(r->creq, flags, wd_cr_done, r);
		return r->op == WD_OP_ENCRYPT ?
		       crypto_aead_encrypt(r->creq) :
		       crypto_aead_decrypt(r->creq);
	case WD_KEY_T_HASH:
	default:
		ahash_request_set_callback(r->creq, flags, wd_cr_done, r);
		return wd_cr_hash_run(r);
	}
}

static void wd_cr_run(struct wd_cr_req *r, bool may_sleep)
{
	int err = wd_cr_start(r, may_sleep);

	if (err == -EINPROGRESS || err == -EBUSY)
		return;
	wd_cr_end(r, err);
}

static void wd_cr_work(struct work_struct *work)
{
	struct wd_cr_req *r = container_of(work, struct wd_cr_req, work);

	if (r->resume) {
		/* a digest's chain, handed over by a hard interrupt */
		r->resume = false;
		wd_cr_done(r, 0);
		return;
	}
	if (wd_req_canceled(r->rq) || wd_req_owner_gone(r->rq)) {
		wd_cr_end(r, -ECANCELED);
		return;
	}
	wd_cr_run(r, true);
}

/* The sizes and the transform request of @r's key. */
static size_t wd_cr_creq_size(const struct wd_cr_key *k)
{
	switch (k->type) {
	case WD_KEY_T_SKCIPHER:
		return sizeof(struct skcipher_request) +
		       crypto_skcipher_reqsize(k->skcipher);
	case WD_KEY_T_AEAD:
		return sizeof(struct aead_request) +
		       crypto_aead_reqsize(k->aead);
	default:
		return sizeof(struct ahash_request) +
		       crypto_ahash_reqsize(k->ahash);
	}
}

/* Check a request's parameters against its key, before anything else. */
static int wd_cr_check(const struct wd_cr_key *k, const struct wd_args *a,
		       const struct wd_crypt *p)
{
	if (memchr_inv(p->__resv, 0, sizeof(p->__resv)) ||
	    memchr_inv(p->iv + k->iv_len, 0, sizeof(p->iv) - k->iv_len))
		return -EINVAL;
	switch (k->type) {
	case WD_KEY_T_SKCIPHER:
		if (a->op == WD_OP_DIGEST)
			return -ENOKEY;
		if (p->aad || p->aad_len || p->out)
			return -EINVAL;
		/* block modes take whole blocks, XTS at least one */
		if (k->block_len > 1 && a->len % k->block_len && !k->xts)
			return -EINVAL;
		if (k->block_len > 1 && a->len < k->block_len)
			return -EINVAL;
		return 0;
	case WD_KEY_T_AEAD:
		if (a->op == WD_OP_DIGEST)
			return -ENOKEY;
		if (p->aad_len > WD_CRYPT_AAD_MAX || !p->out ||
		    (p->aad_len && !p->aad) || (!p->aad_len && p->aad))
			return -EINVAL;
		return 0;
	default:
		if (a->op != WD_OP_DIGEST)
			return -ENOKEY;
		if (p->aad || p->aad_len)
			return -EINVAL;
		/* nothing is written until the last request */
		if (!!(a->flags & WD_DIGEST_F_MORE) != !p->out)
			return -EINVAL;
		return 0;
	}
}

/* Lay the AEAD request out: AAD in front, the tag behind the data. */
static int wd_cr_prep_aead(struct wd_cr_req *r, struct wd_dma *dma,
			   const struct wd_crypt *p, bool in_place,
			   bool nowait)
{
	struct sg_table bounce = {};
	struct sg_table *out = &dma->addr2.sgt, *in;
	bool enc = r->op == WD_OP_ENCRYPT;
	u32 tag = r->key->out_len;
	int ret;

	/*
	 * A decryption's plaintext waits in bounce pages, which may be many:
	 * not allocated under the ring's lock.
	 */
	if (!enc && r->len && nowait)
		return WD_SUBMIT_LATER;
	r->aad_len = p->aad_len;
	/* separate allocations: each is a DMA buffer to some provider */
	r->aad = kmalloc(max(p->aad_len, 1U), GFP_KERNEL_ACCOUNT);
	r->aad_dst = kmalloc(max(p->aad_len, 1U), GFP_KERNEL_ACCOUNT);
	if (!r->aad || !r->aad_dst)
		return -ENOMEM;
	if (p->aad_len) {
		ret = wd_cr_read_user(r->aad, p->aad, p->aad_len, nowait);
		if (ret)
			return ret;
	}
	if (enc) {
		ret = wd_cr_pin_out(r, p->out, tag, nowait);
		if (ret)
			return ret;
	} else {
		ret = wd_cr_read_user(r->out, p->out, tag, nowait);
		if (ret)
			return ret;
		if (r->len) {
			ret = wd_cr_alloc_bounce(r, &bounce);
			if (ret) {
				sg_free_table(&bounce);
				return ret;
			}
			out = &bounce;
		}
	}

	/*
	 * In place (encryption): one list, AAD, data, room for the tag, over
	 * the pages pinned for writing.
	 */
	in = enc && in_place ? &dma->addr2.sgt : &dma->addr.sgt;
	ret = wd_cr_sg_build(&r->sgt_src, r->aad, r->aad_len,
			     r->len ? in->sgl : NULL,
			     r->len ? in->orig_nents : 0,
			     r->out, enc && !in_place ? 0 : tag);
	if (!ret && !(enc && in_place))
		ret = wd_cr_sg_build(&r->sgt_dst, r->aad_dst, r->aad_len,
				     r->len ? out->sgl : NULL,
				     r->len ? out->orig_nents : 0,
				     r->out, enc ? tag : 0);
	/* the entries were copied: the table itself is not needed */
	sg_free_table(&bounce);
	if (ret)
		return ret;

	aead_request_set_tfm(r->creq, r->key->aead);
	aead_request_set_ad(r->creq, r->aad_len);
	aead_request_set_crypt(r->creq, r->sgt_src.sgl,
			       enc && in_place ? r->sgt_src.sgl :
			       r->sgt_dst.sgl,
			       enc ? r->len : r->len + tag, r->iv);
	return 0;
}

static int wd_cr_prep(struct wd_cr_req *r, struct wd_dma *dma,
		      const struct wd_crypt *p, bool in_place, bool nowait)
{
	struct wd_cr_key *k = r->key;
	/* in place: the pages pinned for writing, as source and destination */
	struct scatterlist *dst = dma->addr2.sgt.sgl;
	struct scatterlist *src = !r->len ? NULL :
				  in_place ? dst : dma->addr.sgt.sgl;
	int ret;

	switch (k->type) {
	case WD_KEY_T_SKCIPHER:
		skcipher_request_set_tfm(r->creq, k->skcipher);
		skcipher_request_set_crypt(r->creq, src, dst, r->len, r->iv);
		return 0;
	case WD_KEY_T_AEAD:
		return wd_cr_prep_aead(r, dma, p, in_place, nowait);
	case WD_KEY_T_HASH:
	default:
		if (!r->more) {
			ret = wd_cr_pin_out(r, p->out, k->out_len, nowait);
			if (ret)
				return ret;
		}
		ahash_request_set_tfm(r->creq, k->ahash);
		ahash_request_set_crypt(r->creq, src, r->out, r->len);
		if (!k->running && !r->more) {
			r->steps[r->nsteps++] = WD_CR_H_DIGEST;
			return 0;
		}
		r->steps[r->nsteps++] = k->running ? WD_CR_H_IMPORT :
						     WD_CR_H_INIT;
		r->steps[r->nsteps++] = r->more ? WD_CR_H_UPDATE :
						  WD_CR_H_FINUP;
		if (r->more)
			r->steps[r->nsteps++] = WD_CR_H_EXPORT;
		return 0;
	}
}

static int wd_cr_submit(struct wd_device *wdev, struct wd_req *rq,
			const struct wd_args *a, unsigned int sflags)
{
	bool nowait = sflags & WD_SUBMIT_NOWAIT;
	struct wd_cr_file *cf = wd_req_file_priv(rq);
	struct wd_cr *cr = wdev->priv;
	struct wd_cr_req *r;
	struct wd_cr_key *k;
	struct wd_crypt p;
	size_t size;
	int ret;

	rq->priv = NULL;
	if (a->op == WD_OP_NOP) {
		wd_complete(rq);
		return 0;
	}
	if (wd_cr_op_is_comp(a->op))
		return wd_cz_submit(cr, rq, a, nowait);

	BUILD_BUG_ON(sizeof(p) != WD_CRYPT_SIZE);
	BUILD_BUG_ON(offsetof(struct wd_cr_req, op));
	ret = wd_cr_read_user(&p, a->arg, sizeof(p), nowait);
	if (ret)
		return ret;
	k = wd_cr_key_get(cf, p.key);
	if (!k)
		return -ENOKEY;
	ret = wd_cr_check(k, a, &p);
	if (ret)
		goto err_put;
	/* a running hash takes one request at a time */
	if (a->op == WD_OP_DIGEST) {
		if (atomic_cmpxchg_acquire(&k->busy, 0, 1)) {
			ret = -EBUSY;
			goto err_put;
		}
		if (k->broken) {
			/* said once; the key's next request starts afresh */
			k->broken = false;
			ret = -EPIPE;
			goto err_idle;
		}
	}

	size = ALIGN(sizeof(*r), CRYPTO_MINALIGN);
	r = kzalloc(size + wd_cr_creq_size(k), GFP_KERNEL_ACCOUNT);
	if (!r) {
		ret = -ENOMEM;
		goto err_idle;
	}
	r->creq = (u8 *)r + size;
	r->rq = rq;
	r->key = k;
	r->wq = cr->wq;
	r->op = a->op;
	r->more = a->flags & WD_DIGEST_F_MORE;
	r->len = a->len;
	memcpy(r->iv, p.iv, sizeof(r->iv));
	INIT_WORK(&r->work, wd_cr_work);
	r->out = kzalloc(WD_CR_OUT_MAX, GFP_KERNEL_ACCOUNT);
	ret = r->out ? wd_cr_prep(r, rq->dma, &p,
				  a->op != WD_OP_DIGEST && a->addr == a->addr2,
				  nowait) : -ENOMEM;
	if (ret) {
		/* the key's reference goes with the request */
		if (a->op == WD_OP_DIGEST)
			atomic_set_release(&k->busy, 0);
		wd_cr_req_free(r, false);
		return ret;
	}

	rq->priv = r;
	wd_doorbell_count(wdev);
	/*
	 * A device's asynchronous implementation is called right here (the
	 * call is its doorbell); anything else that runs on a CPU (the CPU's
	 * code, a synchronous device driver) only when it is short.
	 */
	if ((k->hw && k->async) || a->len <= READ_ONCE(wdev->inline_max))
		wd_cr_run(r, !nowait);
	else
		queue_work(cr->wq, &r->work);
	return 0;

err_idle:
	if (a->op == WD_OP_DIGEST)
		atomic_set_release(&k->busy, 0);
err_put:
	wd_cr_key_put(k);
	return ret;
}

/* Copy the verified plaintext from the bounce pages to the destination. */
static void wd_cr_copy_bounce(struct wd_cr_req *r, struct sg_table *dst)
{
	struct sg_mapping_iter it;
	unsigned int i = 0;
	u32 off = 0, n;

	sg_miter_start(&it, dst->sgl, dst->orig_nents, SG_MITER_TO_SG);
	while (sg_miter_next(&it)) {
		size_t done = 0;

		while (done < it.length && i < r->nr_bounce) {
			void *va = kmap_local_page(r->bounce[i]);

			n = min_t(size_t, PAGE_SIZE - off, it.length - done);
			memcpy(it.addr + done, va + off, n);
			kunmap_local(va);
			done += n;
			off += n;
			if (off == PAGE_SIZE) {
				off = 0;
				i++;
			}
		}
	}
	sg_miter_stop(&it);
}

/*
 * Deliver what the request produced. In the submitter's task, but maybe
 * under the ring's lock: only the pinned pages are written, nothing that
 * could fault.
 */
static void wd_cr_finish(struct wd_device *wdev, struct wd_req *rq,
			 bool deliver)
{
	struct wd_cr_req *r = rq->priv;
	struct wd_cr_key *k;
	bool dirty = false;

	/* a NOP has no state */
	if (!r)
		return;
	if (wd_cr_op_is_comp(wd_cr_priv_op(r))) {
		wd_cz_finish(wdev->priv, rq);
		return;
	}
	k = r->key;
	if (deliver && rq->res >= 0) {
		/* the tag verified: now the plaintext may be seen */
		if (k->type == WD_KEY_T_AEAD && r->op == WD_OP_DECRYPT &&
		    r->len)
			wd_cr_copy_bounce(r, &rq->dma->addr2.sgt);
		if (r->nr_out_pages) {
			wd_cr_write_out(r, k->out_len);
			dirty = true;
		}
	}
	rq->priv = NULL;
	wd_cr_req_free(r, dirty);
}

/* ---- files ------------------------------------------------------------- */

static int wd_cr_open(struct wd_device *wdev, void **file_priv)
{
	struct wd_cr_file *cf = kzalloc(sizeof(*cf), GFP_KERNEL_ACCOUNT);

	if (!cf)
		return -ENOMEM;
	xa_init_flags(&cf->keys, XA_FLAGS_ALLOC1);
	mutex_init(&cf->lock);
	*file_priv = cf;
	return 0;
}

static void wd_cr_release(struct wd_device *wdev, void *file_priv)
{
	struct wd_cr_file *cf = file_priv;
	struct wd_cr_key *k;
	unsigned long i;

	xa_for_each(&cf->keys, i, k) {
		xa_erase(&cf->keys, i);
		wd_cr_key_put(k);
	}
	xa_destroy(&cf->keys);
	mutex_destroy(&cf->lock);
	kfree(cf);
}

static long wd_cr_ioctl(struct wd_device *wdev, void *file_priv,
			unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case WD_IOC_KEY_ADD:
		return wd_cr_key_add(wdev->priv, file_priv,
				     (struct wd_key_add __user *)arg);
	case WD_IOC_KEY_REMOVE:
		return wd_cr_key_remove(file_priv, (u32 __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct wd_ops wd_cr_ops = {
	.owner		= THIS_MODULE,
	.name		= "crypto",
	.submit		= wd_cr_submit,
	.open		= wd_cr_open,
	.release	= wd_cr_release,
	.ioctl		= wd_cr_ioctl,
	.finish		= wd_cr_finish,
};

/* ---- sysfs ------------------------------------------------------------- */

/*
 * What each algorithm's generic name resolves to now: name, kind,
 * implementation, hw or cpu, async or sync.
 */
static ssize_t algorithms_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	static const char *const kinds[] = {
		[WD_KEY_T_SKCIPHER] = "skcipher",
		[WD_KEY_T_AEAD] = "aead",
		[WD_KEY_T_HASH] = "hash",
	};
	ssize_t len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(wd_cr_algs); i++) {
		const struct wd_cr_alg *alg = &wd_cr_algs[i];
		struct wd_cr_key k = {};
		struct crypto_tfm *tfm;

		tfm = wd_cr_tfm_alloc(alg->name, alg->type, &k);
		if (IS_ERR(tfm)) {
			len += sysfs_emit_at(buf, len, "%s %s -\n", alg->name,
					     kinds[alg->type]);
			continue;
		}
		len += sysfs_emit_at(buf, len, "%s %s %s %s %s\n", alg->name,
				     kinds[alg->type],
				     crypto_tfm_alg_driver_name(tfm),
				     wd_cr_alg_is_hw(tfm->__crt_alg) ?
				     "hw" : "cpu",
				     tfm->__crt_alg->cra_flags &
				     CRYPTO_ALG_ASYNC ? "async" : "sync");
		wd_cr_tfm_free(&k);
	}
	return len;
}
static DEVICE_ATTR_RO(algorithms);

static ssize_t keys_max_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct wd_cr *cr = wd_dev_to_wdev(dev)->priv;

	return sysfs_emit(buf, "%u\n", READ_ONCE(cr->keys_max));
}

static ssize_t keys_max_store(struct device *dev,
			      struct device_attribute *attr, const char *buf,
			      size_t count)
{
	struct wd_cr *cr = wd_dev_to_wdev(dev)->priv;
	u32 v;
	int ret = kstrtou32(buf, 0, &v);

	if (ret)
		return ret;
	if (!v || v > 65536)
		return -EINVAL;
	WRITE_ONCE(cr->keys_max, v);
	return count;
}
static DEVICE_ATTR_RW(keys_max);

static struct attribute *wd_cr_attrs[] = {
	&dev_attr_algorithms.attr,
	&dev_attr_compression.attr,
	&dev_attr_keys_max.attr,
	NULL
};

static const struct attribute_group wd_cr_group = {
	.attrs = wd_cr_attrs,
};

static const struct attribute_group *wd_cr_groups[] = {
	&wd_cr_group,
	NULL
};

/* ---- module ------------------------------------------------------------ */

static struct wd_device *wd_crypto0;

static char *compress = "deflate";
module_param(compress, charp, 0444);
MODULE_PARM_DESC(compress,
		 "acomp deflate algorithm or implementation for COMPRESS and DECOMPRESS (\"\": none)");

static int __init wd_cr_init(void)
{
	struct platform_device *pdev;
	struct wd_device *wdev;
	struct wd_cr *cr;
	int ret;

	/* the parent pinned mode wants; providers map for their own devices */
	pdev = platform_device_register_simple("warpdrive-crypto",
					       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	wdev = wd_device_alloc(&pdev->dev, &wd_cr_ops, sizeof(*cr));
	if (IS_ERR(wdev)) {
		ret = PTR_ERR(wdev);
		goto err_pdev;
	}
	cr = wdev->priv;
	cr->wdev = wdev;
	cr->pdev = pdev;
	cr->keys_max = WD_CR_KEYS_MAX;
	cr->wq = alloc_workqueue("wd_crypto", WQ_UNBOUND, 0);
	if (!cr->wq) {
		ret = -ENOMEM;
		goto err_put;
	}
	wdev->ops_mask = BIT_ULL(WD_OP_NOP) | BIT_ULL(WD_OP_ENCRYPT) |
			 BIT_ULL(WD_OP_DECRYPT) | BIT_ULL(WD_OP_DIGEST);
	wdev->dev_flags = WD_DEV_F_PINNED;
	wdev->max_len = WD_CR_MAX_LEN;
	wdev->nr_queues = 1;
	wdev->numa_node = NUMA_NO_NODE;
	wdev->inline_max = WD_CR_INLINE_MAX;
	wdev->groups = wd_cr_groups;
	ret = wd_cz_init(cr, compress);
	if (ret)
		goto err_wq;

	ret = wd_device_register(wdev, "crypto0");
	if (ret)
		goto err_cz;
	wd_crypto0 = wdev;
	return 0;

err_cz:
	wd_cz_exit(cr);
err_wq:
	destroy_workqueue(cr->wq);
err_put:
	wd_device_put(wdev);
err_pdev:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit wd_cr_exit(void)
{
	struct wd_cr *cr = wd_crypto0->priv;
	struct platform_device *pdev = cr->pdev;

	/* waits for every request, the workqueue's included */
	wd_device_unregister(wd_crypto0);
	wd_cz_exit(cr);
	destroy_workqueue(cr->wq);
	wd_device_put(wd_crypto0);
	platform_device_unregister(pdev);
}

module_init(wd_cr_init);
module_exit(wd_cr_exit);
MODULE_DESCRIPTION("WarpDrive bridge to the kernel crypto API");
MODULE_LICENSE("GPL");
