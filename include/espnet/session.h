// Running a loaded model. A Session is cheap; make one per thread. run() is not re-entrant on
// one Session, but any number of Sessions may run one Model concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "espnet/model.h"
#include "espnet/tensor.h"

namespace espnet {

struct SessionOptions {
  /// OpenMP threads for this session's runs; 0 keeps the OpenMP default.
  int threads = 0;
};

/// One named network output ("logits" [N, classes]; "output" [N, classes, H, W];
/// "confidences" [N, P, C] and "locations" [N, P, 4]).
struct NamedTensor {
  std::string name;
  Tensor value;
};

class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, SessionOptions options = {});

  /// Runs the network on a float32 NCHW input (already normalised).
  std::vector<NamedTensor> run(const Tensor& input);

  /// Called with every named intermediate during the next runs (upstream module paths, e.g.
  /// "level4.0.proj_1x1"); for debugging and parity tests. Pass {} to stop.
  void set_trace(std::function<void(const std::string&, const Tensor&)> trace);

  const Model& model() const { return *model_; }

 private:
  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::function<void(const std::string&, const Tensor&)> trace_;
};

}  // namespace espnet
