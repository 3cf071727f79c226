// Subcommands whose pipelines have not landed yet.
#include "commands.h"
#include "espnet/error.h"

namespace espnet::cli {

int run_classify(const Words&) { throw Error("classify: not available yet"); }
int run_segment(const Words&) { throw Error("segment: not available yet"); }
int run_detect(const Words&) { throw Error("detect: not available yet"); }

}  // namespace espnet::cli
