#include "espnet/session.h"

#include <omp.h>

#include <cmath>

#include "denormals.h"
#include "espnet/error.h"
#include "models/network.h"

namespace espnet {
namespace {

// NCHW index of the first NaN or infinity, so the message says where it is.
void check_finite(const Tensor& input) {
  const float* x = input.data();
  for (int64_t i = 0; i < input.numel(); ++i) {
    if (std::isfinite(x[i])) continue;
    Shape index(4);
    int64_t rest = i;
    for (int d = 3; d >= 0; --d) {
      index[d] = rest % input.dim(d);
      rest /= input.dim(d);
    }
    throw Error(std::string("input holds ") + (std::isnan(x[i]) ? "NaN" : "infinity") +
                " at [n, c, y, x] = " + shape_to_string(index) +
                "; pass SessionOptions::allow_non_finite_input to let it propagate");
  }
}

}  // namespace

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(options) {
  if (!model_) throw Error("Session: no model");
  if (options_.threads < 0) throw Error("Session: thread count must be >= 0");
}

void Session::set_trace(std::function<void(const std::string&, const Tensor&)> trace) {
  trace_ = std::move(trace);
}

std::vector<NamedTensor> Session::run(const Tensor& input) {
  if (input.rank() != 4 || input.dim(1) != 3 || input.dim(0) < 1)
    throw Error("input must be a float32 NCHW tensor [N, 3, H, W], got " +
                shape_to_string(input.shape()));
  if (input.dim(2) > 16384 || input.dim(3) > 16384)
    throw Error("input " + shape_to_string(input.shape()) + " is too large (max 16384 per side)");
  model_->check_input_size(static_cast<int>(input.dim(2)), static_cast<int>(input.dim(3)));
  if (!options_.allow_non_finite_input) check_finite(input);
  if (options_.threads > 0) omp_set_num_threads(options_.threads);
  DenormalsFlushedToZero flush;
  ExecContext ctx(trace_);
  return model_->network().forward(ctx, input);
}

}  // namespace espnet
