#!/usr/bin/env bash
# Installs espnet into temporary prefixes, static and shared, and builds the example applications
# of tools/examples against each installation twice: with find_package(espnet CONFIG) and with
# pkg-config. Runs the examples on the reference data when it is there, checks that the shared
# library exports the public API only, that the installed CLI runs, and (static build) that the
# installed espnetv2 Python package imports from the prefix alone and classifies a photo.
#
#   bash tools/check_install.sh [STATIC_BUILD_DIR]
# STATIC_BUILD_DIR: an already built static tree (BUILD_SHARED_LIBS=OFF) to install instead of
# building the static library again (tools/run_tests.sh passes its build/).
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
reuse="${1:-}"
jobs="$(nproc)"
work="$(mktemp -d "${TMPDIR:-/tmp}/espnet-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
ref="${ESPNET_REF_DIR:-}"
if [ -z "$ref" ] && [ -n "$reuse" ]; then  # the reference data the reused build was configured with
  ref="$(sed -n 's/^ESPNET_REF_DIR:PATH=//p' "$reuse/CMakeCache.txt" 2>/dev/null || true)"
fi
ref="${ref:-$src/../shared/espnetv2-ref}"
examples="$src/tools/examples"
start=$SECONDS

step() { printf '\n== check_install: %s (%ds)\n' "$*" $((SECONDS - start)); }

# Runs the four examples built into $1 (with LD_LIBRARY_PATH $2 for a shared library).
run_examples() {
  local bin="$1" libdir="$2"
  if [ ! -f "$ref/manifest.json" ]; then
    echo "reference data not found at $ref: examples built, not run"
    return
  fi
  local out="$work/out-$(basename "$bin")"
  mkdir -p "$out/photos"
  cp "$ref/images/sample8.jpg" "$ref/images/sample11.jpg" "$out/photos/"
  LD_LIBRARY_PATH="$libdir" "$bin/classify" "$ref/checkpoints/cls_s0.5_random_legacy.pth" \
    "$ref/images/sample4.jpg" 3 | grep -q "network"
  LD_LIBRARY_PATH="$libdir" "$bin/c_classify" "$ref/checkpoints/cls_s0.5_random_legacy.pth" \
    "$ref/images/sample4.jpg" | grep -q "0\."
  LD_LIBRARY_PATH="$libdir" "$bin/segment_folder" \
    "$ref/checkpoints/espnetv2_s_0.5_pascal_384x384.pth" "$out/photos" "$out/seg" 2>/dev/null
  test -s "$out/seg/sample8_overlay.png" && test -s "$out/seg/sample11_overlay.png"
  LD_LIBRARY_PATH="$libdir" "$bin/detect" "$ref/checkpoints/det_ssd300_coco_s2.0_random.pth" \
    "$ref/images/sample6.jpg" "$out/detections.png" 0.5 | grep -q "wrote"
  test -s "$out/detections.png"
  echo "examples ran"
}

# The installed Python package ($1: prefix, $2: build tree): imported with the prefix alone on
# PYTHONPATH, from another directory, by the interpreter the module was built for.
check_python_package() {
  local prefix="$1" build="$2" python site
  python="$(sed -n 's/^Python_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")"
  site="$(sed -n 's/^ESPNET_PYTHON_INSTALL_DIR:STRING=//p' "$build/CMakeCache.txt")"
  test -f "$prefix/$site/espnetv2/__init__.py" && test -f "$prefix/$site/espnetv2/_core.pyi"
  test -f "$prefix/$site/espnetv2/py.typed"
  local script='import sys, espnetv2
assert espnetv2.__file__.startswith(sys.argv[1]), espnetv2.__file__
print("espnetv2", espnetv2.__version__, "from", espnetv2.__file__)
if len(sys.argv) > 2:
    session = espnetv2.Session(espnetv2.Model.load(sys.argv[2]))
    top = espnetv2.classify(session, espnetv2.decode_image(sys.argv[3]), top_k=1)
    assert len(top) == 1 and 0 < top[0].probability <= 1, top
    print("classified:", top[0])'
  local args=("$prefix/$site")
  [ -f "$ref/manifest.json" ] &&
    args+=("$ref/checkpoints/cls_s0.5_random_legacy.pth" "$ref/images/sample4.jpg")
  (cd "$work" && PYTHONPATH="$prefix/$site" "$python" -B -c "$script" "${args[@]}")
}

for kind in static shared; do
  prefix="$work/prefix-$kind"
  build="$work/build-$kind"
  if [ "$kind" = static ] && [ -n "$reuse" ] &&
     grep -q '^BUILD_SHARED_LIBS:BOOL=OFF' "$reuse/CMakeCache.txt" 2>/dev/null; then
    step "static: installing the existing build $reuse"
    build="$reuse"
  else
    step "$kind: building the library and the CLI"
    shared=OFF
    [ "$kind" = shared ] && shared=ON
    # The Python module links the static objects whatever BUILD_SHARED_LIBS is: checked once,
    # with the static build (where it is on when pybind11 is found).
    python=()
    [ "$kind" = shared ] && python=(-DESPNET_BUILD_PYTHON=OFF)
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=$shared \
      -DESPNET_BUILD_TESTS=OFF -DESPNET_BUILD_BENCHMARKS=OFF "${python[@]}" \
      > "$work/configure-$kind.log"
  fi
  targets=(espnet espnet_cli)
  with_python=0
  if grep -q '^ESPNET_BUILD_PYTHON:BOOL=ON' "$build/CMakeCache.txt"; then
    targets+=(espnetv2_python)
    with_python=1
  fi
  cmake --build "$build" -j"$jobs" --target "${targets[@]}" > "$work/build-$kind.log"
  cmake --install "$build" --prefix "$prefix" > "$work/install-$kind.log"
  if [ "$with_python" = 1 ]; then
    step "$kind: the installed Python package"
    check_python_package "$prefix" "$build"
  fi
  libdir="$(dirname "$(find "$prefix" -name 'libespnet.*' | head -n 1)")"
  test -f "$prefix/include/espnet/tasks.h" && test -f "$prefix/include/espnet/espnet_c.h"
  test -f "$libdir/cmake/espnet/espnetConfig.cmake"
  test -f "$libdir/cmake/espnet/espnetConfigVersion.cmake"
  test -f "$libdir/pkgconfig/espnet.pc"
  "$prefix/bin/espnet" --help | grep -q "usage: espnet"
  if [ "$kind" = shared ]; then
    so="$libdir/libespnet.so"
    readelf -d "$so" | grep -q "SONAME.*libespnet.so.0" || { echo "no SONAME"; exit 1; }
    symbols="$(nm -D --defined-only "$so" | c++filt)"
    [ -n "${ESPNET_SHOW_SYMBOLS:-}" ] && echo "$symbols"
    grep -q "espnet_model_load" <<< "$symbols"
    grep -q "espnet::classify(" <<< "$symbols"
    if grep -q "preprocess_classification\|ssd_postprocess\|make_ssd_priors" <<< "$symbols"; then
      echo "libespnet.so exports internal symbols"; exit 1
    fi
    echo "libespnet.so: $(wc -l <<< "$symbols") exported symbols, no internal ones"
  fi

  step "$kind: examples with find_package"
  cmake -S "$examples" -B "$work/examples-$kind" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" > "$work/examples-$kind.log"
  cmake --build "$work/examples-$kind" -j"$jobs" >> "$work/examples-$kind.log"
  run_examples "$work/examples-$kind" "$libdir"

  step "$kind: examples with pkg-config"
  bin="$work/pkgconfig-$kind"
  mkdir -p "$bin"
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  for example in classify segment_folder detect; do
    c++ -std=c++17 -O2 "$examples/$example.cpp" -o "$bin/$example" \
      $(pkg-config --cflags --libs espnet)
  done
  cc -std=c99 -O2 "$examples/c_classify.c" -o "$bin/c_classify" \
    $(pkg-config --cflags --libs espnet)
  unset PKG_CONFIG_PATH
  run_examples "$bin" "$libdir"
done
step "passed"
