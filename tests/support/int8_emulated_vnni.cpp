// See int8_emulated_vnni.h. Compiled with -mavx2 -mfma on x86-64 (tests/CMakeLists.txt); empty
// elsewhere.
#include "int8_emulated_vnni.h"

#include "kernels/dispatch.h"
#include "kernels/isa_config.h"

#if ESPNET_X86_KERNELS
#include "kernels/x86/simd_avx2.h"
#include "kernels/x86/simd_avx2_int8.h"

namespace espnet {
namespace {

struct Int8Vec : Avx2Int8Layer {
  static constexpr int kTileRows = 6;
  // vpdpbusd without VNNI, exact: each lane's bytes 0 and 2 (then 1 and 3) widened to int16,
  // unsigned for the activations and signed for the weights; vpmaddwd multiplies the int16 pairs
  // and adds each pair into an int32 lane (|u * w| <= 255 * 128: no overflow), and the two
  // partial sums and the accumulator add with the wrap-around of vpdpbusd.
  static IReg dpbusd(IReg acc, IReg u8_quads, IReg s8_quads) {
    const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
    const __m256i u_even = _mm256_and_si256(u8_quads, low_bytes);
    const __m256i u_odd = _mm256_srli_epi16(u8_quads, 8);
    const __m256i s_even = _mm256_srai_epi16(_mm256_slli_epi16(s8_quads, 8), 8);
    const __m256i s_odd = _mm256_srai_epi16(s8_quads, 8);
    return _mm256_add_epi32(
        acc, _mm256_add_epi32(_mm256_madd_epi16(u_even, s_even), _mm256_madd_epi16(u_odd, s_odd)));
  }
};

}  // namespace

void gconv1x1_u8s8_avx2_emulated_vnni(const uint32_t* input, int batch, int quads_per_group,
                                      int out_channels, int groups, int64_t plane,
                                      const uint32_t* weight, const int32_t* compensation,
                                      const float* scale, const float* bias, const float* slopes,
                                      const float* addend, float* output);

}  // namespace espnet

#define ESPNET_GCONV1X1_U8S8_KERNEL_NAME gconv1x1_u8s8_avx2_emulated_vnni
#include "kernels/gconv1x1_u8s8_impl.inc"
#endif

namespace espnet::test {

std::vector<const Int8Kernels*> emulated_vnni_kernel_sets() {
  std::vector<const Int8Kernels*> sets;
#if ESPNET_X86_KERNELS
  static const Int8Kernels kAvx2 = {pack_u8_quads_avx2, gconv1x1_u8s8_avx2_emulated_vnni,
                                    "pack_u8_quads_avx2", "gconv1x1_u8s8_avx2_emulated_vnni"};
  static const Int8Kernels kAvx512 = {pack_u8_quads_avx512, gconv1x1_u8s8_avx2_emulated_vnni,
                                      "pack_u8_quads_avx512", "gconv1x1_u8s8_avx2_emulated_vnni"};
  if (isa_supported(Isa::kAvx2)) sets.push_back(&kAvx2);
  if (isa_supported(Isa::kAvx512)) sets.push_back(&kAvx512);
#endif
  return sets;
}

}  // namespace espnet::test
