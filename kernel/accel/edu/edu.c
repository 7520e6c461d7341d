// SPDX-License-Identifier: GPL-2.0
/*
 * edu: WarpDrive on QEMU's "edu" PCI device (1234:11e8), the hardware path
 * end to end: an MMIO doorbell, a DMA engine behind the IOMMU, MSI
 * completion interrupts, polling and removal with requests in flight.
 *
 * The device has one DMA engine that moves up to 4 KiB between memory and
 * a 4 KiB buffer inside the device, one transfer at a time, and interrupts
 * when a transfer ends (it also has a factorial unit, of no use here). So
 * it runs one op, COPY, honestly: every step of a request (4 KiB less a
 * byte, see EDU_STEP) is a transfer into the buffer and one out of it, and each transfer is started
 * from the previous one's completion. Operands reach the device as bus
 * addresses: the device uses WarpDrive's pinned mode and never sees a page
 * the request did not name.
 *
 * The doorbell is the DMA command register. ops->submit() writes it when
 * the engine is idle (or the core's commit does, at the end of an io_uring
 * submission batch); otherwise the request waits in the driver's FIFO and
 * the interrupt handler starts it. Requests from an IORING_SETUP_IOPOLL
 * ring run without interrupts: the submitter's poll finds them finished.
 *
 * QEMU's engine takes 100 ms of virtual time per transfer: this device
 * proves the path, it is not fast.
 *
 * sysfs (in /sys/class/warpdrive/eduN/): dmas (transfers started) and
 * inject (a deliberate fault for the next transfer: "iommu_fault" sends
 * it to a bus address nothing is mapped at, "lost_irq" starts it without
 * its interrupt).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/timer.h>
#include "../wd_driver.h"

#define EDU_REG_ID		0x00	/* 0xMMmm00ed: version and magic */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_ID_MAGIC		0xed
#define EDU_DMA_RUN		BIT(0)	/* set to start; clears when done */
#define EDU_DMA_TO_RAM		BIT(1)	/* direction: device buffer to memory */
#define EDU_DMA_IRQ		BIT(2)	/* interrupt with EDU_IRQ_DMA when done */
#define EDU_IRQ_DMA		0x100

/* The device's buffer, as the DMA engine addresses it. */
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
/*
 * Bytes per step through the buffer. QEMU up to 7.2 checks a transfer's
 * end with "<" where it means "<=" and stops the whole machine (hw_error)
 * on a transfer that reaches the buffer's last byte; later versions log
 * and carry on. The revision ID does not tell them apart, so that byte is
 * never used.
 */
#define EDU_STEP		(EDU_BUF_SIZE - 1)
/* The engine drops address bits above these (QEMU's default dma_mask). */
#define EDU_DMA_BITS		28

/* Hundreds of steps at 200 ms each are already a minute. */
#define WD_EDU_MAX_LEN		(1U << 20)
/*
 * A transfer takes 100 ms; one that has ended with no interrupt for this
 * long has lost it.
 */
#define WD_EDU_TIMEOUT		(2 * HZ)

enum wd_edu_inject {
	WD_EDU_INJECT_NONE,
	WD_EDU_INJECT_IOMMU_FAULT,
	WD_EDU_INJECT_LOST_IRQ,
};

static const char * const wd_edu_inject_names[] = {
	[WD_EDU_INJECT_NONE]		= "none",
	[WD_EDU_INJECT_IOMMU_FAULT]	= "iommu_fault",
	[WD_EDU_INJECT_LOST_IRQ]	= "lost_irq",
};

/* A position in an operand's mapped segments. */
struct wd_edu_cursor {
	struct scatterlist	*sg;
	unsigned int		segs;	/* mapped segments from sg on */
	u32			off;	/* bytes into sg */
};

/* The request on the engine and how far it has got. */
struct wd_edu_xfer {
	struct wd_req		*rq;	/* NULL: the engine is idle */
	struct wd_edu_cursor	src;
	struct wd_edu_cursor	dst;
	u32			len;
	u32			done;	/* bytes copied to the destination */
	u32			step;	/* bytes of this step, <= EDU_STEP */
	u32			in;	/* of which in the device buffer */
	u32			out;	/* of which written out again */
	u32			cur;	/* bytes of the transfer in flight */
	bool			to_ram;	/* its direction */
	bool			faulted; /* it was sent to an unmapped address */
	bool			no_irq;	/* it will not interrupt, though it should */
};

struct wd_edu {
	struct pci_dev		*pdev;
	void __iomem		*regs;
	struct wd_device	*wdev;
	int			id;

	spinlock_t		lock;	/* everything below */
	struct llist_node	*head;	/* FIFO of waiting requests */
	struct llist_node	**tail;
	struct wd_edu_xfer	x;
	bool			dying;
	enum wd_edu_inject	inject;
	u64			dmas;
	struct timer_list	watchdog;
};

static DEFINE_IDA(wd_edu_ida);

static void wd_edu_push(struct wd_edu *edu, struct wd_req *rq)
{
	rq->node.next = NULL;
	*edu->tail = &rq->node;
	edu->tail = &rq->node.next;
}

static struct wd_req *wd_edu_pop(struct wd_edu *edu)
{
	struct llist_node *n = edu->head;

	if (!n)
		return NULL;
	edu->head = n->next;
	if (!edu->head)
		edu->tail = &edu->head;
	return container_of(n, struct wd_req, node);
}

static void wd_edu_cursor_init(struct wd_edu_cursor *c,
			       const struct wd_dma_map *m)
{
	c->sg = m->sgt.sgl;
	c->segs = m->sgt.nents;
	c->off = 0;
}

/* Bytes left in the cursor's segment: one transfer cannot cross it. */
static u32 wd_edu_cursor_len(const struct wd_edu_cursor *c)
{
	return sg_dma_len(c->sg) - c->off;
}

static void wd_edu_cursor_advance(struct wd_edu_cursor *c, u32 n)
{
	c->off += n;
	if (c->off == sg_dma_len(c->sg) && --c->segs) {
		c->sg = sg_next(c->sg);
		c->off = 0;
	}
}

/* Start the next transfer of the request on the engine. */
static void wd_edu_transfer(struct wd_edu *edu)
{
	struct wd_edu_xfer *x = &edu->x;
	u64 cmd = EDU_DMA_RUN;
	u64 src, dst;

	if (x->in < x->step) {
		/* memory -> device buffer */
		x->cur = min(x->step - x->in, wd_edu_cursor_len(&x->src));
		src = sg_dma_address(x->src.sg) + x->src.off;
		dst = EDU_BUF_ADDR + x->in;
		x->to_ram = false;
	} else {
		/* device buffer -> memory */
		x->cur = min(x->step - x->out, wd_edu_cursor_len(&x->dst));
		src = EDU_BUF_ADDR + x->out;
		dst = sg_dma_address(x->dst.sg) + x->dst.off;
		cmd |= EDU_DMA_TO_RAM;
		x->to_ram = true;
		if (edu->inject == WD_EDU_INJECT_IOMMU_FAULT) {
			/*
			 * Bus address 0: the IOVA allocator never hands out
			 * page 0, so the IOMMU has nothing there and must
			 * refuse the write.
			 */
			dst = 0;
			x->faulted = true;
			edu->inject = WD_EDU_INJECT_NONE;
		}
	}
	x->no_irq = false;
	if (!(x->rq->flags & WD_REQ_POLLED))
		cmd |= EDU_DMA_IRQ;
	if (edu->inject == WD_EDU_INJECT_LOST_IRQ) {
		cmd &= ~EDU_DMA_IRQ;
		x->no_irq = true;
		edu->inject = WD_EDU_INJECT_NONE;
	}

	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(x->cur, edu->regs + EDU_REG_DMA_COUNT);
	writeq(cmd, edu->regs + EDU_REG_DMA_CMD);
	edu->dmas++;
	mod_timer(&edu->watchdog, jiffies + WD_EDU_TIMEOUT);
}

/* Put the next waiting request on the idle engine. Returns false if none. */
static bool wd_edu_start_next(struct wd_edu *edu)
{
	struct wd_edu_xfer *x = &edu->x;
	struct wd_req *rq;

	if (edu->dying)
		return false;
	/*
	 * A request canceled while it waited, or whose submitter has exited,
	 * is retired here without a transfer: an exited process's thousands
	 * of queued copies cost the device nothing.
	 */
	for (;;) {
		int err = -ECANCELED;

		rq = wd_edu_pop(edu);
		if (!rq)
			return false;
		/* mapped only now: waiting requests hold no IOVA space */
		if (!wd_req_canceled(rq) && !wd_req_owner_gone(rq)) {
			err = wd_dma_map(rq->dma);
			if (!err)
				break;
		}
		rq->res = err;
		wd_complete(rq);
	}

	memset(x, 0, sizeof(*x));
	x->rq = rq;
	x->len = rq->dma->addr.len;
	x->step = min_t(u32, x->len, EDU_STEP);
	wd_edu_cursor_init(&x->src, &rq->dma->addr);
	wd_edu_cursor_init(&x->dst, &rq->dma->addr2);
	wd_edu_transfer(edu);
	return true;
}

/* The request on the engine is over, with @res: start the next one. */
static struct wd_req *wd_edu_finish(struct wd_edu *edu, int res)
{
	struct wd_req *rq = edu->x.rq;

	rq->res = res;
	edu->x.rq = NULL;
	wd_edu_start_next(edu);
	return rq;
}

/*
 * The transfer in flight has ended (the engine's run bit says so, however
 * we came to look): account for it and start the next. Returns a request
 * that is now finished, for the caller to complete outside the lock.
 */
static struct wd_req *wd_edu_advance(struct wd_edu *edu)
{
	struct wd_edu_xfer *x = &edu->x;

	lockdep_assert_held(&edu->lock);
	if (!x->rq || (readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_RUN))
		return NULL;

	if (x->faulted) {
		/*
		 * The engine has no error status to read: the IOMMU logged
		 * the fault, and the data is known not to have arrived.
		 */
		return wd_edu_finish(edu, -EIO);
	}
	if (x->to_ram) {
		wd_edu_cursor_advance(&x->dst, x->cur);
		x->out += x->cur;
	} else {
		wd_edu_cursor_advance(&x->src, x->cur);
		x->in += x->cur;
	}
	if (x->out == x->step) {
		x->done += x->step;
		x->step = min_t(u32, x->len - x->done, EDU_STEP);
		x->in = 0;
		x->out = 0;
	}
	if (x->done == x->len)
		return wd_edu_finish(edu, x->len);
	if (edu->dying)
		return wd_edu_finish(edu, -ENODEV);
	/* a canceled request gives the engine up at the next transfer */
	if (wd_req_canceled(x->rq))
		return wd_edu_finish(edu, -ECANCELED);
	wd_edu_transfer(edu);
	return NULL;
}

static irqreturn_t wd_edu_irq(int irq, void *data)
{
	struct wd_edu *edu = data;
	struct wd_req *rq;
	u32 status;

	status = readl(edu->regs + EDU_REG_IRQ_STATUS);
	if (status)
		writel(status, edu->regs + EDU_REG_IRQ_ACK);

	/*
	 * Look at the engine whatever the status said: a completion that
	 * was acknowledged with an earlier one must not be lost.
	 */
	spin_lock(&edu->lock);
	rq = wd_edu_advance(edu);
	spin_unlock(&edu->lock);
	if (rq)
		wd_complete(rq);
	return status || rq ? IRQ_HANDLED : IRQ_NONE;
}

/*
 * A transfer has run past its time. Still running: give it more (its
 * pages must stay mapped until it stops). Stopped without a word: a polled
 * request whose poller went away just moves on; one that was to interrupt
 * has lost its interrupt and fails, so that nothing waits forever.
 */
static void wd_edu_watchdog(struct timer_list *t)
{
	struct wd_edu *edu = timer_container_of(edu, t, watchdog);
	struct wd_req *rq = NULL;
	unsigned long flags;

	spin_lock_irqsave(&edu->lock, flags);
	if (!edu->x.rq)
		goto out;
	if (readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		mod_timer(&edu->watchdog, jiffies + WD_EDU_TIMEOUT);
		goto out;
	}
	if ((edu->x.rq->flags & WD_REQ_POLLED) && !edu->x.no_irq) {
		rq = wd_edu_advance(edu);
	} else {
		dev_err_ratelimited(&edu->pdev->dev,
				    "DMA ended without its interrupt: failing the request\n");
		rq = wd_edu_finish(edu, -ETIMEDOUT);
	}
out:
	spin_unlock_irqrestore(&edu->lock, flags);
	if (rq)
		wd_complete(rq);
}

/* The doorbell: start the engine if it is idle. Caller holds the lock. */
static void wd_edu_ring(struct wd_edu *edu)
{
	if (!edu->x.rq && wd_edu_start_next(edu))
		wd_doorbell_count(edu->wdev);
}

static int wd_edu_submit(struct wd_device *wdev, struct wd_req *rq,
			 const struct wd_args *args, unsigned int sflags)
{
	struct wd_edu *edu = wdev->priv;
	unsigned long flags;
	bool defer;

	/* Nothing to move: no reason to bother the device. */
	if (!args->len) {
		rq->res = 0;
		wd_complete(rq);
		return 0;
	}

	defer = wd_doorbell_defer(wdev, edu);
	spin_lock_irqsave(&edu->lock, flags);
	if (edu->dying) {
		spin_unlock_irqrestore(&edu->lock, flags);
		return -ENODEV;
	}
	wd_edu_push(edu, rq);
	if (!defer)
		wd_edu_ring(edu);
	spin_unlock_irqrestore(&edu->lock, flags);
	return 0;
}

static void wd_edu_commit(struct wd_device *wdev, void *queue)
{
	struct wd_edu *edu = queue;
	unsigned long flags;

	spin_lock_irqsave(&edu->lock, flags);
	wd_edu_ring(edu);
	spin_unlock_irqrestore(&edu->lock, flags);
}

static int wd_edu_poll(struct wd_device *wdev)
{
	struct wd_edu *edu = wdev->priv;
	struct wd_req *rq;
	unsigned long flags;

	spin_lock_irqsave(&edu->lock, flags);
	rq = wd_edu_advance(edu);
	spin_unlock_irqrestore(&edu->lock, flags);
	if (!rq)
		return 0;
	wd_complete(rq);
	return 1;
}

static const struct wd_ops wd_edu_ops = {
	.owner		= THIS_MODULE,
	.name		= "edu",
	.submit		= wd_edu_submit,
	.commit		= wd_edu_commit,
	.poll		= wd_edu_poll,
};

static ssize_t dmas_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct wd_edu *edu = wd_dev_to_wdev(dev)->priv;
	unsigned long flags;
	u64 dmas;

	spin_lock_irqsave(&edu->lock, flags);
	dmas = edu->dmas;
	spin_unlock_irqrestore(&edu->lock, flags);
	return sysfs_emit(buf, "%llu\n", dmas);
}
static DEVICE_ATTR_RO(dmas);

static ssize_t inject_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct wd_edu *edu = wd_dev_to_wdev(dev)->priv;

	return sysfs_emit(buf, "%s\n",
			  wd_edu_inject_names[READ_ONCE(edu->inject)]);
}

static ssize_t inject_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct wd_edu *edu = wd_dev_to_wdev(dev)->priv;
	struct iommu_domain *domain;
	unsigned long flags;
	int i;

	i = sysfs_match_string(wd_edu_inject_names, buf);
	if (i < 0)
		return i;
	/*
	 * Without a translating IOMMU, bus address 0 is memory: the fault
	 * would be a corruption.
	 */
	domain = iommu_get_domain_for_dev(&edu->pdev->dev);
	if (i == WD_EDU_INJECT_IOMMU_FAULT &&
	    (!domain || !iommu_is_dma_domain(domain)))
		return -EOPNOTSUPP;

	spin_lock_irqsave(&edu->lock, flags);
	edu->inject = i;
	spin_unlock_irqrestore(&edu->lock, flags);
	return count;
}
static DEVICE_ATTR_RW(inject);

static struct attribute *wd_edu_attrs[] = {
	&dev_attr_dmas.attr,
	&dev_attr_inject.attr,
	NULL,
};
ATTRIBUTE_GROUPS(wd_edu);

static int wd_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct wd_device *wdev;
	struct wd_edu *edu;
	void __iomem *regs;
	char name[16];
	u32 ident;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	regs = pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	ident = readl(regs + EDU_REG_ID);
	if ((ident & 0xff) != EDU_ID_MAGIC) {
		dev_err(&pdev->dev, "not an edu device (id %#x)\n", ident);
		return -ENODEV;
	}
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return ret;
	/* transfers are cut at 4 KiB and at segment ends: merge freely */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	pci_set_master(pdev);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	wdev = wd_device_alloc(&pdev->dev, &wd_edu_ops, sizeof(*edu));
	if (IS_ERR(wdev)) {
		ret = PTR_ERR(wdev);
		goto err_free_vectors;
	}
	edu = wdev->priv;
	edu->pdev = pdev;
	edu->regs = regs;
	edu->wdev = wdev;
	edu->tail = &edu->head;
	spin_lock_init(&edu->lock);
	timer_setup(&edu->watchdog, wd_edu_watchdog, 0);

	wdev->ops_mask = BIT_ULL(WD_OP_COPY);
	wdev->dev_flags = WD_DEV_F_PINNED;
	wdev->max_len = WD_EDU_MAX_LEN;
	wdev->nr_queues = 1;
	wdev->groups = wd_edu_groups;

	ret = request_irq(pci_irq_vector(pdev, 0), wd_edu_irq, IRQF_SHARED,
			  KBUILD_MODNAME, edu);
	if (ret)
		goto err_put;

	edu->id = ida_alloc(&wd_edu_ida, GFP_KERNEL);
	if (edu->id < 0) {
		ret = edu->id;
		goto err_free_irq;
	}
	snprintf(name, sizeof(name), "edu%d", edu->id);
	ret = wd_device_register(wdev, name);
	if (ret)
		goto err_free_id;

	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "%s: edu %u.%u, %s interrupt\n", name,
		 ident >> 24, (ident >> 16) & 0xff,
		 pdev->msi_enabled ? "MSI" : "INTx");
	return 0;

err_free_id:
	ida_free(&wd_edu_ida, edu->id);
err_free_irq:
	free_irq(pci_irq_vector(pdev, 0), edu);
err_put:
	timer_shutdown_sync(&edu->watchdog);
	wd_device_put(wdev);
err_free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

/*
 * Unbinding with requests in flight: the waiting ones fail with -ENODEV
 * at once; the one on the engine finishes its transfer (its pages must
 * stay mapped until the engine lets go of them) and then fails the same
 * way, unless that was its last.
 */
static void wd_edu_remove(struct pci_dev *pdev)
{
	struct wd_edu *edu = pci_get_drvdata(pdev);
	struct llist_node *waiting;
	struct wd_req *rq;

	spin_lock_irq(&edu->lock);
	edu->dying = true;
	waiting = edu->head;
	edu->head = NULL;
	edu->tail = &edu->head;
	spin_unlock_irq(&edu->lock);

	while (waiting) {
		rq = container_of(waiting, struct wd_req, node);
		waiting = waiting->next;
		rq->res = -ENODEV;
		wd_complete(rq);
	}

	wd_device_unregister(edu->wdev);
	timer_shutdown_sync(&edu->watchdog);
	free_irq(pci_irq_vector(pdev, 0), edu);
	pci_free_irq_vectors(pdev);
	ida_free(&wd_edu_ida, edu->id);
	wd_device_put(edu->wdev);
}

static const struct pci_device_id wd_edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, wd_edu_ids);

static struct pci_driver wd_edu_driver = {
	.name		= "warpdrive_edu",
	.id_table	= wd_edu_ids,
	.probe		= wd_edu_probe,
	.remove		= wd_edu_remove,
};
module_pci_driver(wd_edu_driver);

MODULE_DESCRIPTION("WarpDrive driver for QEMU's edu PCI device");
MODULE_LICENSE("GPL");
