// SPDX-License-Identifier: GPL-2.0
/*
 * crypto0, the bridge to the kernel crypto API:
 *  - known answers from the standards (NIST SP 800-38A for CBC and CTR,
 *    IEEE 1619 for XTS, the GCM specification's test cases, FIPS 180-4
 *    examples for SHA-256 and SHA-512, RFC 4231 for HMAC-SHA-256), in
 *    both directions, on every implementation of each algorithm this
 *    kernel has: the one the crypto API picks, the generic C code, cryptd
 *    (an asynchronous path), the CPU's own and any device's (virtio-crypto
 *    in the lab);
 *  - cross-checks against OpenSSL's libcrypto on random keys, sizes and
 *    buffer offsets, in place and between buffers, both directions;
 *    incremental digests split at random points equal one-shot ones;
 *  - keys: per file, never another file's, removed ones gone, bounded;
 *  - bad input: unknown algorithm, wrong key length, bad lengths, bad
 *    pointers, a tag that does not verify (-EBADMSG, and not one byte of
 *    plaintext reaches the destination).
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <poll.h>
#include "wd_ref.h"
#include "wd_tenant.h"

#define DEV		"crypto0"
#define BUF_LEN		(1 << 20)

static int fd;
static struct io_uring ring;
static unsigned char *bufa, *bufb, *bufc;

/* ---- helpers ---------------------------------------------------------- */

/*
 * Submit and reap one request. A provider that never completes must fail
 * the case, not hang the suite: the bound is generous (a hang bound, not
 * a timing), and a request still out after it ends the program.
 */
static int submit1(void)
{
	struct __kernel_timespec ts = { .tv_sec = 120 };
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit(&ring);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	if (ret) {
		wd_diag("no completion in 120 s (%d): giving up", ret);
		wd_ok(0, "a request completes");
		exit(wd_exit());
	}
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	return ret;
}


static int crypt_op(unsigned int cmd, __u32 key, const void *iv, size_t iv_len,
		    const void *aad, __u32 aad_len, void *tag, void *dst,
		    const void *src, __u32 len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	struct wd_crypt p;

	wd_crypt_prep(&p, key, iv, iv_len, aad, aad_len, tag);
	if (cmd == WD_CMD_ENCRYPT)
		io_uring_prep_accel_encrypt(sqe, fd, dst, src, len, &p);
	else
		io_uring_prep_accel_decrypt(sqe, fd, dst, src, len, &p);
	return submit1();
}

static int digest_op(__u32 key, const void *src, __u32 len, void *out,
		     unsigned int flags)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	struct wd_crypt p;

	wd_crypt_prep(&p, key, NULL, 0, NULL, 0, out);
	io_uring_prep_accel_digest(sqe, fd, src, len, &p, flags);
	return submit1();
}

/* ---- the algorithms and their known answers ---------------------------- */

struct kat {
	const char *key, *iv, *aad, *pt, *ct, *tag;
};

static const struct kat cbc_kats[] = {
	/* SP 800-38A F.2.1 and F.2.5 (CBC-AES128, CBC-AES256) */
	{ "2b7e151628aed2a6abf7158809cf4f3c",
	  "000102030405060708090a0b0c0d0e0f", "",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	  "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	  "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
	  "" },
	{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "000102030405060708090a0b0c0d0e0f", "",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
	  "" },
	{ NULL }
};

static const struct kat ctr_kats[] = {
	/* SP 800-38A F.5.1 and F.5.5 (CTR-AES128, CTR-AES256) */
	{ "2b7e151628aed2a6abf7158809cf4f3c",
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	  "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
	  "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
	  "" },
	{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	  "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
	  "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6",
	  "" },
	{ NULL }
};

static const struct kat xts_kats[] = {
	/* IEEE 1619 XTS-AES-128 vectors 1 and 2 (tweak: the data unit number) */
	{ "00000000000000000000000000000000"
	  "00000000000000000000000000000000",
	  "00000000000000000000000000000000", "",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e",
	  "" },
	{ "11111111111111111111111111111111"
	  "22222222222222222222222222222222",
	  "33333333330000000000000000000000", "",
	  "4444444444444444444444444444444444444444444444444444444444444444",
	  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0",
	  "" },
	{ NULL }
};

static const struct kat gcm_kats[] = {
	/* The GCM specification's test cases 1 to 4 */
	{ "00000000000000000000000000000000", "000000000000000000000000",
	  "", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
	{ "00000000000000000000000000000000", "000000000000000000000000",
	  "", "00000000000000000000000000000000",
	  "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ NULL }
};

/* Digests: key (HMAC) or "", message as text, digest */
static const struct kat sha256_kats[] = {
	/* FIPS 180-4 examples (SHA256ShortMsg "abc", the two-block one) */
	{ "", NULL, NULL, "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", NULL },
	{ "", NULL, NULL,
	  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", NULL },
	{ "", NULL, NULL, "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL },
	{ NULL }
};

static const struct kat sha512_kats[] = {
	{ "", NULL, NULL, "abc",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", NULL },
	{ "", NULL, NULL, "",
	  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", NULL },
	{ NULL }
};

static const struct kat hmac_kats[] = {
	/* RFC 4231 test cases 1 and 2 */
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, NULL, "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", NULL },
	{ "4a656665", NULL, NULL, "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", NULL },
	{ NULL }
};

enum { SKC, AEAD, HASH };

static const struct alg {
	const char *name;
	int kind;
	const struct kat *kats;
	/* implementations to try by name besides the crypto API's choice */
	const char *const impls[3];
} algs[] = {
	{ "cbc(aes)", SKC, cbc_kats,
	  { "cbc(aes-generic)", "cryptd(cbc(aes-generic))" } },
	{ "ctr(aes)", SKC, ctr_kats,
	  { "ctr(aes-generic)", "cryptd(ctr(aes-generic))" } },
	{ "xts(aes)", SKC, xts_kats,
	  { "xts(ecb(aes-generic))", "cryptd(xts(ecb(aes-generic)))" } },
	{ "gcm(aes)", AEAD, gcm_kats,
	  { "gcm_base(ctr(aes-generic),ghash-generic)",
	    "cryptd(gcm_base(ctr(aes-generic),ghash-generic))" } },
	{ "sha256", HASH, sha256_kats, { "sha256-generic" } },
	{ "sha512", HASH, sha512_kats, { "sha512-generic" } },
	{ "hmac(sha256)", HASH, hmac_kats,
	  { "hmac(sha256-generic)", "cryptd(hmac(sha256-generic))" } },
};
#define NR_ALGS	(sizeof(algs) / sizeof(algs[0]))

/* One implementation of an algorithm, as the kernel reported it. */
struct impl {
	const struct alg *alg;
	char driver[WD_KEY_NAME_MAX];
	__u32 flags;
};

#define MAX_IMPLS	64
static struct impl impls[MAX_IMPLS];
static int nr_impls;

static void add_impl(const struct alg *a, const char *name)
{
	unsigned char key[64] = { 1 };
	struct wd_key_add info;
	int h, i;

	/* any key the algorithm takes, to learn who serves it */
	h = io_uring_accel_key_add(fd, name, a->kind == HASH &&
				   strncmp(a->name, "hmac", 4) ? NULL : key,
				   a->kind == HASH && strncmp(a->name, "hmac", 4) ?
				   0 : (strstr(a->name, "xts") ? 32 : 16),
				   0, &info);
	if (h < 0)
		return;
	io_uring_accel_key_remove(fd, h);
	for (i = 0; i < nr_impls; i++)
		if (!strcmp(impls[i].driver, info.driver))
			return;
	if (nr_impls == MAX_IMPLS)
		return;
	impls[nr_impls].alg = a;
	snprintf(impls[nr_impls].driver, sizeof(impls[0].driver), "%s",
		 info.driver);
	impls[nr_impls].flags = info.flags;
	nr_impls++;
}

/*
 * Every implementation of every algorithm: the crypto API's choice, the
 * generic and cryptd ones named above, and whatever else /proc/crypto
 * lists under the algorithm's name (not internal ones).
 */
static void find_impls(void)
{
	char line[256], name[128] = "", driver[128] = "";
	size_t i, j;
	FILE *f;

	for (i = 0; i < NR_ALGS; i++) {
		int first = nr_impls;

		add_impl(&algs[i], algs[i].name);
		/* and the same through cryptd: an asynchronous path anywhere */
		if (nr_impls > first) {
			char cryptd[WD_KEY_NAME_MAX + 16];

			snprintf(cryptd, sizeof(cryptd), "cryptd(%s)",
				 impls[first].driver);
			add_impl(&algs[i], cryptd);
		}
		for (j = 0; j < 3 && algs[i].impls[j]; j++)
			add_impl(&algs[i], algs[i].impls[j]);
	}
	f = fopen("/proc/crypto", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "name : %127s", name) == 1)
			continue;
		if (sscanf(line, "driver : %127s", driver) == 1)
			continue;
		if (strncmp(line, "internal", 8) || !strstr(line, "no"))
			continue;
		for (i = 0; i < NR_ALGS; i++)
			if (!strcmp(name, algs[i].name))
				add_impl(&algs[i], driver);
	}
	fclose(f);
}

/* Known answers on one implementation: how many vectors passed, of @n. */
static int run_kats(const struct impl *im, int *n)
{
	const struct alg *a = im->alg;
	unsigned char key[64], iv[16], aad[64], pt[128], ct[128], tag[64];
	unsigned char out[128], otag[64];
	const struct kat *k;
	int passed = 0;

	*n = 0;
	for (k = a->kats; k->key; k++) {
		size_t kl = ref_unhex(k->key, key), h;
		int ok = 1, r;

		(*n)++;
		h = io_uring_accel_key_add(fd, im->driver, kl ? key : NULL, kl,
					   0, NULL);
		if ((int)h < 0) {
			wd_diag("%s: key: %s", im->driver, strerror(-(int)h));
			continue;
		}
		if (a->kind == HASH) {
			size_t ml = strlen(k->pt), dl = ref_unhex(k->ct, tag);

			memcpy(bufa, k->pt, ml);
			memset(out, 0, sizeof(out));
			r = digest_op(h, bufa, ml, out, 0);
			ok = r == (int)dl && !memcmp(out, tag, dl);
			/* the same in two requests, split in the middle */
			memset(out, 0, sizeof(out));
			r = digest_op(h, bufa, ml / 2, NULL, WD_DIGEST_F_MORE);
			ok &= r == 0;
			r = digest_op(h, bufa + ml / 2, ml - ml / 2, out, 0);
			ok &= r == (int)dl && !memcmp(out, tag, dl);
		} else {
			size_t il = ref_unhex(k->iv, iv), al = ref_unhex(k->aad, aad);
			size_t pl = ref_unhex(k->pt, pt), tl = ref_unhex(k->tag, tag);

			ref_unhex(k->ct, ct);
			memcpy(bufa, pt, pl);
			memset(bufb, 0xa5, pl + 1);
			r = crypt_op(WD_CMD_ENCRYPT, h, iv, il, al ? aad : NULL,
				     al, tl ? otag : NULL, bufb, bufa, pl);
			ok = r == (int)pl && !memcmp(bufb, ct, pl) &&
			     bufb[pl] == 0xa5 && (!tl || !memcmp(otag, tag, tl));
			memcpy(bufa, ct, pl);
			memset(bufb, 0x5a, pl);
			r = crypt_op(WD_CMD_DECRYPT, h, iv, il, al ? aad : NULL,
				     al, tl ? tag : NULL, bufb, bufa, pl);
			ok &= r == (int)pl && !memcmp(bufb, pt, pl);
		}
		if (!ok)
			wd_diag("%s: vector %d differs", im->driver, *n);
		passed += ok;
		io_uring_accel_key_remove(fd, h);
	}
	return passed;
}

/* ---- OpenSSL ------------------------------------------------------------ */

static const EVP_CIPHER *ossl_cipher(const char *alg, size_t key_len)
{
	if (!strcmp(alg, "cbc(aes)"))
		return key_len == 16 ? EVP_aes_128_cbc() : key_len == 24 ?
		       EVP_aes_192_cbc() : EVP_aes_256_cbc();
	if (!strcmp(alg, "ctr(aes)"))
		return key_len == 16 ? EVP_aes_128_ctr() : key_len == 24 ?
		       EVP_aes_192_ctr() : EVP_aes_256_ctr();
	if (!strcmp(alg, "xts(aes)"))
		return key_len == 32 ? EVP_aes_128_xts() : EVP_aes_256_xts();
	return key_len == 16 ? EVP_aes_128_gcm() : key_len == 24 ?
	       EVP_aes_192_gcm() : EVP_aes_256_gcm();
}

/* OpenSSL's encryption of @in into @out (and the GCM tag); 0 on success. */
static int ossl_encrypt(const char *alg, const unsigned char *key,
			size_t key_len, const unsigned char *iv,
			const unsigned char *aad, int aad_len,
			const unsigned char *in, int len, unsigned char *out,
			unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = EVP_EncryptInit_ex(c, ossl_cipher(alg, key_len), NULL, key, iv);
	EVP_CIPHER_CTX_set_padding(c, 0);
	if (aad_len)
		ok &= EVP_EncryptUpdate(c, NULL, &n, aad, aad_len);
	ok &= EVP_EncryptUpdate(c, out, &n, in, len);
	ok &= EVP_EncryptFinal_ex(c, out + n, &m);
	if (tag)
		ok &= EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok && n + m == len ? 0 : -1;
}

static void ossl_digest(const char *alg, const unsigned char *key,
			size_t key_len, const unsigned char *in, size_t len,
			unsigned char *md)
{
	size_t out_len;

	if (!strcmp(alg, "sha256"))
		EVP_Digest(in, len, md, NULL, EVP_sha256(), NULL);
	else if (!strcmp(alg, "sha512"))
		EVP_Digest(in, len, md, NULL, EVP_sha512(), NULL);
	else
		EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len,
			  in, len, md, 32, &out_len);
}

static size_t rnd(size_t n)
{
	unsigned int v;

	RAND_bytes((unsigned char *)&v, sizeof(v));
	return n ? v % n : 0;
}

/*
 * Random keys, lengths, offsets (unaligned), in place or not, AAD of random
 * length: WarpDrive and OpenSSL agree both ways. Returns failures.
 */
static int cross_check(const struct impl *im, int rounds, int *done)
{
	const struct alg *a = im->alg;
	unsigned char key[64], iv[16], aad[300], tag[16], otag[16];
	unsigned char md[64], omd[64];
	int i, bad = 0;

	*done = 0;
	for (i = 0; i < rounds; i++) {
		size_t key_len, len, off_a = rnd(64), off_b = rnd(64), aad_len;
		int inplace = rnd(3) == 0, h, r;
		unsigned char *src = bufa + off_a;
		unsigned char *dst = inplace ? src : bufb + off_b;

		/*
		 * Devices get at most 96 KiB: QEMU's virtio-crypto (7.2, the
		 * builtin backend) never completes a request of more than
		 * about 64 scatterlist entries (see docs/lab.md).
		 */
		len = rnd(i < rounds / 2 ? 4096 :
			  im->flags & WD_KEY_F_HARDWARE ? 98304 : 200000);
		if (getenv("WD_CRYPTO_TRACE"))
			wd_diag("%s round %d len %zu", im->driver, i, len);
		if (a->kind == HASH) {
			key_len = strncmp(a->name, "hmac", 4) ? 0 : 1 + rnd(100);
		} else if (strstr(a->name, "xts")) {
			key_len = rnd(2) ? 64 : 32;
			len = len < 16 ? 16 : len;
		} else {
			key_len = 16 + 8 * rnd(3);
			if (strstr(a->name, "cbc"))
				len = (len & ~15UL) ?: 16;
		}
		RAND_bytes(key, sizeof(key));
		RAND_bytes(iv, sizeof(iv));
		RAND_bytes(bufa, len + 64);
		/* (XTS's two random halves are distinct, as OpenSSL wants) */
		h = io_uring_accel_key_add(fd, im->driver, key_len ? key : NULL,
					   key_len, 0, NULL);
		if (h < 0) {
			wd_diag("%s: key of %zu bytes: %s", im->driver, key_len,
				strerror(-h));
			bad++;
			continue;
		}
		if (a->kind == HASH) {
			size_t cut = rnd(len + 1);

			ossl_digest(a->name, key, key_len, src, len, omd);
			/* one request, then the same split in two */
			r = digest_op(h, src, len, md, 0);
			if (r < 0 || memcmp(md, omd, r)) {
				wd_diag("%s: one-shot digest of %zu differs (%d)",
					im->driver, len, r);
				bad++;
			}
			r = digest_op(h, src, cut, NULL, WD_DIGEST_F_MORE);
			if (!r)
				r = digest_op(h, src + cut, len - cut, md, 0);
			if (r < 0 || memcmp(md, omd, r)) {
				wd_diag("%s: digest of %zu split at %zu differs (%d)",
					im->driver, len, cut, r);
				bad++;
			}
		} else {
			int gcm = a->kind == AEAD, iv_len = gcm ? 12 : 16;
			unsigned char *saved = bufc + BUF_LEN / 2;

			/* none in a quarter of the rounds */
			aad_len = gcm && rnd(4) ? rnd(sizeof(aad)) : 0;
			RAND_bytes(aad, sizeof(aad));
			memcpy(saved, src, len);
			if (ossl_encrypt(a->name, key, key_len, iv, aad, aad_len,
					 src, len, bufc, gcm ? otag : NULL)) {
				wd_diag("OpenSSL refused %s (%zu)", a->name, len);
				bad++;
				goto next;
			}
			r = crypt_op(WD_CMD_ENCRYPT, h, iv, iv_len,
				     aad_len ? aad : NULL, aad_len,
				     gcm ? tag : NULL, dst, src, len);
			if (r != (int)len || memcmp(dst, bufc, len) ||
			    (gcm && memcmp(tag, otag, 16))) {
				wd_diag("%s: encryption of %zu (key %zu, %s) differs: %d",
					im->driver, len, key_len,
					inplace ? "in place" : "apart", r);
				bad++;
				goto next;
			}
			/* and back, from OpenSSL's ciphertext and tag */
			memcpy(src, bufc, len);
			r = crypt_op(WD_CMD_DECRYPT, h, iv, iv_len,
				     aad_len ? aad : NULL, aad_len,
				     gcm ? otag : NULL, dst, src, len);
			if (r != (int)len || memcmp(dst, saved, len)) {
				wd_diag("%s: decryption of %zu differs: %d",
					im->driver, len, r);
				bad++;
			}
		}
next:
		(*done)++;
		io_uring_accel_key_remove(fd, h);
	}
	return bad;
}

/* ---- keys and bad input --------------------------------------------------- */

static void test_keys(void)
{
	unsigned char key[32] = { 7 }, iv[16] = { 0 };
	struct wd_key_add info;
	int h, h2, fd2, r, i, n, saved;

	r = io_uring_accel_key_add(fd, "md5", NULL, 0, 0, NULL);
	h = io_uring_accel_key_add(fd, "nosuch(alg)", NULL, 0, 0, NULL);
	wd_ok(r == -ENOENT && h == -ENOENT,
	      "keys: an algorithm the bridge does not serve, or none: -ENOENT (%d, %d)",
	      r, h);
	r = io_uring_accel_key_add(fd, "cbc(aes)", key, 17, 0, NULL);
	h = io_uring_accel_key_add(fd, "sha256", key, 16, 0, NULL);
	h2 = io_uring_accel_key_add(fd, "hmac(sha256)", NULL, 0, 0, NULL);
	wd_ok(r == -EINVAL && h == -EINVAL && h2 == -EINVAL,
	      "keys: a 17-byte AES key, a key for SHA-256, none for HMAC: -EINVAL (%d, %d, %d)",
	      r, h, h2);

	h = io_uring_accel_key_add(fd, "cbc(aes)", key, 16, 0, &info);
	wd_ok(h > 0 && info.type == WD_KEY_T_SKCIPHER && info.iv_len == 16 &&
	      info.block_len == 16 && info.driver[0],
	      "keys: cbc(aes) loaded: handle %d, served by %s (%s, %s)", h,
	      info.driver, info.flags & WD_KEY_F_HARDWARE ? "hw" : "cpu",
	      info.flags & WD_KEY_F_ASYNC ? "async" : "sync");

	/* another file of the same device cannot name it */
	fd2 = io_uring_accel_open(DEV, O_RDWR);
	{
		struct io_uring r2;
		struct wd_crypt p;
		struct io_uring_sqe *sqe;

		io_uring_queue_init(4, &r2, 0);
		wd_crypt_prep(&p, h, iv, 16, NULL, 0, NULL);
		sqe = io_uring_get_sqe(&r2);
		io_uring_prep_accel_encrypt(sqe, fd2, bufb, bufa, 64, &p);
		r = wd_submit_wait1(&r2, NULL, NULL);
		io_uring_queue_exit(&r2);
	}
	wd_ok(r == -ENOKEY, "keys: another open file of crypto0 naming it: -ENOKEY (%d)",
	      r);
	close(fd2);

	/* a child holding the same file may use it */
	if (fork() == 0) {
		struct io_uring r2;
		struct wd_crypt p;

		io_uring_queue_init(4, &r2, 0);
		wd_crypt_prep(&p, h, iv, 16, NULL, 0, NULL);
		io_uring_prep_accel_encrypt(io_uring_get_sqe(&r2), fd, bufb,
					    bufa, 64, &p);
		_exit(wd_submit_wait1(&r2, NULL, NULL) == 64 ? 0 : 1);
	}
	wait(&r);
	wd_ok(WIFEXITED(r) && !WEXITSTATUS(r),
	      "keys: a child holding the same file uses the key (exit %d)",
	      WEXITSTATUS(r));

	r = io_uring_accel_key_remove(fd, h);
	n = crypt_op(WD_CMD_ENCRYPT, h, iv, 16, NULL, 0, NULL, bufb, bufa, 64);
	i = io_uring_accel_key_remove(fd, h);
	wd_ok(r == 0 && n == -ENOKEY && i == -ENOKEY,
	      "keys: removed: a request naming it and removing it again get -ENOKEY (%d, %d, %d)",
	      r, n, i);

	/* bounded: keys_max per file */
	saved = wd_sysfs_read(DEV, "keys_max");
	wd_sysfs_write(DEV, "keys_max", 4);
	{
		int hs[6];

		for (i = 0, n = 0; i < 6; i++) {
			hs[i] = io_uring_accel_key_add(fd, "ctr(aes)", key, 16,
						       0, NULL);
			n += hs[i] > 0;
		}
		r = io_uring_accel_key_add(fd, "ctr(aes)", key, 16, 0, NULL);
		wd_sysfs_write(DEV, "keys_max", saved);
		for (i = 0; i < 6; i++)
			if (hs[i] > 0)
				io_uring_accel_key_remove(fd, hs[i]);
	}
	wd_ok(n == 4 && r == -ENOSPC,
	      "keys: a file holds keys_max (4) keys, the next gets -ENOSPC (%d, %d)",
	      n, r);
}

static void test_bad_input(void)
{
	unsigned char key[32] = { 3 }, iv[16] = { 1 }, tag[16];
	int cbc, gcm, sha, ctr, r, r2, r3;
	struct wd_crypt p;
	void *ro, *hole;

	cbc = io_uring_accel_key_add(fd, "cbc(aes)", key, 16, 0, NULL);
	gcm = io_uring_accel_key_add(fd, "gcm(aes)", key, 16, 0, NULL);
	sha = io_uring_accel_key_add(fd, "sha256", NULL, 0, 0, NULL);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	r = crypt_op(WD_CMD_ENCRYPT, cbc, iv, 16, NULL, 0, NULL, bufb, bufa, 100);
	r2 = crypt_op(WD_CMD_ENCRYPT, cbc, iv, 16, NULL, 0, NULL, bufb, bufa, 0);
	/* a stream mode takes any length, none included */
	ctr = io_uring_accel_key_add(fd, "ctr(aes)", key, 16, 0, NULL);
	r3 = crypt_op(WD_CMD_ENCRYPT, ctr, iv, 16, NULL, 0, NULL, bufb, bufa, 0);
	io_uring_accel_key_remove(fd, ctr);
	wd_ok(r == -EINVAL && r2 == -EINVAL && r3 == 0,
	      "bad: CBC of 100 bytes or of none: -EINVAL (%d, %d); CTR of none: 0 (%d)",
	      r, r2, r3);

	r = digest_op(cbc, bufa, 64, tag, 0);
	r2 = crypt_op(WD_CMD_ENCRYPT, sha, iv, 0, NULL, 0, NULL, bufb, bufa, 64);
	wd_ok(r == -ENOKEY && r2 == -ENOKEY,
	      "bad: a digest naming a cipher key, an encryption naming a digest key: -ENOKEY (%d, %d)",
	      r, r2);

	/* the parameters, the AAD, the tag: unmapped or read-only */
	io_uring_prep_accel_encrypt(io_uring_get_sqe(&ring), fd, bufb, bufa,
				    64, hole);
	r = wd_submit_wait1(&ring, NULL, NULL);
	r2 = crypt_op(WD_CMD_ENCRYPT, gcm, iv, 12, hole, 16, tag, bufb, bufa, 64);
	r3 = crypt_op(WD_CMD_DECRYPT, gcm, iv, 12, NULL, 0, hole, bufb, bufa, 64);
	wd_ok(r == -EFAULT && r2 == -EFAULT && r3 == -EFAULT,
	      "bad: parameters, AAD or the tag to check unmapped: -EFAULT (%d, %d, %d)",
	      r, r2, r3);
	r = crypt_op(WD_CMD_ENCRYPT, gcm, iv, 12, NULL, 0, ro, bufb, bufa, 64);
	r2 = crypt_op(WD_CMD_ENCRYPT, cbc, iv, 16, NULL, 0, NULL, ro, bufa, 64);
	r3 = digest_op(sha, bufa, 64, ro, 0);
	wd_ok(r == -EFAULT && r2 == -EFAULT && r3 == -EFAULT,
	      "bad: a read-only tag, destination or digest: -EFAULT (%d, %d, %d)",
	      r, r2, r3);

	r = crypt_op(WD_CMD_ENCRYPT, gcm, iv, 12, bufc, WD_CRYPT_AAD_MAX + 1,
		     tag, bufb, bufa, 64);
	wd_crypt_prep(&p, cbc, iv, 16, NULL, 0, NULL);
	p.__resv[1] = 1;
	io_uring_prep_accel_encrypt(io_uring_get_sqe(&ring), fd, bufb, bufa,
				    64, &p);
	r2 = wd_submit_wait1(&ring, NULL, NULL);
	iv[15] = 1;
	r3 = crypt_op(WD_CMD_ENCRYPT, gcm, iv, 16, NULL, 0, tag, bufb, bufa, 64);
	wd_ok(r == -EINVAL && r2 == -EINVAL && r3 == -EINVAL,
	      "bad: AAD over WD_CRYPT_AAD_MAX, reserved bits, IV bytes past the nonce: -EINVAL (%d, %d, %d)",
	      r, r2, r3);
	r = crypt_op(WD_CMD_ENCRYPT, cbc, iv, 16, NULL, 0, NULL, bufa + 16,
		     bufa, 64);
	r2 = digest_op(sha, bufa, 64, tag, WD_DIGEST_F_MORE);
	wd_ok(r == -EINVAL && r2 == -EINVAL,
	      "bad: half-overlapping buffers, a digest output with WD_DIGEST_F_MORE: -EINVAL (%d, %d)",
	      r, r2);

	io_uring_accel_key_remove(fd, cbc);
	io_uring_accel_key_remove(fd, gcm);
	io_uring_accel_key_remove(fd, sha);
	munmap(ro, 4096);
	munmap(hole, 4096);
}

/*
 * AEAD: a tag that does not verify fails with -EBADMSG and the destination
 * keeps every byte it had; in place, the ciphertext stays.
 */
static void test_bad_tag(void)
{
	unsigned char key[16] = { 9 }, iv[12] = { 4 }, tag[16];
	size_t len = 200000, i, changed = 0, changed2 = 0;
	int gcm, r, r2, ok;

	gcm = io_uring_accel_key_add(fd, "gcm(aes)", key, 16, 0, NULL);
	RAND_bytes(bufa, len);
	r = crypt_op(WD_CMD_ENCRYPT, gcm, iv, 12, "hdr", 3, tag, bufb, bufa,
		     len);
	ok = r == (int)len;
	tag[5] ^= 1;
	memset(bufc, 0xee, len);
	r = crypt_op(WD_CMD_DECRYPT, gcm, iv, 12, "hdr", 3, tag, bufc, bufb,
		     len);
	for (i = 0; i < len; i++)
		changed += bufc[i] != 0xee;
	memcpy(bufa, bufb, len);
	r2 = crypt_op(WD_CMD_DECRYPT, gcm, iv, 12, "hdr", 3, tag, bufb, bufb,
		      len);
	for (i = 0; i < len; i++)
		changed2 += bufb[i] != bufa[i];
	wd_ok(ok && r == -EBADMSG && r2 == -EBADMSG && !changed && !changed2,
	      "aead: a bad tag fails with -EBADMSG (%d, %d) and releases no plaintext (%zu, %zu bytes changed)",
	      r, r2, changed, changed2);
	tag[5] ^= 1;
	r = crypt_op(WD_CMD_DECRYPT, gcm, iv, 12, "hdX", 3, tag, bufc, bufb,
		     len);
	wd_ok(r == -EBADMSG, "aead: the right tag with other AAD: -EBADMSG (%d)", r);
	io_uring_accel_key_remove(fd, gcm);
}

/*
 * Keys removed and files closed while requests naming them are in
 * flight: the requests finish, and KASAN/kmemleak (debug tier) see
 * nothing of the keys used after they are freed or left behind.
 */
static void test_lifetime(void)
{
	unsigned char key[32] = { 5 }, iv[16] = { 2 };
	struct io_uring r2;
	struct wd_crypt p[8];
	int f2, h, i, ok = 0, n;

	f2 = io_uring_accel_open(DEV, O_RDWR);
	io_uring_queue_init(16, &r2, 0);
	h = io_uring_accel_key_add(f2, "xts(aes)", key, 32, 0, NULL);
	for (i = 0; i < 8; i++) {
		wd_crypt_prep(&p[i], h, iv, 16, NULL, 0, NULL);
		io_uring_prep_accel_encrypt(io_uring_get_sqe(&r2), f2,
					    bufb + i * 65536, bufa + i * 65536,
					    65536, &p[i]);
	}
	n = io_uring_submit(&r2);
	io_uring_accel_key_remove(f2, h);
	for (i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(&r2, &cqe))
			break;
		ok += cqe->res == 65536;
		io_uring_cqe_seen(&r2, cqe);
	}
	wd_ok(n == 8 && ok == 8,
	      "lifetime: 8 XTS requests whose key was removed once they were submitted all complete (%d)",
	      ok);

	/* and a file closed, its ring torn down, with requests in flight */
	h = io_uring_accel_key_add(f2, "gcm(aes)", key, 16, 0, NULL);
	for (i = 0; i < 8; i++) {
		wd_crypt_prep(&p[i], h, iv, 12, NULL, 0, bufc + i * 16);
		io_uring_prep_accel_encrypt(io_uring_get_sqe(&r2), f2,
					    bufb + i * 65536, bufa + i * 65536,
					    65536, &p[i]);
	}
	n = io_uring_submit(&r2);
	io_uring_queue_exit(&r2);
	close(f2);
	wd_ok(n == 8 && wd_wait_idle(DEV, 20000) == 0,
	      "lifetime: a file and ring closed with 8 GCM requests in flight: the device goes idle");
}

#define FUZZ_N		3000
#define FUZZ_QD		8	/* the ring's size */

static volatile int fuzz_stop, fuzz_last;
static int ffd;
static unsigned char *fuzz_ro, *fuzz_hole;

/* Keys come and go on the fuzzed file: the newest handle in fuzz_last. */
static void *key_churn(void *arg)
{
	static const char *const algs[] = {
		"cbc(aes)", "ctr(aes)", "xts(aes)", "gcm(aes)", "sha256",
		"hmac(sha256)",
	};
	unsigned char key[32] = { 0x42 };
	unsigned int n = 0;
	int h;

	(void)arg;
	while (!fuzz_stop) {
		const char *alg = algs[n % 6];
		int plain = !strcmp(alg, "sha256");

		h = io_uring_accel_key_add(ffd, alg, plain ? NULL : key,
					   plain ? 0 :
					   (strstr(alg, "xts") ? 32 : 16),
					   0, NULL);
		if (h > 0)
			fuzz_last = h;
		/* keep about eight: remove one of the older ones */
		io_uring_accel_key_remove(ffd, fuzz_last - 8 - rnd(4));
		n++;
		usleep(500);
	}
	return NULL;
}

static __u64 fuzz_ptr(unsigned char *valid)
{
	switch (rnd(8)) {
	case 0:
		return 0;
	case 1:
		return (__u64)(unsigned long)fuzz_hole;
	case 2:
		return (__u64)(unsigned long)fuzz_ro;
	case 3:
		return 0xffffffff81000000ULL;
	default:
		return (__u64)(unsigned long)(valid + rnd(4096));
	}
}

/*
 * One request: half of them plausible (a recent key, whole blocks, the
 * IV's own length, valid buffers), the rest with anything in any field.
 */
static void fuzz_prep(struct io_uring_sqe *sqe, struct wd_crypt *c)
{
	int sane = rnd(2);
	unsigned int cmd = WD_CMD_ENCRYPT + rnd(3);
	__u32 len = rnd(4) ? rnd(65536) : rnd(64);
	__u64 src = (__u64)(unsigned long)(bufa + rnd(4096));
	__u64 dst = (__u64)(unsigned long)(bufb + rnd(4096));

	memset(c, 0, sizeof(*c));
	c->key = fuzz_last - rnd(sane ? 6 : 20);
	if (sane) {
		len = (len & ~15U) ?: 16;
		RAND_bytes(c->iv, 12);
		if (rnd(2)) {
			c->aad_len = rnd(64);
			c->aad = c->aad_len ? src : 0;
		}
		if (rnd(2))
			c->out = (__u64)(unsigned long)(bufc + 8192 + rnd(4096));
		io_uring_prep_accel_cmd(sqe, ffd, cmd, 0, src, len,
					cmd == WD_CMD_DIGEST ? 0 : dst,
					(__u64)(unsigned long)c);
		return;
	}
	RAND_bytes(c->iv, rnd(17));
	if (rnd(2)) {
		c->aad_len = rnd(3) ? rnd(64) : rnd(8192);
		c->aad = fuzz_ptr(bufc);
	}
	if (rnd(3))
		c->out = fuzz_ptr(bufc + 8192);
	if (!rnd(20))
		c->__resv[rnd(3)] = 1;
	io_uring_prep_accel_cmd(sqe, ffd, cmd, rnd(4) ? 0 : WD_DIGEST_F_MORE,
				rnd(6) ? src : fuzz_ptr(bufa), len,
				cmd == WD_CMD_DIGEST ? 0 :
				rnd(6) ? dst : fuzz_ptr(bufb),
				rnd(10) ? (__u64)(unsigned long)c :
				fuzz_ptr(bufc));
}

/*
 * Fuzz, with keys coming and going: random crypto requests while another
 * thread adds and removes keys on the same file, which is then closed
 * with its keys. Every CQE is a result or a documented errno, each
 * request gets one, and the device goes idle.
 */
static void test_fuzz(void)
{
	struct wd_crypt p[FUZZ_QD];
	struct io_uring fr;
	pthread_t churn;
	int i, j, done = 0, odd = 0, oks = 0, r;
	struct io_uring_cqe *cqe;

	ffd = io_uring_accel_open(DEV, O_RDWR);
	io_uring_queue_init(FUZZ_QD, &fr, 0);
	fuzz_ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	fuzz_hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	pthread_create(&churn, NULL, key_churn, NULL);
	for (i = 0; i < FUZZ_N; i += FUZZ_QD) {
		for (j = 0; j < FUZZ_QD; j++)
			fuzz_prep(io_uring_get_sqe(&fr), &p[j]);
		if (io_uring_submit(&fr) != FUZZ_QD)
			break;
		for (j = 0; j < FUZZ_QD; j++) {
			struct __kernel_timespec ts = { .tv_sec = 120 };

			if (io_uring_wait_cqe_timeout(&fr, &cqe, &ts))
				break;
			r = cqe->res;
			done++;
			oks += r >= 0;
			if (r < 0 && r != -EINVAL && r != -EFAULT &&
			    r != -ENOKEY && r != -EBADMSG && r != -EBUSY &&
			    r != -EPIPE) {
				if (odd++ < 5)
					wd_diag("fuzz: unexpected %d", r);
			}
			io_uring_cqe_seen(&fr, cqe);
		}
	}
	fuzz_stop = 1;
	pthread_join(churn, NULL);
	io_uring_queue_exit(&fr);
	close(ffd);
	wd_ok(done == FUZZ_N && oks > 0 && !odd &&
	      wd_wait_idle(DEV, 20000) == 0,
	      "fuzz: %d random requests with keys added and removed meanwhile: %d succeeded, the rest documented errors (%d odd), idle after the file closed with its keys",
	      done, oks, odd);
	munmap(fuzz_ro, 4096);
	munmap(fuzz_hole, 4096);
}

/*
 * The digest's destination in a userfaultfd range nobody serves: the
 * submitter may wait for it, as read(2) would, but not holding its ring's
 * lock. Another thread's NOP on the same ring completes meanwhile (it
 * did not when the digest was copied out in the CQE's task work, under
 * that lock), and once the page is served the digest lands in it.
 */
struct uffd_case {
	int uffd;
	void *area;
	struct io_uring *ring;
	volatile int faulted, ring_moved, resolved;
	int nop_res, nop_first;
};

static void *uffd_resolver(void *arg)
{
	struct uffd_case *u = arg;
	struct pollfd pfd = { .fd = u->uffd, .events = POLLIN };
	struct uffdio_zeropage zp;
	struct uffd_msg msg;
	double end;

	if (poll(&pfd, 1, 120000) != 1 ||
	    read(u->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	u->faulted = 1;
	end = wd_now_ms() + 20000;
	while (!u->ring_moved && wd_now_ms() < end)
		usleep(10000);
	u->resolved = 1;
	zp = (struct uffdio_zeropage){
		.range = { .start = (unsigned long)u->area, .len = 4096 },
	};
	ioctl(u->uffd, UFFDIO_ZEROPAGE, &zp);
	return NULL;
}

static void *uffd_other(void *arg)
{
	struct uffd_case *u = arg;
	struct __kernel_timespec ts = { .tv_sec = 60 };
	struct io_uring_cqe *cqe;
	double end = wd_now_ms() + 120000;
	struct io_uring_sqe *sqe;

	while (!u->faulted && wd_now_ms() < end)
		usleep(10000);
	/* the ring has one SQ slot: the digest's, consumed, now reused */
	sqe = io_uring_get_sqe(u->ring);
	if (!sqe)
		return NULL;
	io_uring_prep_nop(sqe);
	sqe->user_data = 2;
	io_uring_submit(u->ring);
	if (!io_uring_wait_cqe_timeout(u->ring, &cqe, &ts)) {
		u->nop_res = cqe->res;
		u->nop_first = cqe->user_data == 2 && !u->resolved;
		io_uring_cqe_seen(u->ring, cqe);
	}
	u->ring_moved = 1;
	return NULL;
}

static void test_uffd_out(void)
{
	struct uffd_case u = { .nop_res = 1 };
	struct __kernel_timespec ts = { .tv_sec = 120 };
	unsigned char md[32];
	struct io_uring_cqe *cqe;
	struct io_uring r1;
	struct wd_crypt p;
	pthread_t th, oth;
	int h, res = 1, ok;

	u.uffd = wd_uffd_range(4096, &u.area);
	h = io_uring_accel_key_add(fd, "sha256", NULL, 0, 0, NULL);
	u.ring = &r1;
	if (u.uffd < 0 || h < 0 || io_uring_queue_init(1, &r1, 0)) {
		wd_skip("no userfaultfd here", "uffd: a digest written to an unserved page (%d)",
			u.uffd);
		return;
	}
	memcpy(bufa, "abc", 3);
	wd_crypt_prep(&p, h, NULL, 0, NULL, 0, (unsigned char *)u.area + 100);
	io_uring_prep_accel_digest(io_uring_get_sqe(&r1), fd, bufa, 3, &p, 0);
	pthread_create(&th, NULL, uffd_resolver, &u);
	pthread_create(&oth, NULL, uffd_other, &u);
	io_uring_submit(&r1);
	pthread_join(oth, NULL);
	/* the NOP's CQE was reaped by the other thread: this is the digest's */
	if (!io_uring_wait_cqe_timeout(&r1, &cqe, &ts)) {
		res = cqe->res;
		io_uring_cqe_seen(&r1, cqe);
	}
	pthread_join(th, NULL);
	ref_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	      md);
	ok = u.faulted && u.nop_res == 0 && u.nop_first;
	wd_ok(ok && res == 32 && !memcmp((unsigned char *)u.area + 100, md, 32),
	      "uffd: a digest whose destination waits on an unserved page holds nobody's ring: another thread's NOP completes first (%d), then the digest (%d)",
	      u.nop_res, res);
	io_uring_queue_exit(&r1);
	io_uring_accel_key_remove(fd, h);
	munmap(u.area, 4096);
	close(u.uffd);
}

int main(void)
{
	int i, n, passed, bad, done, total_kat = 0;
	char virtio[160] = "";

	fd = io_uring_accel_open(DEV, O_RDWR);
	if (fd < 0)
		wd_skip_all("no crypto0 (warpdrive_crypto not loaded)");
	if (io_uring_queue_init(8, &ring, 0))
		wd_skip_all("no io_uring");
	bufa = aligned_alloc(4096, BUF_LEN);
	bufb = aligned_alloc(4096, BUF_LEN);
	bufc = aligned_alloc(4096, BUF_LEN);

	find_impls();
	wd_plan(2 * nr_impls + 1 + 7 + 6 + 2 + 2 + 1 + 1);

	for (i = 0; i < nr_impls; i++) {
		struct impl *im = &impls[i];

		if (strstr(im->driver, "virtio"))
			snprintf(virtio, sizeof(virtio), "%s serves %s",
				 im->driver, im->alg->name);
		passed = run_kats(im, &n);
		total_kat += passed;
		wd_ok(passed == n && n > 0,
		      "kat: %s on %s (%s, %s): %d of %d vectors, both ways",
		      im->alg->name, im->driver,
		      im->flags & WD_KEY_F_HARDWARE ? "hw" : "cpu",
		      im->flags & WD_KEY_F_ASYNC ? "async" : "sync", passed, n);
		bad = cross_check(im, 12, &done);
		wd_ok(!bad && done == 12,
		      "openssl: %s on %s: %d random keys, sizes and offsets agree both ways",
		      im->alg->name, im->driver, done - bad);
	}
	/* the lab's virtio-crypto device, where its driver is in the kernel */
	if (virtio[0]) {
		wd_ok(1, "virtio-crypto: %s, asynchronously (device interrupts)",
		      virtio);
	} else if (!access("/sys/bus/virtio/drivers/virtio_crypto", F_OK)) {
		wd_ok(0, "virtio-crypto: the driver is loaded but serves no algorithm of crypto0's");
	} else {
		wd_skip("this kernel has no virtio_crypto driver",
			"virtio-crypto: cbc(aes) on the device");
	}

	test_keys();
	test_bad_input();
	test_bad_tag();
	test_lifetime();
	test_fuzz();
	test_uffd_out();
	wd_diag("%d known-answer vectors passed on %d implementations",
		total_kat, nr_impls);
	io_uring_queue_exit(&ring);
	close(fd);
	return wd_exit();
}
