#include "kernels/dispatch_info.h"

namespace espnet {

const char* active_isa_name() { return "scalar"; }

}  // namespace espnet
