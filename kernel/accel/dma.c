// SPDX-License-Identifier: GPL-2.0
/*
 * Pinned mode: the address mode for devices that reach memory by bus
 * address and have no PASID to share the process's page tables.
 *
 * At issue, in the submitter's task, each memory operand is turned into
 * pages: pinned with FOLL_PIN, or taken as they are from an io_uring
 * registered buffer, which is pinned already. Pages pinned here are
 * charged as io_uring charges its registered buffers: to the user's
 * RLIMIT_MEMLOCK (unless the submitter has CAP_IPC_LOCK) and to the
 * process's pinned_vm (VmPin); a request that would go past the limit
 * fails with -ENOMEM. In the io_uring issue path the pages must be present
 * already (FOLL_NOFAULT), since a fault there could wait for ever holding
 * the ring's lock; otherwise nothing is done there, and the submitter's
 * own task work pins them (see wd_uring_later()), faulting as read(2)
 * would.
 *
 * The driver maps the pages through the DMA API for the device's parent
 * (wd_dma_map()) only when the device starts the request, so requests
 * waiting in a queue hold no IOVA space; with an IOMMU the device sees
 * only those pages, and only while it runs the request. wd_complete()
 * unmaps (the DMA API allows that in any context, so the mapping never
 * outlives the driver's ownership); the pins are dropped later in the
 * submitter's task, where dirtying a page may sleep.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <kunit/visibility.h>
#include "wd_internal.h"

/* Can a pinned-mode device run @op? Every memory operand must be in pin[]. */
bool wd_op_pinnable(u8 op)
{
	const struct wd_op_desc *desc = &wd_op_table[op];

	if (!(desc->operands & WD_OPND_MEM))
		return true;
	return (!(desc->operands & WD_OPND_ADDR) || desc->pin[0]) &&
	       (!(desc->operands & WD_OPND_ADDR2) || desc->pin[1]);
}
EXPORT_SYMBOL_IF_KUNIT(wd_op_pinnable);

static void wd_dma_unpin(struct wd_dma_map *m)
{
	if (m->unpin && m->nr_pages)
		unpin_user_pages_dirty_lock(m->pages, m->nr_pages,
					    m->dir == DMA_FROM_DEVICE);
	kvfree(m->pages);
	m->pages = NULL;
	m->nr_pages = 0;
}

/*
 * Pin @n pages of the submitter's from @uaddr into @m->pages. Without
 * @may_fault a page that is not present fails it with -EAGAIN.
 */
static int wd_dma_pin_user(struct wd_dma_map *m, u64 uaddr, unsigned int n,
			   bool may_fault)
{
	unsigned int flags = m->dir == DMA_FROM_DEVICE ? FOLL_WRITE : 0;
	int got;

	if (!may_fault)
		flags |= FOLL_NOFAULT;
	got = pin_user_pages_fast(uaddr & PAGE_MASK, n, flags, m->pages);
	if (got > 0)
		m->nr_pages = got;
	if (got == n)
		return 0;
	/* a bad address too: the retry that may fault tells them apart */
	if (!may_fault)
		return -EAGAIN;
	return got < 0 ? got : -EFAULT;
}

/*
 * Pin (or look up) the pages of @len bytes at @uaddr and list them in
 * @m->sgt, for wd_dma_map(). On failure everything done so far is undone.
 */
static int wd_dma_pin_one(struct device *dev, struct wd_dma_map *m,
			  struct io_uring_cmd *fixed, u64 uaddr, u32 len,
			  u8 pin, unsigned int issue_flags)
{
	bool may_fault = !(issue_flags & IO_URING_F_NONBLOCK);
	struct sg_append_table append = {};
	unsigned int max_seg = dma_get_max_seg_size(dev);
	struct iov_iter iter;
	unsigned int want;
	int rw = pin == WD_PIN_OUT ? ITER_DEST : ITER_SOURCE;
	int ret;

	m->dir = pin == WD_PIN_OUT ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
	m->len = len;
	if (fixed)
		ret = wd_cmd_import_fixed(uaddr, len, rw, &iter, fixed,
					  issue_flags);
	else
		ret = import_ubuf(rw, u64_to_user_ptr(uaddr), len, &iter);
	if (ret)
		return ret;

	want = iov_iter_npages(&iter, INT_MAX);
	m->pages = kvmalloc_array(want, sizeof(*m->pages), GFP_KERNEL_ACCOUNT);
	if (!m->pages)
		return -ENOMEM;

	if (!fixed) {
		/* one run of pages, from the offset into the first */
		m->unpin = true;
		ret = wd_dma_pin_user(m, uaddr, want, may_fault);
		if (!ret)
			ret = sg_alloc_append_table_from_pages(&append, m->pages,
							       want,
							       offset_in_page(uaddr),
							       len, max_seg, 0,
							       GFP_KERNEL_ACCOUNT);
		if (ret)
			goto err;
		goto out;
	}

	/* a registered buffer: its pages, a bvec at a time */
	while (iov_iter_count(&iter)) {
		struct page **p = m->pages + m->nr_pages;
		unsigned int n;
		size_t off;
		ssize_t got;

		got = iov_iter_extract_pages(&iter, &p, iov_iter_count(&iter),
					     want - m->nr_pages, 0, &off);
		if (got <= 0) {
			ret = got ? got : -EFAULT;
			goto err;
		}
		n = DIV_ROUND_UP(off + got, PAGE_SIZE);
		m->nr_pages += n;
		ret = sg_alloc_append_table_from_pages(&append, p, n, off, got,
						       max_seg,
						       want - m->nr_pages,
						       GFP_KERNEL_ACCOUNT);
		if (ret)
			goto err;
	}
out:
	m->sgt = append.sgt;
	m->total_nents = append.total_nents;
	return 0;

err:
	sg_free_append_table(&append);
	wd_dma_unpin(m);
	return ret;
}

/*
 * Charge what @dma pinned to the submitter, as io_uring charges its
 * registered buffers: RLIMIT_MEMLOCK of the user, pinned_vm of the mm.
 */
static int wd_dma_charge(struct wd_dma *dma)
{
	unsigned long pages = 0, limit, cur;
	struct user_struct *user = current_user();

	if (dma->addr.unpin)
		pages += dma->addr.nr_pages;
	if (dma->addr2.unpin)
		pages += dma->addr2.nr_pages;
	if (!pages)
		return 0;

	/* CAP_IPC_LOCK: no limit, and as for io_uring no user charge */
	if (!ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK)) {
		limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (cur + pages > limit || cur + pages < cur)
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
						  cur + pages));
		dma->user = get_uid(user);
	}
	dma->mm = current->mm;
	mmgrab(dma->mm);
	atomic64_add(pages, &dma->mm->pinned_vm);
	dma->charged = pages;
	return 0;
}

static void wd_dma_uncharge(struct wd_dma *dma)
{
	if (!dma->charged)
		return;
	if (dma->user) {
		atomic_long_sub(dma->charged, &dma->user->locked_vm);
		free_uid(dma->user);
	}
	atomic64_sub(dma->charged, &dma->mm->pinned_vm);
	mmdrop(dma->mm);
	dma->charged = 0;
}

/**
 * wd_dma_prepare() - pin a request's memory operands
 * @wdev: a pinned-mode device with a parent to map for
 * @fixed: the io_uring command when its operands lie in a registered
 *	buffer (IORING_URING_CMD_FIXED), else NULL
 * @a: the validated request
 * @issue_flags: io_uring's (0 for the ioctl): IO_URING_F_NONBLOCK, the
 *	issue path, where every page must be present already; and whether
 *	the ring's lock is held, for finding a registered buffer
 * @out: the pages, for wd_req.dma and the driver's wd_dma_map()
 *
 * Context: the submitter's task; may sleep (allocation, and faults unless
 * IO_URING_F_NONBLOCK).
 * Return: 0, -EAGAIN (IO_URING_F_NONBLOCK: a page is not present; nothing is
 * left done), -EFAULT (an operand that cannot be pinned, or that lies
 * outside the registered buffer), -ENOMEM (out of memory, or past the
 * submitter's RLIMIT_MEMLOCK).
 */
int wd_dma_prepare(struct wd_device *wdev, struct io_uring_cmd *fixed,
		   const struct wd_args *a, unsigned int issue_flags,
		   struct wd_dma **out)
{
	const struct wd_op_desc *desc = &wd_op_table[a->op];
	u32 len2 = desc->operands & WD_OPND_DST_ARG ?
		   WD_COMP_ARG_DST_LEN(a->arg) : a->len;
	struct wd_dma *dma;
	int ret = 0;

	/* a bounded compressor writes no further than its limit and framing */
	if ((desc->operands & WD_OPND_DST_ARG) && wdev->comp_max_len)
		len2 = min_t(u64, len2,
			     (u64)wdev->comp_max_len + WD_COMP_FRAME_MAX);

	dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!dma)
		return -ENOMEM;
	dma->dev = wdev->dev.parent;

	if (a->len && desc->pin[0])
		ret = wd_dma_pin_one(dma->dev, &dma->addr, fixed, a->addr,
				     a->len, desc->pin[0], issue_flags);
	if (!ret && len2 && desc->pin[1])
		ret = wd_dma_pin_one(dma->dev, &dma->addr2, fixed, a->addr2,
				     len2, desc->pin[1], issue_flags);
	if (!ret)
		ret = wd_dma_charge(dma);
	if (ret) {
		wd_dma_release(dma);
		return ret;
	}
	*out = dma;
	return 0;
}

/**
 * wd_dma_map() - give the device a pinned-mode request's pages
 * @dma: the request's wd_req.dma
 *
 * Call when the device starts the request, not when it queues it: a
 * request waiting for the device holds no IOVA space (with an IOMMU,
 * each mapped page costs some, and the device's address width bounds it).
 * wd_complete() unmaps.
 *
 * Context: any (the DMA API maps without sleeping).
 * Return: 0, or the DMA API's error (-ENOMEM: no IOVA space or memory
 * now), to complete the request with.
 */
int wd_dma_map(struct wd_dma *dma)
{
	struct wd_dma_map *maps[] = { &dma->addr, &dma->addr2 };
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		if (!maps[i]->len || maps[i]->mapped)
			continue;
		ret = dma_map_sgtable(dma->dev, &maps[i]->sgt, maps[i]->dir, 0);
		if (ret) {
			wd_dma_unmap(dma);
			return ret;
		}
		maps[i]->mapped = true;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(wd_dma_map);

/* Take the device's view of the pages away. Context: any. */
void wd_dma_unmap(struct wd_dma *dma)
{
	struct wd_dma_map *maps[] = { &dma->addr, &dma->addr2 };
	int i;

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		if (!maps[i]->mapped)
			continue;
		dma_unmap_sgtable(dma->dev, &maps[i]->sgt, maps[i]->dir, 0);
		maps[i]->mapped = false;
	}
}

/*
 * Drop the pins and free the mapping, unmapping first if wd_complete()
 * has not (a request the driver refused). Context: process, may sleep.
 */
void wd_dma_release(struct wd_dma *dma)
{
	struct wd_dma_map *maps[] = { &dma->addr, &dma->addr2 };
	int i;

	wd_dma_unmap(dma);
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		/* built by appending: freed as such, extra entries included */
		struct sg_append_table append = {
			.sgt		= maps[i]->sgt,
			.total_nents	= maps[i]->total_nents,
		};

		sg_free_append_table(&append);
		wd_dma_unpin(maps[i]);
	}
	wd_dma_uncharge(dma);
	kfree(dma);
}
