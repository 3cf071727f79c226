// espnet run MODEL INPUT.npy OUTDIR: the parity contract. Runs the network on a float32 NCHW
// .npy and writes one float32 .npy per network output (logits.npy; output.npy;
// confidences.npy and locations.npy).
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "file_util.h"

namespace espnet::cli {

int run_run(const Words& words) {
  const std::vector<OptionSpec> specs = {input_size_option(), threads_option(), precision_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text("run", "MODEL INPUT.npy OUTDIR",
                   "Runs the network on INPUT.npy (float32 [N, 3, H, W], already normalised) and\n"
                   "writes each output into OUTDIR as float32 .npy: logits.npy [N, classes]\n"
                   "(classification), output.npy [N, classes, H, W] (segmentation),\n"
                   "confidences.npy [N, P, C] and locations.npy [N, P, 4] (detection).",
                   specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() != 3) throw UsageError("expected MODEL, INPUT.npy and OUTDIR");
  const int threads = apply_threads(args);
  const SessionOptions session_opts = session_options(args, threads);
  const LoadOptions options = load_options(args);
  const std::string& model_path = args.positional()[0];
  const std::string& input_path = args.positional()[1];
  const std::string& out_dir = args.positional()[2];
  if (!is_directory(out_dir)) throw Error("output directory '" + out_dir + "' does not exist");
  NpyArray array = read_npy(input_path);
  if (array.type != NpyType::kFloat32)
    throw Error(input_path + ": expected a float32 array, got another dtype");
  Tensor input = array.to_tensor();
  array = NpyArray();
  auto model = load_model(model_path, options);
  Session session(model, session_opts);
  std::vector<NamedTensor> outputs = session.run(input);
  for (const NamedTensor& out : outputs) {
    std::string path = join_path(out_dir, out.name + ".npy");
    check_output_path(path, {model_path, input_path});
    write_npy(path, out.value);
    std::printf("%s %s\n", path.c_str(), shape_to_string(out.value.shape()).c_str());
  }
  return 0;
}

}  // namespace espnet::cli
