// The portable build of the fused EESP spatial kernel (baseline x86-64 / any CPU).
#include "kernels/eesp_spatial.h"

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_scalar
#define ESPNET_EESP_LANES 4
#include "kernels/eesp_spatial_impl.inc"
