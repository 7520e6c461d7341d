# SPDX-License-Identifier: GPL-2.0
#
# Kernel API probes for the compat layer (wd_compat.h). Each looks for the
# newer interface in the headers the modules are built against and, where
# it is there, passes -DWD_HAVE_<name>. Probing the headers rather than
# comparing version numbers also follows distribution kernels that carry
# an interface back to an older version. In a kernel tree the probes see
# that tree's headers, as they should.

comma := ,
lparen := (
wd_hdr = $(srctree)/include/linux/$(1)
wd_probe = $(shell grep -qsE '$(2)' $(call wd_hdr,$(1)) && echo -DWD_HAVE_$(3))

# io_uring_sqe_cmd(sqe, type), with a size check (7.x; 6.12: (sqe))
wd-compat-flags := $(call wd_probe,io_uring/cmd.h,define io_uring_sqe_cmd[(]sqe$(comma) type[)],SQE_CMD_TYPED)
# io_uring_cmd_done32(): the CQE32 result has its own call (7.x)
wd-compat-flags += $(call wd_probe,io_uring/cmd.h,void io_uring_cmd_done32[$(lparen)],CMD_DONE32)
# task work callbacks take (struct io_tw_req, io_tw_token_t) (7.x)
wd-compat-flags += $(call wd_probe,io_uring/cmd.h,\*io_uring_cmd_from_tw[$(lparen)]struct io_tw_req,IO_TW_REQ)
# io_uring_cmd_import_fixed() takes issue_flags (6.14+)
wd-compat-flags += $(shell tr -d '\n' < $(call wd_hdr,io_uring/cmd.h) 2>/dev/null | \
	grep -qE 'int io_uring_cmd_import_fixed[$(lparen)][^;]*issue_flags' && \
	echo -DWD_HAVE_IMPORT_FIXED_FLAGS)
# __crc32c_le() (6.12; later kernels have crc32c() in <linux/crc32.h>)
wd-compat-flags += $(call wd_probe,crc32.h,__crc32c_le[$(lparen)],CRC32C_LE)

ccflags-y += $(wd-compat-flags)
