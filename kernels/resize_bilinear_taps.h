// The horizontal taps every build of kernels/resize_bilinear_impl.inc shares: its `Resample`
// (defined by each ISA's file before it includes the body) reads them. Internal linkage, as
// everything else in those files: each copy belongs to one ISA's translation unit.
#pragma once

namespace espnet {
namespace {

constexpr int kColumns = 512;  // output columns per chunk (taps and rows on the stack)

struct Taps {
  alignas(64) int i0[kColumns];
  alignas(64) int i1[kColumns];
  alignas(64) float w1[kColumns];  // weight of i1; i0 gets 1 - w1
};

}  // namespace
}  // namespace espnet
