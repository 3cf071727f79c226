// AVX-512 build of the fused EESP spatial kernel: 32-float lane blocks (two zmm registers).
#include "kernels/eesp_spatial.h"

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_avx512
#define ESPNET_EESP_LANES 32
#include "kernels/eesp_spatial_impl.inc"
