// SPDX-License-Identifier: GPL-2.0
/*
 * The core's KUnit tests (kernel/accel/tests/), reported as TAP: loads
 * warpdrive_kunit.ko (its suites run as it loads), reads each suite's
 * results from debugfs, turns every test case into a TAP result, and
 * unloads the module again. Needs a kernel with KUnit (the lab's debug
 * tier) and root; skips elsewhere.
 */
#include <ctype.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "wd_test.h"

static const char *const suites[] = { "warpdrive_ops", "warpdrive_issue" };

struct tcase {
	char name[96];
	char suite[32];
	int ok;
	int skip;
};

static struct tcase cases[256];
static int ncases;

/* Every "ok N name" / "not ok N name" line below the suite's own. */
static int read_suite(const char *suite)
{
	char path[256], line[512];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kunit/%s/results",
		 suite);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && ncases < 256) {
		char *p = line, *name;
		int ok;

		while (isspace((unsigned char)*p))
			p++;
		if (!strncmp(p, "not ok ", 7)) {
			ok = 0;
			p += 7;
		} else if (!strncmp(p, "ok ", 3)) {
			ok = 1;
			p += 3;
		} else {
			continue;
		}
		while (isdigit((unsigned char)*p))
			p++;
		while (*p == ' ')
			p++;
		name = p;
		p[strcspn(p, " \n")] = '\0';
		if (!strcmp(name, suite))
			continue;	/* the suite's own verdict */
		snprintf(cases[ncases].name, sizeof(cases[ncases].name), "%s",
			 name);
		snprintf(cases[ncases].suite, sizeof(cases[ncases].suite),
			 "%s", suite);
		cases[ncases].ok = ok;
		cases[ncases].skip = !!strstr(p + strlen(name) + 1, "# SKIP");
		ncases++;
		found++;
	}
	fclose(f);
	return found;
}

int main(void)
{
	const char *dir = getenv("WD_MODULE_DIR");
	char path[512];
	struct stat st;
	int fd, ret, i, n;

	if (!dir || !*dir)
		wd_skip_all("WD_MODULE_DIR not set");
	snprintf(path, sizeof(path), "%s/warpdrive_kunit.ko", dir);
	if (stat(path, &st))
		wd_skip_all("no warpdrive_kunit.ko: the kernel has no KUnit (the debug tier has)");
	if (geteuid())
		wd_skip_all("needs root");

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -errno : 0;
	if (!ret && syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret) {
		wd_plan(1);
		wd_ok(0, "load warpdrive_kunit.ko (%s)", strerror(-ret));
		return wd_exit();
	}

	for (i = 0; i < (int)(sizeof(suites) / sizeof(suites[0])); i++) {
		n = read_suite(suites[i]);
		if (n <= 0) {
			snprintf(cases[ncases].name, sizeof(cases[ncases].name),
				 "(no results: %s)", n ? strerror(-n) : "empty");
			snprintf(cases[ncases].suite,
				 sizeof(cases[ncases].suite), "%s", suites[i]);
			cases[ncases++].ok = 0;
		}
	}

	wd_plan(ncases + 1);
	for (i = 0; i < ncases; i++) {
		if (cases[i].skip)
			wd_skip("KUnit", "%s: %s", cases[i].suite,
				cases[i].name);
		else
			wd_ok(cases[i].ok, "%s: %s", cases[i].suite,
			      cases[i].name);
	}
	ret = syscall(SYS_delete_module, "warpdrive_kunit", O_NONBLOCK) ?
	      -errno : 0;
	wd_ok(ret == 0, "warpdrive_kunit unloads (%d)", ret);
	return wd_exit();
}
