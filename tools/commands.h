// The espnet subcommands. Each takes the words after its name and returns the exit status;
// errors are thrown (espnet::Error -> status 1, cli::UsageError -> status 2).
#pragma once

#include <string>
#include <vector>

namespace espnet::cli {

using Words = std::vector<std::string>;

int run_convert(const Words& args);
int run_info(const Words& args);
int run_run(const Words& args);
int run_classify(const Words& args);
int run_segment(const Words& args);
int run_detect(const Words& args);
int run_bench(const Words& args);
int run_eval(const Words& args);
int run_quantize(const Words& args);

}  // namespace espnet::cli
