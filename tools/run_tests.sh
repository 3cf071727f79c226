#!/usr/bin/env bash
# Fresh machine to green tests: install dependencies, build (Release), run every test with ctest,
# then check the installed package (tools/check_install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The installed package: static and shared, examples built with find_package and pkg-config.
bash tools/check_install.sh build
