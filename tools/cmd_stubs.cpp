// Subcommands whose pipelines have not landed yet.
#include "commands.h"
#include "espnet/error.h"

namespace espnet::cli {

int run_detect(const Words&) { throw Error("detect: not available yet"); }

}  // namespace espnet::cli
