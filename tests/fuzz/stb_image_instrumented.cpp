// The fuzz build's own, instrumented copy of stb_image (see CMakeLists.txt in this folder).
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
