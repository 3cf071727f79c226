#!/usr/bin/env bash
# Times the README's networks with `espnet bench` on the shared cases' real inputs, at 1 and 2
# threads, and prints one line per model, thread count and precision. For the README table,
# espnet beside ONNX Runtime on the same networks: tools/compare_onnxruntime.sh.
# usage: tools/bench_models.sh [BUILD_DIR] [RUNS]   (ESPNET_REF_DIR overrides the data folder,
# ESPNET_PEERS_DIR the peers folder with the Cityscapes photo input)
# ESPNET_BENCH_PRECISIONS="fp32 bf16" compares precisions side by side: each model is timed
# ESPNET_BENCH_REPEATS times (default 3) per precision, alternating A B A B ..., so load on the
# machine hits both alike; a line gives the median of the repetitions' medians. int8 runs each
# model quantized first (`espnet quantize`, on the photos in ESPNET_CALIB_DIR, by default
# sample8.jpg and sample11.jpg of the shared images; the files go to a temporary folder).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
runs="${2:-50}"
ref="${ESPNET_REF_DIR:-$here/../shared/espnetv2-ref}"
espnet="$build/espnet"
ckpt="$ref/checkpoints"
cases="$ref/cases"
peers="${ESPNET_PEERS_DIR:-$here/../shared/peers}"

# name | checkpoint | input
models=(
  "cls s=0.5 224|$ckpt/cls_s0.5_random_legacy.pth|$cases/cls_s0.5_224x224/input.npy"
  "cls s=1.0 224|$ckpt/cls_s1.0_random.pth|$cases/cls_s1.0_224x224/input.npy"
  "cls s=2.0 224|$ckpt/cls_s2.0_random.pth|$cases/cls_s2.0_224x224/input.npy"
  "PASCAL s=2.0 384|$ckpt/espnetv2_s_2.0_pascal_384x384.pth|$cases/seg_pascal_s2.0_384x384/input.npy"
  "Cityscapes s=1.0 1024x512 (EdgeNets)|$ckpt/espnetv2_s_1.0_city_1024x512.pth|$peers/inputs/seg_city_s1.0_sample4_1024x512.npy"
  "Cityscapes s=1.0 1024x512 (original)|$ckpt/espnetv2orig_seg_city_s1.0.pth|$ref/images/segorig_sample4/input.npy"
  "SSD300 s=2.0|$ckpt/det_ssd300_coco_s2.0_random.pth|$cases/det_ssd300_coco_s2.0/input.npy"
)

precisions=(${ESPNET_BENCH_PRECISIONS:-fp32})

# int8 needs calibrated model files.
declare -A quantized=()
if [[ " ${precisions[*]} " == *" int8 "* ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  calib="${ESPNET_CALIB_DIR:-}"
  if [ -z "$calib" ]; then
    calib="$work/calibration"
    mkdir -p "$calib"
    cp "$ref/images/sample8.jpg" "$ref/images/sample11.jpg" "$calib/"
  fi
  for entry in "${models[@]}"; do
    IFS='|' read -r name model input <<<"$entry"
    out="$work/$(basename "$model" .pth)_int8.espnet"
    if [ ! -f "$out" ]; then
      "$espnet" quantize "$model" "$calib" "$out" | tail -1 >&2
    fi
    quantized[$model]="$out"
  done
fi
repeats="${ESPNET_BENCH_REPEATS:-1}"
[ "${#precisions[@]}" -gt 1 ] && repeats="${ESPNET_BENCH_REPEATS:-3}"

for threads in ${ESPNET_BENCH_THREADS:-1 2}; do
  for entry in "${models[@]}"; do
    IFS='|' read -r name model input <<<"$entry"
    declare -A medians=() mins=()
    for ((r = 0; r < repeats; r++)); do
      for precision in "${precisions[@]}"; do
        file="$model"
        [ "$precision" = int8 ] && file="${quantized[$model]}"
        json="$("$espnet" bench "$file" --input "$input" --threads "$threads" --warmup 10 \
          --runs "$runs" --precision "$precision" --json)"
        medians[$precision]+="$(sed -n 's/.*"median_ms": \([0-9.]*\).*/\1/p' <<<"$json") "
        mins[$precision]+="$(sed -n 's/.*"min_ms": \([0-9.]*\).*/\1/p' <<<"$json") "
        isa="$(sed -n 's/.*"isa": "\([a-z0-9]*\)".*/\1/p' <<<"$json")"
      done
    done
    for precision in "${precisions[@]}"; do
      median="$(tr ' ' '\n' <<<"${medians[$precision]}" | sed '/^$/d' | sort -g |
        awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
      min="$(tr ' ' '\n' <<<"${mins[$precision]}" | sed '/^$/d' | sort -g | head -1)"
      printf '%-38s threads=%s isa=%-6s %-5s median %8s ms  min %8s\n' \
        "$name" "$threads" "$isa" "$precision" "$median" "$min"
    done
    unset medians mins
  done
done
