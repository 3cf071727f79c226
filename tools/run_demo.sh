#!/usr/bin/env bash
# Fresh machine to the main job: install dependencies, build (Release), then segment a photo with
# the official PASCAL VOC ESPNetv2 (s=2.0) weights and write the label map and the overlay.
#
#   bash tools/run_demo.sh [IMAGE] [WEIGHTS.pth]
#
# Weights: ../shared/espnetv2-ref/checkpoints/espnetv2_s_2.0_pascal_384x384.pth when that exists,
# else WEIGHTS or $ESPNET_WEIGHTS (the official files are published in the EdgeNets model zoo,
# model/segmentation/model_zoo/espnetv2/ in github.com/sacmehta/EdgeNets).
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${ESPNET_REF_DIR:-../shared/espnetv2-ref}"
image="${1:-$ref/images/sample11.jpg}"
weights="${2:-${ESPNET_WEIGHTS:-$ref/checkpoints/espnetv2_s_2.0_pascal_384x384.pth}}"
if [ ! -f "$weights" ]; then
  echo "run_demo: no weights at '$weights'." >&2
  echo "  Download espnetv2_s_2.0_pascal_384x384.pth from the EdgeNets model zoo and run" >&2
  echo "  bash tools/run_demo.sh IMAGE path/to/espnetv2_s_2.0_pascal_384x384.pth" >&2
  exit 1
fi
if [ ! -f "$image" ]; then
  echo "run_demo: no image at '$image'; pass one: bash tools/run_demo.sh IMAGE" >&2
  exit 1
fi
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target espnet_cli
mkdir -p out
./build/espnet segment "$weights" "$image" -o out --verbose
echo "run_demo: the overlay is in out/$(basename "${image%.*}")_overlay.png"
