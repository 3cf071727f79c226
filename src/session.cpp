#include "espnet/session.h"

#include <omp.h>

#include "espnet/error.h"
#include "models/network.h"
#include "tensor_pool.h"

namespace espnet {

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(options), pool_(std::make_unique<detail::TensorPool>()) {
  if (!model_) throw Error("Session: no model");
  if (options_.threads < 0) throw Error("Session: thread count must be >= 0");
}

void Session::set_trace(std::function<void(const std::string&, const Tensor&)> trace) {
  trace_ = std::move(trace);
}

Session::~Session() { outputs_.clear(); }

size_t Session::activation_bytes() const { return pool_->bytes_held(); }

const std::vector<NamedTensor>& Session::run(const Tensor& input) {
  if (input.rank() != 4 || input.dim(1) != 3 || input.dim(0) < 1)
    throw Error("input must be a float32 NCHW tensor [N, 3, H, W], got " +
                shape_to_string(input.shape()));
  if (input.dim(2) > 16384 || input.dim(3) > 16384)
    throw Error("input " + shape_to_string(input.shape()) + " is too large (max 16384 per side)");
  model_->check_input_size(static_cast<int>(input.dim(2)), static_cast<int>(input.dim(3)));
  if (options_.threads > 0) omp_set_num_threads(options_.threads);
  ExecContext ctx(trace_);
  detail::PoolScope pool_scope(pool_.get());
  outputs_.clear();  // hands the previous outputs' buffers back to the pool
  model_->network().forward(ctx, input, outputs_);
  return outputs_;
}

}  // namespace espnet
