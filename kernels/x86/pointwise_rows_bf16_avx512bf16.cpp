// AVX-512 BF16 build of the pixel-major point-wise convolution over packed bf16 pairs
// (kernels/bf16_kernels.h): the fp32 body (kernels/pointwise_rows_impl.inc, 8 pixels x 48 output
// channels per register tile) with each "float" a pair word and fmadd = vdpbf16ps. The bias and
// the output rows are fp32.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

// The AVX-512 vector layer with one change: a "multiply-add" of a broadcast activation pair word
// and 16 weight pair words is vdpbf16ps.
struct Vec : Simd {
  static constexpr int kTilePixels = 8;
  static constexpr int kTileVecs = 3;
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_dpbf16_ps(c, (__m512bh)a, (__m512bh)b); }
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_bf16_avx512bf16
#include "kernels/pointwise_rows_impl.inc"
