#!/usr/bin/env bash
# Installs the build dependencies from Debian packages (needs root or sudo).
# ESPNET_CROSS_AARCH64=0 skips the aarch64 cross-build packages (see below).
set -euo pipefail
packages=(build-essential cmake libeigen3-dev libgtest-dev libbenchmark-dev libstb-dev libomp-dev pkgconf
  libpng-dev zlib1g-dev)
# The espnetv2 Python module (pybind11) for Debian's python3, and its tests (numpy, pytest).
packages+=(pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pytest)
# Only for the reliability checks in tools/run_tests.sh: libFuzzer (tests/fuzz) and the
# ThreadSanitizer run need clang and its sanitizer runtimes (libomp-dev brings libarcher).
packages+=(clang libclang-rt-14-dev)
# The aarch64 cross build and its tests under qemu (tools/run_aarch64_tests.sh): Debian's cross
# compiler and qemu-user, plus the arm64 multiarch libraries the tests link and run against.
# The tests run on the multiarch runtime (qemu-aarch64 -L /), not on the cross toolchain's own
# /usr/aarch64-linux-gnu, whose loader hangs multi-threaded programs with the multiarch libc.
cross=0
if [ "${ESPNET_CROSS_AARCH64:-1}" = 1 ] && [ "$(dpkg --print-architecture)" != arm64 ]; then
  cross=1
  packages+=(g++-aarch64-linux-gnu qemu-user libc6:arm64 libstdc++6:arm64 libgomp1:arm64
             libstb-dev:arm64 libgtest-dev:arm64 libbenchmark-dev:arm64 libpng-dev:arm64
             zlib1g-dev:arm64)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Only arm64 is added as a foreign architecture (any other one breaks apt-get update here).
if [ "$cross" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
