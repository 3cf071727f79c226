#!/usr/bin/env bash
# Times espnet and ONNX Runtime 1.30 side by side on the same networks (the ONNX files of
# ../shared/peers, exported from the official code with the same weights), alternating fresh
# processes over several rounds, and prints the README's performance table (medians).
#
# usage: tools/compare_onnxruntime.sh [--rounds R] [--runs N] [--threads "1 2"] [--only TEXT]
#                                     [--readme README.md]
#   --readme FILE rewrites the table between FILE's performance-table markers.
# Environment: ESPNET_BUILD (default build/), ESPNET_REF_DIR (../shared/espnetv2-ref),
# ESPNET_PEERS_DIR (../shared/peers), ORT_NODE_MODULES (a node_modules folder holding
# onnxruntime-node; default: installed once from the npm registry into a scratch folder,
# ${XDG_CACHE_HOME:-~/.cache}/espnet-onnxruntime, as ../shared/peers/README.md describes).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${ESPNET_BUILD:-$here/build}"
ref="${ESPNET_REF_DIR:-$here/../shared/espnetv2-ref}"
peers="${ESPNET_PEERS_DIR:-$here/../shared/peers}"
espnet="$build/espnet"

command -v node >/dev/null || { echo "compare_onnxruntime: needs node (Debian: nodejs)" >&2; exit 1; }
[ -x "$espnet" ] || { echo "compare_onnxruntime: no $espnet; build it first" >&2; exit 1; }
[ -f "$peers/ort_time.js" ] || { echo "compare_onnxruntime: no $peers/ort_time.js" >&2; exit 1; }

modules="${ORT_NODE_MODULES:-}"
if [ -z "$modules" ]; then
  scratch="${XDG_CACHE_HOME:-$HOME/.cache}/espnet-onnxruntime"
  modules="$scratch/node_modules"
  if [ ! -d "$modules/onnxruntime-node" ]; then
    command -v npm >/dev/null || { echo "compare_onnxruntime: needs npm to fetch onnxruntime-node" >&2; exit 1; }
    mkdir -p "$scratch"
    echo "compare_onnxruntime: installing onnxruntime-node@1.30.0 into $scratch" >&2
    # --ignore-scripts: the package carries its CPU binaries; its postinstall step only
    # downloads optional GPU providers.
    (cd "$scratch" && npm install --silent --ignore-scripts onnxruntime-node@1.30.0 >&2)
  fi
fi
[ -d "$modules/onnxruntime-node" ] || { echo "compare_onnxruntime: no onnxruntime-node in $modules" >&2; exit 1; }

NODE_PATH="$modules" exec node "$here/tools/compare_onnxruntime.js" "$espnet" "$peers" "$ref" "$@"
