// Preloaded (NODE_OPTIONS=--require) by scripts/platforms/run-suites.sh into a Node that must be
// started through a launcher: an arm64 Node under qemu-user on an x64 host without binfmt_misc, or
// a Node run on another glibc through that glibc's own loader. The kernel alone cannot start such
// a Node again, so the test runner's per-file children and the suites' own child scripts would
// fail: process.execPath is pointed at a small shell script that starts the same Node through the
// same launcher. Nothing in the package uses this file.
'use strict';
const wrapper = process.env.NATIVE_SSH_PLATFORMS_NODE_WRAPPER;
if (wrapper) process.execPath = wrapper;
