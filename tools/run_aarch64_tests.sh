#!/usr/bin/env bash
# Cross-builds for aarch64 (cmake/toolchain-aarch64-linux-gnu.cmake, Debian's g++-aarch64-linux-gnu)
# into build-aarch64/ and runs under qemu-aarch64 (-L /, the arm64 multiarch runtime) the kernel
# tests on every level (NEON and portable) and every reference case at 1 thread with NEON forced
# and with the portable level. Only the targets those tests need are built. Prints its time.
# tools/run_tests.sh calls it; ESPNET_SKIP_AARCH64=1 skips it there. Needs the packages of
# tools/install_deps.sh (ESPNET_CROSS_AARCH64=1, the default).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
if ! command -v aarch64-linux-gnu-g++ > /dev/null || ! command -v qemu-aarch64 > /dev/null; then
  echo "run_aarch64_tests: aarch64-linux-gnu-g++ or qemu-aarch64 missing (tools/install_deps.sh)" >&2
  exit 1
fi
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build-aarch64 -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake \
  -DESPNET_BUILD_BENCHMARKS=OFF -DESPNET_BUILD_PYTHON=OFF "${launcher[@]}"
kernel_tests=(test_conv_kernels test_pointwise_rows test_eesp_spatial test_elementwise_kernels
              test_pool_kernels test_reduce_kernels test_kernel_dispatch test_quantizer
              test_precision_session test_model_file test_int8_kernels)
cmake --build build-aarch64 -j"$(nproc)" --target espnet_cli test_reference_cases "${kernel_tests[@]}"
# Under qemu the conv kernel sweeps run every 4th case (ESPNET_TEST_SAMPLE; the full sweeps of the
# same kernel bodies run natively on x86): the unsampled NEON sweeps had not finished after 10
# minutes. Measured on 2 shared cores: 23.5 min in all (cross build with a warm ccache 0.5 min,
# kernel tests ~5 min, reference cases ~17 min: the portable level is the slower half).
export ESPNET_TEST_SAMPLE="${ESPNET_TEST_SAMPLE:-4}"
# The kernel tests' suites (the parameterised ones instantiate the scalar and the NEON level),
# then every reference case at one thread with NEON forced (prefixes from tests/CMakeLists.txt).
# The same cases on the portable level take another ~10 minutes under qemu: CI leaves them out
# (the portable kernels' bodies are the ones x86 runs natively with ESPNET_ISA=scalar);
# ESPNET_AARCH64_PORTABLE_CASES=1 adds them.
# int8 on ARM: the quantizer, the quantized model file (format version 3), the dot-product
# kernels (sdot; qemu's default CPU has it) bit for bit against their references, and int8
# sessions on them (and on fp32 kernels over the dequantized weights at the portable level).
suites="AllIsas/|Isas/|IsaSelection\\.|ConvOps\\.|PackPointwiseRows\\.|ArgmaxChannels\\.|GlobalAvgPool\\."
suites+="|AffineFromRange\\.|ChooseMseRange\\.|Int8Layer\\.|BiasCorrection\\.|QuantText\\.|Int8Arrays\\.|ModelFile\\."
suites+="|PrecisionSession\\.(Int8|Quantized)|Int8KernelTest\\.|Int8Quantizer\\."
# Two int8 reference cases end to end against PyTorch (calibrating a bigger network under qemu
# takes minutes): the 161x97 one has planes that are not a multiple of the kernels' tiles.
suites+="|AllCases/Int8ReferenceCase\\..*/cls_s0_5_(224x224|161x97)"
cases="neon_1t/"
[ "${ESPNET_AARCH64_PORTABLE_CASES:-0}" = 1 ] && cases="neon_1t/|scalar_1t/"
ctest --test-dir build-aarch64 --output-on-failure -j"$(nproc)" -R "^(${suites}|${cases})"
echo "run_aarch64_tests: $(( $(date +%s) - start )) s"
