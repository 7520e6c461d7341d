/* SPDX-License-Identifier: GPL-2.0 */
/* WarpDrive core: what the core's files share and drivers never see. */
#ifndef _WD_INTERNAL_H
#define _WD_INTERNAL_H

#include <linux/io_uring/cmd.h>
#include "wd_driver.h"

/* wd_req.flags */
#define WD_REQ_URING	BIT(0)	/* embedded in an io_uring_cmd's pdu */

/* Per-CPU request counters; sysfs sums them. */
struct wd_stats {
	u64	submitted;	/* accepted and handed to the driver */
	u64	completed;	/* completed by the driver */
	u64	failed;		/* ... of which with a negative result */
};

/**
 * struct wd_op_desc - one entry of the op table
 * @name: as shown in sysfs and logs
 * @flags: request flags (sqe->file_index) the op accepts
 * @prep: read and validate the op's SQE fields into @rq. Returns 0, or a
 *	negative errno that fails the request before the device sees it.
 */
struct wd_op_desc {
	const char	*name;
	u32		flags;
	int		(*prep)(struct wd_req *rq, const struct io_uring_sqe *sqe,
				u32 flags);
};

extern const struct wd_op_desc wd_op_table[WD_OP_END];
u64 wd_all_op_flags(void);

extern const struct attribute_group *wd_dev_groups[];

void wd_stats_sum(const struct wd_device *wdev, struct wd_stats *sum);
bool wd_device_enter(struct wd_device *wdev);
void wd_device_exit(struct wd_device *wdev);

int wd_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
void wd_uring_complete(struct wd_req *rq);

#endif /* _WD_INTERNAL_H */
