#!/usr/bin/env bash
# Fills BUILD_DIR/fuzz-corpus/<target>/ with seeds: small files from the reference data (whole,
# or cut to a prefix when they are megabytes) and the small valid files make_fuzz_seeds writes.
# Nothing is written into the repository.
# usage: tests/fuzz/make_corpus.sh BUILD_DIR [REF_DIR]
set -euo pipefail
build=${1:?usage: make_corpus.sh BUILD_DIR [REF_DIR]}
ref=${2:-${ESPNET_REF_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/espnetv2-ref}}
corpus="$build/fuzz-corpus"
[ -d "$ref/checkpoints" ] || { echo "make_corpus: no reference data at $ref" >&2; exit 1; }
rm -rf "$corpus"
mkdir -p "$corpus"/{pth,model_file,npy,image}

# .pth: the small legacy checkpoints whole, prefixes of the big ones (pickle and zip headers).
for f in espnetv2_s_0.5_pascal_384x384 espnetv2orig_seg_city_s0.5; do
  cp "$ref/checkpoints/$f.pth" "$corpus/pth/$f.pth"
done
for f in cls_s0.5_random_legacy cls_s1.0_random det_ssd300_coco_s2.0_random; do
  for n in 4096 65536; do head -c $n "$ref/checkpoints/$f.pth" > "$corpus/pth/$f.head$n"; done
done
# .npy: small reference arrays of each dtype.
cp "$ref/cases/seg_pascal_s0.5_64x48/labels.npy" "$corpus/npy/labels_u1.npy"
cp "$ref/cases/cls_s0.5_224x224/logits.npy" "$corpus/npy/logits_f4.npy"
cp "$ref/cases/det_ssd300_coco_s2.0/det_labels.npy" "$corpus/npy/det_labels_i4.npy"
head -c 4096 "$ref/cases/seg_pascal_s0.5_64x48/input.npy" > "$corpus/npy/input_head.npy"
# Images: the smallest photo and the reference PNGs (palette and grey).
cp "$ref/images/sample8.jpg" "$corpus/image/"
cp "$ref/images/sample8/labels.png" "$corpus/image/sample8_labels.png"
cp "$ref/images/sample6/labels.png" "$corpus/image/sample6_labels.png"
cp "$ref/images/segorig_sample4/labels.png" "$corpus/image/sample4_labels.png"

"$build/tests/fuzz/make_fuzz_seeds" "$ref" "$corpus"
for d in "$corpus"/*; do echo "make_corpus: $(ls "$d" | wc -l) seeds in $d"; done
