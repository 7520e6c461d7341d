/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the WarpDrive tools share: time, sysfs, interrupt counts. */
#ifndef WD_TOOL_H
#define WD_TOOL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Monotonic seconds. */
static inline double wd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A number from /sys/class/warpdrive/@dev/@attr, or -1. */
static inline long long wd_sysfs_num(const char *dev, const char *attr)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * /sys/class/warpdrive/@dev/@attr as a string, trailing newlines dropped;
 * 0 or -errno.
 */
static inline int wd_sysfs_str(const char *dev, const char *attr, char *buf,
			       size_t size)
{
	char path[512];
	size_t n;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* Interrupts taken by the handler named @name, all CPUs; -1 if none. */
static inline long long wd_irq_count(const char *name)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512], *p, *end;
	long long sum = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, name) || !(p = strchr(line, ':')))
			continue;
		for (sum = 0, p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
		break;
	}
	fclose(f);
	return sum;
}

#endif /* WD_TOOL_H */
