#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, ESPNET_FUZZ=ON) in a separate build directory
# and runs each one from the seed corpus for FUZZ_SECONDS (default 60) seconds, FUZZ_PARALLEL
# (default: the number of cores) at a time.
# Fails on any finding: a crash, a sanitizer report, a leak, an input slower than 20 s or one
# needing more than 4 GB. Crashing inputs land in BUILD/fuzz-artifacts/<target>/; turn each into a
# regression test (tests/test_fuzz_regressions.cpp).
# Environment: FUZZ_SECONDS, FUZZ_PARALLEL, FUZZ_TARGETS ("pth model_file npy image"), FUZZ_BUILD_DIR
# (build-fuzz), ESPNET_REF_DIR, JOBS (build parallelism).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
ref=${ESPNET_REF_DIR:-$(cd .. && pwd)/shared/espnetv2-ref}
targets=${FUZZ_TARGETS:-pth model_file npy image}

command -v clang++ > /dev/null || { echo "run_fuzz_smoke: clang++ is missing (tools/install_deps.sh --fuzz)" >&2; exit 1; }
start=$(date +%s)
# -O1, as OSS-Fuzz builds its targets and as the ASan tests build (tools/run_sanitizer_tests.sh):
# the -O3 build took 441 s of the smoke's 563 in a CI run, and the fuzzing is time-boxed anyway.
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DESPNET_FUZZ=ON \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" \
  -DESPNET_BUILD_TESTS=OFF -DESPNET_BUILD_BENCHMARKS=OFF -DESPNET_REF_DIR="$ref" > /dev/null
cmake --build "$build" -j"${JOBS:-$(nproc)}" --target make_fuzz_seeds \
  $(for t in $targets; do echo "fuzz_$t"; done)
bash tests/fuzz/make_corpus.sh "$build" "$ref"
echo "run_fuzz_smoke: build and corpus took $(( $(date +%s) - start )) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# The targets run side by side, as many at once as there are cores (each is one process on
# one core), so the smoke costs FUZZ_SECONDS per round of targets instead of per target.
fuzz_one() {
  local t=$1 work="$build/fuzz-work/$1" artifacts="$build/fuzz-artifacts/$1"
  mkdir -p "$work" "$artifacts"
  echo failed > "$build/fuzz-$t.status"
  if ! "$build/tests/fuzz/fuzz_$t" "$work" "$build/fuzz-corpus/$t" -max_total_time="$seconds" \
      -timeout=20 -rss_limit_mb=4096 -artifact_prefix="$artifacts/" -print_final_stats=1 \
      > "$build/fuzz-$t.log" 2>&1; then
    echo "run_fuzz_smoke: fuzz_$t FOUND A PROBLEM (log: $build/fuzz-$t.log, inputs: $artifacts)" >&2
    tail -n 60 "$build/fuzz-$t.log" >&2
    return 1
  fi
  echo passed > "$build/fuzz-$t.status"
}
parallel=${FUZZ_PARALLEL:-$(nproc)}
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  echo "run_fuzz_smoke: fuzz_$t for $seconds s"
  fuzz_one "$t" &
done
wait || true
status=0
for t in $targets; do
  [ "$(cat "$build/fuzz-$t.status" 2> /dev/null)" = passed ] || status=1
  grep -E "^stat::number_of_executed_units|^Done [0-9]+ runs" "$build/fuzz-$t.log" || true
done
echo "run_fuzz_smoke: total $(( $(date +%s) - start )) s"
exit $status
