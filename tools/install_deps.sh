#!/usr/bin/env bash
# Installs the build dependencies from Debian packages (needs root or sudo).
set -euo pipefail
packages=(build-essential cmake libeigen3-dev libgtest-dev libbenchmark-dev libstb-dev libomp-dev pkgconf)
# The espnetv2 Python module (pybind11) for Debian's python3, and its tests (numpy, pytest).
packages+=(pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pytest)
# Only for the reliability checks in tools/run_tests.sh: libFuzzer (tests/fuzz) and the
# ThreadSanitizer run need clang and its sanitizer runtimes (libomp-dev brings libarcher).
packages+=(clang libclang-rt-14-dev)
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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
