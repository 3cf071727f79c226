// The portable build of the fused EESP spatial kernel: a "vector" of 4 plain floats, which the
// compiler may map onto whatever the baseline target has.
#include "kernels/eesp_spatial.h"

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 4;
  static constexpr int kBlockVecs = 2;
  struct Reg {
    float v[kWidth];
  };
  static Reg zero() { return Reg{}; }
  static Reg set1(float x) { return Reg{{x, x, x, x}}; }
  static Reg load(const float* p) { return Reg{{p[0], p[1], p[2], p[3]}}; }
  static Reg add(Reg a, Reg b) {
    for (int i = 0; i < kWidth; ++i) a.v[i] += b.v[i];
    return a;
  }
  static Reg fmadd(Reg a, Reg b, Reg c) {
    for (int i = 0; i < kWidth; ++i) c.v[i] += a.v[i] * b.v[i];
    return c;
  }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    for (int i = 0; i < kWidth; ++i) {
      const float y = x.v[i] * scale.v[i] + shift.v[i];
      x.v[i] = y < 0.0f ? y * slope.v[i] : y;
    }
    return x;
  }
  static void store(float* p, Reg x, int count) {
    for (int i = 0; i < count; ++i) p[i] = x.v[i];
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_scalar
#include "kernels/eesp_spatial_impl.inc"
