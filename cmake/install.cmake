# `cmake --install`: headers, the library, the espnet CLI, a CMake package (find_package(espnet
# CONFIG) -> espnet::espnet) and a pkg-config file (espnet.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ESPNET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/espnet)

install(TARGETS espnet EXPORT espnetTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/espnet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS espnet_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(EXPORT espnetTargets NAMESPACE espnet:: DESTINATION ${ESPNET_CMAKE_DIR})
configure_package_config_file(cmake/espnetConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/espnetConfig.cmake INSTALL_DESTINATION ${ESPNET_CMAKE_DIR})
# 0.x: a new minor version may break the API.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/espnetConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/espnetConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/espnetConfigVersion.cmake DESTINATION ${ESPNET_CMAKE_DIR})

# pkg-config: the prefix is found from the .pc file's own place, so `cmake --install --prefix`
# anywhere gives a working file. A static library needs its dependencies on the consumer's link
# line (OpenMP's runtime, stb, libpng, zlib, and the C++ runtime for C programs).
file(RELATIVE_PATH ESPNET_PC_PREFIX_FROM_PCFILEDIR
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
set(ESPNET_PC_DEPENDENCIES -lstb -lpng16 -lz)
foreach(lib ${OpenMP_CXX_LIB_NAMES})
  list(APPEND ESPNET_PC_DEPENDENCIES -l${lib})
endforeach()
foreach(lib ${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})
  if(NOT lib IN_LIST CMAKE_C_IMPLICIT_LINK_LIBRARIES)
    list(APPEND ESPNET_PC_DEPENDENCIES -l${lib})
  endif()
endforeach()
list(REMOVE_DUPLICATES ESPNET_PC_DEPENDENCIES)
list(JOIN ESPNET_PC_DEPENDENCIES " " ESPNET_PC_DEPENDENCIES)
if(BUILD_SHARED_LIBS)
  set(ESPNET_PC_LIBS "")
  set(ESPNET_PC_LIBS_PRIVATE "${ESPNET_PC_DEPENDENCIES}")
else()
  set(ESPNET_PC_LIBS "${ESPNET_PC_DEPENDENCIES}")
  set(ESPNET_PC_LIBS_PRIVATE "")
endif()
configure_file(cmake/espnet.pc.in ${CMAKE_CURRENT_BINARY_DIR}/espnet.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/espnet.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
