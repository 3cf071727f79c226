# Per-file instruction-set flags for the x86 kernels (never a host-specific -march: the library must run
# on any x86-64; kernels/dispatch.cpp picks a level the CPU supports at run time).
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  file(GLOB ESPNET_AVX2_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86/*_avx2.cpp)
  file(GLOB ESPNET_AVX512_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86/*_avx512.cpp)
  set_source_files_properties(${ESPNET_AVX2_SOURCES} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties(${ESPNET_AVX512_SOURCES} PROPERTIES
    COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx2;-mfma;-mprefer-vector-width=512")
endif()

# The portable kernels: -fno-trapping-math lets GCC evaluate both sides of a select such as
# PReLU's `x < 0 ? a * x : x` and vectorise it; with the default it branches on every element's
# sign (mispredicting half the time, 40x slower). The kernels never rely on floating-point traps.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  file(GLOB ESPNET_PORTABLE_KERNEL_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/scalar/*.cpp
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/reference/*.cpp)
  set_source_files_properties(${ESPNET_PORTABLE_KERNEL_SOURCES} PROPERTIES
    COMPILE_OPTIONS "-fno-trapping-math")
endif()

# bf16 kernels (vcvtne2ps2bf16, vdpbf16ps): AVX-512 plus AVX512_BF16; run only where
# kernels/bf16_dispatch.cpp finds the extension.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  file(GLOB ESPNET_AVX512BF16_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86/*_avx512bf16.cpp)
  set_source_files_properties(${ESPNET_AVX512BF16_SOURCES} PROPERTIES COMPILE_OPTIONS
    "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512bf16;-mavx2;-mfma;-mprefer-vector-width=512")
endif()

# int8 kernels (vpdpbusd): AVX-512 plus AVX512_VNNI, or AVX2 plus AVX-VNNI; run only where
# kernels/int8_dispatch.cpp finds the extension.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  file(GLOB ESPNET_AVX512VNNI_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86/*_avx512vnni.cpp)
  set_source_files_properties(${ESPNET_AVX512VNNI_SOURCES} PROPERTIES COMPILE_OPTIONS
    "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512vnni;-mavx2;-mfma;-mprefer-vector-width=512")
  # The 256-bit AVX-VNNI kernel (CPUs with AVX-VNNI but not AVX-512 VNNI, and ESPNET_ISA=avx2).
  file(GLOB ESPNET_AVXVNNI_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86/*_avxvnni.cpp)
  set_source_files_properties(${ESPNET_AVXVNNI_SOURCES} PROPERTIES COMPILE_OPTIONS
    "-mavx2;-mfma;-mavxvnni")
endif()

# The ARMv8.2 dot-product int8 kernel (sdot): optional in ARMv8.2, so only this file gets
# +dotprod; kernels/int8_dispatch.cpp runs it only where HWCAP_ASIMDDP says the CPU has it.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64|ARM64")
  file(GLOB ESPNET_NEONDOT_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/arm/*_neondot.cpp)
  set_source_files_properties(${ESPNET_NEONDOT_SOURCES} PROPERTIES COMPILE_OPTIONS
    "-march=armv8.2-a+dotprod")
endif()

# The int8 fallback's input step is plain C++ left to the compiler's vectoriser in every ISA's
# build; like the portable kernels above it needs -fno-trapping-math, without which GCC keeps the
# guard's compares as branches and does not vectorise the loop at all (the AVX2 build ran scalar).
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  file(GLOB ESPNET_VECTORISED_PLAIN_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/kernels/x86/unpacked_u8_codes_*.cpp)
  set_property(SOURCE ${ESPNET_VECTORISED_PLAIN_SOURCES} APPEND PROPERTY COMPILE_OPTIONS
    "-fno-trapping-math")
endif()
