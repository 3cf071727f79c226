// AVX2+FMA build of the fused EESP spatial kernel: 16-float lane blocks (two ymm registers).
#include "kernels/eesp_spatial.h"

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_avx2
#define ESPNET_EESP_LANES 16
#include "kernels/eesp_spatial_impl.inc"
