// The portable vector layer (kernels/simd_contract.md): a "vector" of 4 plain floats, which the
// compiler may map onto whatever the baseline target has (SSE2 on x86-64, NEON, AltiVec, WASM
// SIMD) or keep scalar. Lets a kernel body (*_impl.inc) build at the portable level; the FMA is
// an ordinary multiply and add (no fused instruction is assumed). Internal linkage.
#pragma once

#include <cstdint>

namespace espnet {
namespace {

struct Simd {
  static constexpr int kWidth = 4;
  static constexpr int kRegisters = 16;
  struct Reg {
    float v[kWidth];
  };
  using Mask = uint32_t;  // lane l on when bit l is set
  struct Index {
    int32_t v[kWidth];
  };

  static Mask mask(int count) {
    return count >= kWidth ? 0xFu : count <= 0 ? 0u : (1u << count) - 1u;
  }
  static Mask mask_bits(uint32_t bits) { return bits & 0xFu; }

  static Reg zero() { return Reg{}; }
  static Reg set1(float x) { return Reg{{x, x, x, x}}; }
  static Reg broadcast(const float* p) { return set1(*p); }
  static Reg load(const float* p) { return Reg{{p[0], p[1], p[2], p[3]}}; }
  static Reg load_masked(const float* p, Mask m) {
    Reg r{};
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) r.v[l] = p[l];
    return r;
  }
  static void store(float* p, Reg x) {
    for (int l = 0; l < kWidth; ++l) p[l] = x.v[l];
  }
  static void store_masked(float* p, Mask m, Reg x) {
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) p[l] = x.v[l];
  }

  static Reg add(Reg a, Reg b) {
    for (int l = 0; l < kWidth; ++l) a.v[l] += b.v[l];
    return a;
  }
  static Reg sub(Reg a, Reg b) {
    for (int l = 0; l < kWidth; ++l) a.v[l] -= b.v[l];
    return a;
  }
  static Reg mul(Reg a, Reg b) {
    for (int l = 0; l < kWidth; ++l) a.v[l] *= b.v[l];
    return a;
  }
  static Reg fmadd(Reg a, Reg b, Reg c) {
    for (int l = 0; l < kWidth; ++l) c.v[l] += a.v[l] * b.v[l];
    return c;
  }
  static Reg prelu(Reg y, Reg slope) {
    for (int l = 0; l < kWidth; ++l) y.v[l] = y.v[l] < 0.0f ? y.v[l] * slope.v[l] : y.v[l];
    return y;
  }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    return prelu(fmadd(x, scale, shift), slope);
  }

  static Reg even(Reg lo, Reg hi) { return Reg{{lo.v[0], lo.v[2], hi.v[0], hi.v[2]}}; }
  static Reg odd(Reg lo, Reg hi) { return Reg{{lo.v[1], lo.v[3], hi.v[1], hi.v[3]}}; }

  static Index load_index(const int32_t* p) { return Index{{p[0], p[1], p[2], p[3]}}; }
  static Reg gather_masked(const float* p, Index i, Mask m) {
    Reg r{};
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) r.v[l] = p[i.v[l]];
    return r;
  }
};

}  // namespace
}  // namespace espnet
