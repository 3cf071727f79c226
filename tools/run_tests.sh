#!/usr/bin/env bash
# Fresh machine to green tests: install dependencies, build (Release), run every test with ctest,
# then check the installed package (tools/check_install.sh), cross-build for aarch64 and run its
# kernel and reference tests under qemu (tools/run_aarch64_tests.sh), and run the sanitizer and
# fuzzing checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The installed package: static and shared, examples built with find_package and pkg-config.
bash tools/check_install.sh build
# AArch64: cross-built, the kernel tests and every reference case at 1 thread (NEON and portable)
# under qemu-aarch64. ESPNET_SKIP_AARCH64=1 skips it (e.g. for a quick local run).
if [ "${ESPNET_SKIP_AARCH64:-0}" != 1 ] && [ "$(uname -m)" != aarch64 ]; then
  bash tools/run_aarch64_tests.sh
fi
# Reliability (issue 6), after the normal tests: the suite again under ASan+UBSan, the
# thread-safety test under ThreadSanitizer, and about a minute of each fuzz target. Each step
# prints its time. ESPNET_SKIP_RELIABILITY=1 skips them (e.g. for a quick local run).
if [ "${ESPNET_SKIP_RELIABILITY:-0}" != 1 ]; then
  bash tools/run_sanitizer_tests.sh
  bash tools/run_tsan_tests.sh
  bash tests/fuzz/run_fuzz_smoke.sh
fi
