# Cross-compiles for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu against the arm64
# multiarch libraries (libstb-dev:arm64, libgtest-dev:arm64, libbenchmark-dev:arm64, libgomp1:arm64;
# Eigen is header-only and architecture-independent). tools/install_deps.sh installs them.
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake
#
# Test and benchmark executables then run through qemu-aarch64 on the multiarch runtime
# (-L /: the arm64 loader and libraries under /lib/aarch64-linux-gnu), which ctest uses via
# CMAKE_CROSSCOMPILING_EMULATOR. Not the cross toolchain's own sysroot /usr/aarch64-linux-gnu:
# its loader with the multiarch libc hangs every multi-threaded program at its first thread.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Libraries and CMake packages from the arm64 multiarch directories (/usr/lib/aarch64-linux-gnu),
# headers from /usr/include (stb, gtest, benchmark and Eigen are the same headers for every
# architecture); programs (qemu, ctest helpers) from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

find_program(ESPNET_QEMU_AARCH64 qemu-aarch64)
if(ESPNET_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${ESPNET_QEMU_AARCH64};-L;/" CACHE STRING
      "Runs aarch64 test executables on this host")
endif()
