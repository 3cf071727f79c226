// Pieces shared by the subcommands: thread setup, model loading with a default input size,
// JSON string escaping, output-path safety.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli_args.h"
#include "espnet/model.h"
#include "espnet/session.h"

namespace espnet::cli {

/// Applies --threads (0 or absent: OpenMP's default) and returns the thread count in effect.
int apply_threads(const Args& args);

/// "--precision fp32|bf16|int8" (every subcommand that runs a network).
OptionSpec precision_option();

/// SessionOptions from the command line: `threads` and --precision (fp32 when absent; another
/// name is a UsageError, reported before the model is read). Whether this CPU can run it is
/// checked when the Session is created.
SessionOptions session_options(const Args& args, int threads);

/// "--input-size 300|512": the SSD input size for a detection checkpoint whose file name does not
/// say (accepted by every subcommand that loads a model).
OptionSpec input_size_option();

/// LoadOptions from the command line (--input-size); a value other than 300 or 512 is a
/// UsageError, so it is reported before the model is read.
LoadOptions load_options(const Args& args);

/// Model::load, or for "random:KIND:S" a network with made-up weights (benchmarks and sizes of
/// configurations without published weights). KIND: imagenet, pascal, city, orig-city,
/// ssd300-coco, ssd300-voc, ssd512-coco, ssd512-voc; S: 0.5, 1.0, 1.25, 1.5 or 2.0.
std::shared_ptr<const Model> load_model(const std::string& spec, const LoadOptions& options);

/// The input size `info`/`bench` use when none is given: the size the weights were trained or
/// published at (224 for classification, 384x384 PASCAL, 1024x512 Cityscapes, 300/512 SSD).
void default_input_size(const ModelInfo& info, int* width, int* height);

/// "s=1.25" style number: shortest decimal that round-trips.
std::string format_number(double v);

/// Quotes and escapes for JSON.
std::string json_string(const std::string& s);

/// Refuses to write over any of the inputs and into a missing directory.
void check_output_path(const std::string& output, const std::vector<std::string>& inputs);

/// The inputs of a run as file identities (device, inode), taken once: checking an output
/// against them costs one stat, not one per input (a folder run of n photos would make n^2).
class InputFiles {
 public:
  explicit InputFiles(const std::vector<std::string>& inputs);
  /// As check_output_path(output, inputs).
  void check_output_path(const std::string& output) const;

 private:
  std::map<std::pair<uint64_t, uint64_t>, std::string> identities_;
};

/// path + "/" + name, without doubling the slash.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace espnet::cli
