// unpacked_u8_codes_scalar: the portable build of kernels/unpacked_u8_codes_impl.inc (vectorised
// by the compiler for the baseline ISA: SSE2 on x86-64, Advanced SIMD on AArch64).
#define ESPNET_UNPACKED_CODES_NAME unpacked_u8_codes_scalar
#include "kernels/unpacked_u8_codes_impl.inc"
