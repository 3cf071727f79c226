#include "kernels/dispatch.h"
#include "kernels/eesp_spatial.h"

namespace espnet {

EespSpatialFn eesp_spatial_kernel() {
  switch (active_isa()) {
    case Isa::kAvx512:
      return eesp_dw_hff_f32_avx512;
    case Isa::kAvx2:
      return eesp_dw_hff_f32_avx2;
    case Isa::kScalar:
      break;
  }
  return eesp_dw_hff_f32_scalar;
}

const char* eesp_spatial_kernel_name() {
  switch (active_isa()) {
    case Isa::kAvx512:
      return "eesp_dw_hff_f32_avx512";
    case Isa::kAvx2:
      return "eesp_dw_hff_f32_avx2";
    case Isa::kScalar:
      break;
  }
  return "eesp_dw_hff_f32_scalar";
}

}  // namespace espnet
