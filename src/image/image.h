// The image type is public (espnet/image.h); internal code keeps including this header.
#pragma once

#include "espnet/image.h"
