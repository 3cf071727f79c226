// AVX-512 BF16 build of the grouped point-wise convolution over packed bf16 pairs
// (kernels/bf16_kernels.h): the fp32 body (kernels/gconv1x1_impl.inc, 8 output channels x 32
// pixels per register tile) with each "float" a pair word and fmadd = vdpbf16ps, which adds both
// products of a pair to the fp32 accumulator. Loads, masks, the addend and the PReLU epilogue are
// the fp32 ones: a pair word is 32 bits, like a float.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

// The AVX-512 vector layer with one change: a "multiply-add" of a broadcast weight pair word and
// 16 activation pair words is vdpbf16ps (both products of each pair added to the fp32 lane).
struct Vec : Simd {
  static constexpr int kTileRows = 8;
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_dpbf16_ps(c, (__m512bh)a, (__m512bh)b); }
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_bf16_avx512bf16
#include "kernels/gconv1x1_impl.inc"
