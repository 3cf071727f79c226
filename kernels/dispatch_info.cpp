#include "kernels/dispatch_info.h"

#include "kernels/dispatch.h"

namespace espnet {

const char* active_isa_name() {
  return isa_name(active_isa());
}

}  // namespace espnet
