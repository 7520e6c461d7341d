// SPDX-License-Identifier: GPL-2.0
/*
 * accelctl end to end: what it lists and shows must be what sysfs says,
 * in both output forms; its self-test must pass on every device (soft0,
 * crypto0, and edu0 where the VM has one) and fail when the device misbehaves; its
 * errors must be the documented exit codes.
 *
 * Needs the tool: WD_BIN_DIR names the directory holding accelctl.
 */
#include <sys/wait.h>
#include "wd_uring.h"

static char tool[512];

/* Run accelctl with @args; its stdout into @out. Returns its exit code. */
static int run(const char *args, char *out, size_t size)
{
	char cmd[1024];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", tool, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < size - 1) {
		size_t got = fread(out + n, 1, size - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* @list ("a b c") as the JSON array accelctl writes: ["a", "b", "c"]. */
static void json_array(const char *list, char *out, size_t size)
{
	char tmp[1024], *tok, *save;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", list);
	n = snprintf(out, size, "[");
	for (tok = strtok_r(tmp, " ", &save); tok && n < size;
	     tok = strtok_r(NULL, " ", &save))
		n += snprintf(out + n, size - n, "%s\"%s\"", n > 1 ? ", " : "",
			      tok);
	if (n < size)
		snprintf(out + n, size - n, "]");
}

/* Every fact of @dev that list shows, as sysfs has it, in @out. */
static void check_list(const char *dev, const char *mode,
		       const char *parent)
{
	char out[8192], want[1200], ops[1024], col[1024], fmt[256];
	char line[512], *p;
	long long q = wd_sysfs_read(dev, "nr_queues");
	int rc;

	wd_sysfs_str(dev, "ops", ops, sizeof(ops));
	wd_sysfs_str(dev, "formats", fmt, sizeof(fmt));
	rc = run("list", out, sizeof(out));
	/* the text form's lists are comma-separated columns */
	snprintf(col, sizeof(col), "%s", ops);
	for (p = col; *p; p++)
		*p = *p == ' ' ? ',' : *p;
	for (p = fmt; *p; p++)
		*p = *p == ' ' ? ',' : *p;
	p = strstr(out, "\n");
	p = p ? strstr(p, dev) : NULL;
	snprintf(line, sizeof(line), "%s", p ? p : "");
	if (strchr(line, '\n'))
		*strchr(line, '\n') = '\0';
	wd_ok(rc == 0 && p && strstr(line, mode) && strstr(line, parent) &&
	      strstr(line, fmt[0] ? fmt : " - ") && strstr(line, col),
	      "list: %s", line);

	rc = run("--json list", out, sizeof(out));
	json_array(ops, want, sizeof(want));
	snprintf(line, sizeof(line), "\"name\": \"%s\"", dev);
	p = strstr(out, line);
	wd_ok(rc == 0 && p && strstr(p, want), "--json list: %s with ops %s",
	      dev, want);
	snprintf(line, sizeof(line), "\"address_mode\": \"%s\"", mode);
	wd_ok(p && strstr(p, line), "--json list: %s", line);
	snprintf(line, sizeof(line), "\"queues\": %lld,", q);
	wd_ok(p && strstr(p, line), "--json list: %s", line);
}

/* The value show prints for @label ("  label    value"), or "". */
static const char *shown(const char *out, const char *label, char *val,
			 size_t size)
{
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), "\n  %s ", label);
	val[0] = '\0';
	p = strstr(out, key);
	if (!p)
		return val;
	for (p += strlen(key); *p == ' '; p++)
		;
	n = strcspn(p, "\n");
	snprintf(val, size, "%.*s", (int)(n < size ? n : size - 1), p);
	return val;
}

static void check_show(void)
{
	char out[8192], formats[256], v1[256], v2[256], v3[256], v4[256];
	long long sub;
	int rc;

	wd_sysfs_str("soft0", "formats", formats, sizeof(formats));
	rc = run("show soft0", out, sizeof(out));
	sub = wd_sysfs_read("soft0", "submitted");
	wd_ok(rc == 0 &&
	      !strncmp(shown(out, "address mode", v1, sizeof(v1)), "cpu_sva", 7) &&
	      !strcmp(shown(out, "formats", v2, sizeof(v2)), formats) &&
	      atoll(shown(out, "  submitted", v3, sizeof(v3))) == sub &&
	      shown(out, "poll_us", v4, sizeof(v4))[0] &&
	      strstr(out, "ABI 0"),
	      "show soft0: mode %s, formats %s, submitted %s, poll_us %s",
	      v1, v2, v3, v4);
	rc = run("--json show soft0", out, sizeof(out));
	wd_ok(rc == 0 && strstr(out, "\"driver_attrs\": {") &&
	      strstr(out, "\"engines\": ") &&
	      strstr(out, "\"features\": {\"abi_version\": 0"),
	      "--json show soft0: driver attributes and features");
}

static void check_show_edu(void)
{
	char out[8192], parent[64], mode[64], dmas[64];
	int rc;

	rc = run("show edu0", out, sizeof(out));
	wd_ok(rc == 0 &&
	      !strcmp(shown(out, "parent", parent, sizeof(parent)),
		      "0000:00:02.0") &&
	      !strncmp(shown(out, "address mode", mode, sizeof(mode)),
		       "pinned", 6) &&
	      atoll(shown(out, "dmas", dmas, sizeof(dmas))) > 0,
	      "show edu0: parent %s, mode %s, dmas %s", parent, mode, dmas);
}

static void check_self_test(const char *dev)
{
	char out[16384], args[64], *last;
	int rc, passed = -1, failed = -1;

	snprintf(args, sizeof(args), "self-test %s", dev);
	rc = run(args, out, sizeof(out));
	last = strrchr(out, '\n');
	while (last && last > out && last[-1] != '\n')
		last--;
	if (last)
		sscanf(last, "%*s %d passed, %d failed", &passed, &failed);
	wd_ok(rc == 0 && passed > 0 && failed == 0 && !strstr(out, "FAIL"),
	      "self-test %s: exit %d, %d passed, %d failed", dev, rc, passed,
	      failed);
	snprintf(args, sizeof(args), "--json self-test %s", dev);
	rc = run(args, out, sizeof(out));
	wd_ok(rc == 0 && strstr(out, "\"failed\": 0}") &&
	      !strstr(out, "\"ok\": false"), "--json self-test %s", dev);
}

/*
 * crypto0: show lists each algorithm with the implementation sysfs says
 * serves it and its providers from /proc/crypto; the self-test checks a
 * known answer per algorithm.
 */
static void check_show_crypto(void)
{
	char out[16384], line[256], alg[64], impl[128];
	int rc, ok = 1, n = 0;
	FILE *f;

	rc = run("show crypto0", out, sizeof(out));
	f = fopen("/sys/class/warpdrive/crypto0/algorithms", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char want[256];

		if (sscanf(line, "%63s %*s %127s", alg, impl) != 2)
			continue;
		n++;
		snprintf(want, sizeof(want), " %s ", alg);
		if (!strstr(out, want) || !strstr(out, impl)) {
			wd_diag("show crypto0 lacks %s served by %s", alg, impl);
			ok = 0;
		}
	}
	if (f)
		fclose(f);
	wd_ok(rc == 0 && n == 7 && ok && strstr(out, "providers:"),
	      "show crypto0: %d algorithms, each with its implementation and providers",
	      n);
	rc = run("--json show crypto0", out, sizeof(out));
	wd_ok(rc == 0 && strstr(out, "\"algorithms\": [{\"name\": \"cbc(aes)\"") &&
	      strstr(out, "\"providers\": [\""),
	      "--json show crypto0: algorithms and providers");
}

/*
 * A device that gets things wrong must fail the self-test: edu0 made to
 * send its next write to a bus address the IOMMU refuses (its inject
 * knob) fails that COPY with -EIO, which must not pass as "ok".
 */
static void check_self_test_fails(void)
{
	char out[16384];
	int rc;

	if (wd_write_str("/sys/class/warpdrive/edu0/inject", "iommu_fault")) {
		wd_skip("edu0 cannot inject a fault here",
			"self-test of a failing device");
		return;
	}
	rc = run("self-test edu0", out, sizeof(out));
	wd_ok(rc == 1 && strstr(out, "FAIL"),
	      "self-test of edu0 with an IOMMU fault injected: exit %d", rc);
}

static void check_errors(void)
{
	char out[4096];

	wd_ok(run("show nosuch0", out, sizeof(out)) == 1,
	      "show of a device that does not exist: exit 1");
	wd_ok(run("frobnicate", out, sizeof(out)) == 2,
	      "an unknown command: exit 2");
	wd_ok(run("--help", out, sizeof(out)) == 0 &&
	      strstr(out, "self-test NAME"), "--help");
}

int main(void)
{
	const char *dir = getenv("WD_BIN_DIR");
	int edu = !access("/dev/warpdrive/edu0", F_OK);
	int cr = !access("/dev/warpdrive/crypto0", F_OK);

	if (!dir)
		wd_skip_all("WD_BIN_DIR not set");
	snprintf(tool, sizeof(tool), "%s/accelctl", dir);
	if (access(tool, X_OK))
		wd_skip_all("accelctl not built");

	wd_plan(11 + (edu ? 8 : 0) + (cr ? 4 : 0));
	check_list("soft0", "cpu_sva", "-");
	check_show();
	check_self_test("soft0");
	if (edu) {
		check_list("edu0", "pinned", "0000:00:02.0");
		check_self_test("edu0");
		check_show_edu();	/* after the self-test: dmas > 0 */
		check_self_test_fails();
	}
	if (cr) {
		check_self_test("crypto0");
		check_show_crypto();
	}
	check_errors();
	return wd_exit();
}
