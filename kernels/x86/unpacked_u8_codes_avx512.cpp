// unpacked_u8_codes_avx512: the AVX-512 build of kernels/unpacked_u8_codes_impl.inc (16 lanes).
#define ESPNET_UNPACKED_CODES_NAME unpacked_u8_codes_avx512
#include "kernels/unpacked_u8_codes_impl.inc"
