#!/usr/bin/env bash
# Builds tests/test_thread_safety.cpp with ThreadSanitizer (clang, separate build directory
# build-tsan/) and runs it. OpenMP is LLVM's libomp here, with its Archer tool loaded
# (OMP_TOOL_LIBRARIES) so that TSan understands OpenMP's barriers and does not report the
# runtime's own synchronisation as races; any report fails the run (halt_on_error=1).
# The full 200 runs per session take about 20 s under TSan (ESPNET_THREAD_SAFETY_RUNS lowers it).
# Environment: TSAN_BUILD_DIR (build-tsan), JOBS, ESPNET_REF_DIR, ESPNET_THREAD_SAFETY_RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TSAN_BUILD_DIR:-build-tsan}
command -v clang++ > /dev/null || { echo "run_tsan_tests: clang++ is missing (tools/install_deps.sh)" >&2; exit 1; }
archer=$(ls /usr/lib/llvm-*/lib/libarcher.so 2> /dev/null | sort -V | tail -n 1 || true)
[ -n "$archer" ] || { echo "run_tsan_tests: libarcher.so not found (package libomp-dev)" >&2; exit 1; }
flags="-fsanitize=thread -fno-omit-frame-pointer -g"
ref_args=()
[ -n "${ESPNET_REF_DIR:-}" ] && ref_args=(-DESPNET_REF_DIR="$ESPNET_REF_DIR")

start=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DESPNET_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" "${ref_args[@]}" > /dev/null
cmake --build "$build" -j"${JOBS:-$(nproc)}" --target test_thread_safety
built=$(date +%s)
echo "run_tsan_tests: build took $((built - start)) s"
OMP_TOOL_LIBRARIES="$archer" \
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1" \
  "$build/tests/test_thread_safety"
echo "run_tsan_tests: test took $(( $(date +%s) - built )) s"
