// SPDX-License-Identifier: GPL-2.0
/*
 * Pinned mode: the address mode for devices that reach memory by bus
 * address and have no PASID to share the process's page tables.
 *
 * At issue, in the submitter's task, each memory operand is turned into
 * pages (pinned with FOLL_PIN, or taken as they are from an io_uring
 * registered buffer, which is pinned already) and mapped through the DMA
 * API for the device's parent, so with an IOMMU the device sees only those
 * pages, for as long as the request lives. wd_complete() unmaps (the DMA
 * API allows that in any context, so the mapping never outlives the
 * driver's ownership); the pins are dropped later in the submitter's task,
 * where dirtying a page may sleep.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
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
 * Pin (or look up) and map @len bytes at @uaddr. On failure everything
 * done so far is undone here.
 */
static int wd_dma_map_one(struct device *dev, struct wd_dma_map *m,
			  struct io_uring_cmd *fixed, u64 uaddr, u32 len,
			  u8 pin)
{
	struct sg_append_table append = {};
	unsigned int max_seg = dma_get_max_seg_size(dev);
	struct iov_iter iter;
	unsigned int want;
	int rw = pin == WD_PIN_OUT ? ITER_DEST : ITER_SOURCE;
	int ret;

	m->dir = pin == WD_PIN_OUT ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
	m->len = len;
	if (fixed)
		ret = io_uring_cmd_import_fixed(uaddr, len, rw, &iter, fixed);
	else
		ret = import_ubuf(rw, u64_to_user_ptr(uaddr), len, &iter);
	if (ret)
		return ret;

	want = iov_iter_npages(&iter, INT_MAX);
	m->pages = kvmalloc_array(want, sizeof(*m->pages), GFP_KERNEL);
	if (!m->pages)
		return -ENOMEM;
	m->unpin = iov_iter_extract_will_pin(&iter);

	while (iov_iter_count(&iter)) {
		struct page **p = m->pages + m->nr_pages;
		unsigned int n;
		size_t off;
		ssize_t got;

		got = iov_iter_extract_pages(&iter, &p, iov_iter_count(&iter),
					     want - m->nr_pages, 0, &off);
		if (got <= 0) {
			/* gup's -EFAULT: an address the caller cannot use */
			ret = got ? got : -EFAULT;
			goto err;
		}
		n = DIV_ROUND_UP(off + got, PAGE_SIZE);
		m->nr_pages += n;
		ret = sg_alloc_append_table_from_pages(&append, p, n, off, got,
						       max_seg,
						       want - m->nr_pages,
						       GFP_KERNEL);
		if (ret)
			goto err;
	}

	ret = dma_map_sgtable(dev, &append.sgt, m->dir, 0);
	if (ret)
		goto err;
	m->sgt = append.sgt;
	m->total_nents = append.total_nents;
	m->mapped = true;
	return 0;

err:
	sg_free_append_table(&append);
	wd_dma_unpin(m);
	return ret;
}

/**
 * wd_dma_prepare() - pin and map a request's memory operands
 * @wdev: a pinned-mode device with a parent to map for
 * @fixed: the io_uring command when its operands lie in a registered
 *	buffer (IORING_URING_CMD_FIXED), else NULL
 * @a: the validated request
 * @out: the mapping, for wd_req.dma
 *
 * Context: the submitter's task; may sleep (faults, allocation).
 * Return: 0, -EFAULT (an operand that cannot be pinned, or that lies
 * outside the registered buffer), -ENOMEM, or the DMA API's error.
 */
int wd_dma_prepare(struct wd_device *wdev, struct io_uring_cmd *fixed,
		   const struct wd_args *a, struct wd_dma **out)
{
	const struct wd_op_desc *desc = &wd_op_table[a->op];
	struct wd_dma *dma;
	int ret = 0;

	dma = kzalloc(sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return -ENOMEM;
	dma->dev = wdev->dev.parent;

	if (a->len && desc->pin[0])
		ret = wd_dma_map_one(dma->dev, &dma->addr, fixed, a->addr,
				     a->len, desc->pin[0]);
	if (!ret && a->len && desc->pin[1])
		ret = wd_dma_map_one(dma->dev, &dma->addr2, fixed, a->addr2,
				     a->len, desc->pin[1]);
	if (ret) {
		wd_dma_release(dma);
		return ret;
	}
	*out = dma;
	return 0;
}

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
	kfree(dma);
}
