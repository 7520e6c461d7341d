/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the WarpDrive selftests, with kselftest's exit
 * codes (0 pass, 1 fail, 4 skip), so the programs run standalone, under
 * the lab's VM runner, and under kselftest's run_tests.
 *
 * A test program declares its plan, then reports each case once with
 * wd_ok(); a case that cannot run on this system is reported with
 * wd_skip(), never as a pass.
 */
#ifndef WD_TEST_H
#define WD_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

static int wd_planned, wd_reported, wd_failed, wd_skipped;

static inline void wd_plan(int n)
{
	wd_planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

/* Why a case failed, as a TAP diagnostic just before its result line. */
static inline void wd_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int wd_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	wd_reported++;
	if (!cond)
		wd_failed++;
	printf("%sok %d ", cond ? "" : "not ", wd_reported);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline void wd_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	wd_reported++;
	wd_skipped++;
	printf("ok %d ", wd_reported);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

/* Ends the program: fails on any failed or unreported case. */
static inline int wd_exit(void)
{
	if (wd_reported != wd_planned) {
		wd_diag("planned %d cases, reported %d", wd_planned,
			wd_reported);
		return KSFT_FAIL;
	}
	if (wd_failed)
		return KSFT_FAIL;
	if (wd_skipped == wd_planned)
		return KSFT_SKIP;
	return KSFT_PASS;
}

/* The whole program cannot run here (no device, no module): skip it. */
static inline void __attribute__((noreturn)) wd_skip_all(const char *why)
{
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	exit(KSFT_SKIP);
}

/* sysfs helpers: read or write one number; -errno on failure. */
static inline long long wd_sysfs_read(const char *dev, const char *attr)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return strtoll(buf, NULL, 0);
}

/* A small file (sysfs, procfs) as a string, up to its first newline. */
static inline int wd_read_str(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* One attribute of a device as a string; 0 or -errno. */
static inline int wd_sysfs_str(const char *dev, const char *attr, char *buf,
			       size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	return wd_read_str(path, buf, size);
}

static inline int wd_sysfs_write(const char *dev, const char *attr,
				 long long val)
{
	char path[256], buf[32];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%lld", val);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Write a string to a file (sysfs, debugfs); -errno on failure. */
static inline int wd_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* The device every test runs against unless WD_DEVICE names another. */
static inline const char *wd_test_device(void)
{
	const char *dev = getenv("WD_DEVICE");

	return dev && *dev ? dev : "soft0";
}

#endif /* WD_TEST_H */
