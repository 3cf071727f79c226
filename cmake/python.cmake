# The `espnetv2` Python package: a pybind11 extension (espnetv2._core) over the same library
# objects, plus the pure-Python part (src/python/espnetv2/). Built for Debian's /usr/bin/python3
# when it exists (Debian's pybind11, numpy and pytest belong to it, while `python3` on PATH may
# be another interpreter, e.g. pyenv's); -DPython_EXECUTABLE=... picks another one.
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH
      "Python interpreter the espnetv2 module is built and tested for")
endif()
find_package(Python 3.8 QUIET COMPONENTS Interpreter Development.Module)
if(Python_FOUND)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
option(ESPNET_BUILD_PYTHON "Build the espnetv2 Python module (needs pybind11; ON when found)"
       ${pybind11_FOUND})
if(NOT ESPNET_BUILD_PYTHON)
  message(STATUS "espnetv2 Python module: off (pybind11 for ${Python_EXECUTABLE} not found)")
  return()
endif()
if(NOT pybind11_FOUND)
  message(FATAL_ERROR "ESPNET_BUILD_PYTHON=ON needs pybind11 (Debian: pybind11-dev)")
endif()
message(STATUS "espnetv2 Python module: for ${Python_EXECUTABLE} (Python ${Python_VERSION})")

# The package in the build tree: PYTHONPATH=<build>/python makes `import espnetv2` work.
set(ESPNET_PYTHON_BUILD_DIR ${CMAKE_CURRENT_BINARY_DIR}/python)
set(ESPNET_PYTHON_PACKAGE_FILES __init__.py _core.pyi py.typed)
foreach(file ${ESPNET_PYTHON_PACKAGE_FILES})
  configure_file(src/python/espnetv2/${file} ${ESPNET_PYTHON_BUILD_DIR}/espnetv2/${file} COPYONLY)
endforeach()

file(GLOB ESPNET_PYTHON_SOURCES CONFIGURE_DEPENDS src/python/*.cpp)
pybind11_add_module(espnetv2_python MODULE ${ESPNET_PYTHON_SOURCES})
set_target_properties(espnetv2_python PROPERTIES OUTPUT_NAME _core
  LIBRARY_OUTPUT_DIRECTORY ${ESPNET_PYTHON_BUILD_DIR}/espnetv2)
target_include_directories(espnetv2_python PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_compile_definitions(espnetv2_python PRIVATE ESPNET_VERSION="${PROJECT_VERSION}")
# The static objects (espnet_core is a static copy in a shared build too): the module is one
# self-contained file, with no libespnet.so to find at import time.
target_link_libraries(espnetv2_python PRIVATE espnet_core)

# `cmake --install`: <prefix>/lib/python3/dist-packages/espnetv2 (Debian's layout; override
# with -DESPNET_PYTHON_INSTALL_DIR=lib/python3.11/site-packages for a venv-style prefix).
set(ESPNET_PYTHON_INSTALL_DIR lib/python3/dist-packages CACHE STRING
    "Where `cmake --install` puts the espnetv2 package, relative to the prefix")
install(TARGETS espnetv2_python LIBRARY DESTINATION ${ESPNET_PYTHON_INSTALL_DIR}/espnetv2)
foreach(file ${ESPNET_PYTHON_PACKAGE_FILES})
  install(FILES src/python/espnetv2/${file} DESTINATION ${ESPNET_PYTHON_INSTALL_DIR}/espnetv2)
endforeach()
