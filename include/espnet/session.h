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

namespace detail {
class TensorPool;
}

class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Runs the network on a float32 NCHW input (already normalised). The outputs belong to the
  /// session and stay valid until its next run; activations come from the session's own pool,
  /// so once a shape has run, running it again allocates nothing on the heap.
  const std::vector<NamedTensor>& run(const Tensor& input);

  /// Bytes of activation memory the session holds.
  size_t activation_bytes() const;

  /// Called with every named intermediate during the next runs (upstream module paths, e.g.
  /// "level4.0.proj_1x1"); for debugging and parity tests. Pass {} to stop.
  void set_trace(std::function<void(const std::string&, const Tensor&)> trace);

  const Model& model() const { return *model_; }

 private:
  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::unique_ptr<detail::TensorPool> pool_;  // declared before outputs_: outlives them
  std::vector<NamedTensor> outputs_;
  std::function<void(const std::string&, const Tensor&)> trace_;
};

}  // namespace espnet
