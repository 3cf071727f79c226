#!/usr/bin/env bash
# Fresh machine to green tests: install dependencies, build (Release), run every test with ctest,
# then check the installed package (tools/check_install.sh) and run the sanitizer and fuzzing
# checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The installed package: static and shared, examples built with find_package and pkg-config.
bash tools/check_install.sh build
# Reliability (issue 6), after the normal tests: the suite again under ASan+UBSan, the
# thread-safety test under ThreadSanitizer, and about a minute of each fuzz target. Each step
# prints its time. ESPNET_SKIP_RELIABILITY=1 skips them (e.g. for a quick local run).
if [ "${ESPNET_SKIP_RELIABILITY:-0}" != 1 ]; then
  bash tools/run_sanitizer_tests.sh
  bash tools/run_tsan_tests.sh
  bash tests/fuzz/run_fuzz_smoke.sh
fi
