// unpacked_u8_codes_avx2: the AVX2 build of kernels/unpacked_u8_codes_impl.inc (8 lanes).
#define ESPNET_UNPACKED_CODES_NAME unpacked_u8_codes_avx2
#include "kernels/unpacked_u8_codes_impl.inc"
