// Which families of hand-written SIMD kernels this build contains. It must agree with the source
// gating in CMakeLists.txt (kernels/x86/ only for x86-64 with GCC or Clang, kernels/arm/ only for
// AArch64 with GCC or Clang); these are the compilers' own predefined macros for the same cases.
// Every other CPU (32-bit ARM, RISC-V, POWER, WebAssembly, ...) has the portable level only.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__)
#define ESPNET_X86_KERNELS 1
#else
#define ESPNET_X86_KERNELS 0
#endif

#if defined(__GNUC__) && defined(__aarch64__)
#define ESPNET_NEON_KERNELS 1
#else
#define ESPNET_NEON_KERNELS 0
#endif
