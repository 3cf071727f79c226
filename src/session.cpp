#include "espnet/session.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "denormals.h"
#include "espnet/error.h"
#include "models/network.h"
#include "tensor_pool.h"

namespace espnet {
namespace {

// NCHW index of the first NaN or infinity, so the message says where it is.
void check_finite(const Tensor& input) {
  const float* x = input.data();
  for (int64_t i = 0; i < input.numel(); ++i) {
    if (std::isfinite(x[i])) continue;
    Shape index = {0, 0, 0, 0};
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
    : model_(std::move(model)), options_(options), pool_(std::make_unique<detail::TensorPool>()) {
  if (!model_) throw Error("Session: no model");
  if (options_.threads < 0) throw Error("Session: thread count must be >= 0");
}

Session::Claim::Claim(Session& session) : session_(session) {
  const std::thread::id me = std::this_thread::get_id();
  std::thread::id holder{};
  if (session.owner_.compare_exchange_strong(holder, me, std::memory_order_acquire)) {
    session.claim_depth_ = 1;
  } else if (holder == me) {
    ++session.claim_depth_;  // only this thread can have stored its own id
  } else {
    throw SessionInUseError(
        "this Session is in use by another thread: a Session serves one thread at a time; "
        "create one Session per thread (they may share one Model)");
  }
}

Session::Claim::~Claim() {
  if (--session_.claim_depth_ == 0)
    session_.owner_.store(std::thread::id{}, std::memory_order_release);
}

void Session::set_trace(std::function<void(const std::string&, const Tensor&)> trace) {
  Claim claim(*this);
  trace_ = std::move(trace);
}

Session::~Session() {
  outputs_.clear();
}

void Session::enable_profiling(bool on) {
  Claim claim(*this);
  if (on && !profile_) profile_ = std::make_unique<std::map<std::string, OpTime>>();
  if (!on) profile_.reset();
}

std::vector<Session::ProfileRow> Session::profile() const {
  std::vector<ProfileRow> rows;
  if (!profile_) return rows;
  for (const auto& kv : *profile_) rows.push_back({kv.first, kv.second.ms, kv.second.calls});
  std::sort(rows.begin(), rows.end(),
            [](const ProfileRow& a, const ProfileRow& b) { return a.total_ms > b.total_ms; });
  return rows;
}

size_t Session::activation_bytes() const {
  return pool_->bytes_held();
}

const std::vector<NamedTensor>& Session::run(const Tensor& input) {
  Claim claim(*this);
  if (running_)
    throw SessionInUseError(
        "Session::run was called from inside one of its own runs (a trace callback?); a "
        "Session runs one input at a time: use another Session");
  running_ = true;
  struct Finished {
    bool& running;
    ~Finished() { running = false; }
  } finished{running_};
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
  ctx.profile = profile_.get();
  detail::PoolScope pool_scope(pool_.get());
  outputs_.clear();  // hands the previous outputs' buffers back to the pool
  model_->network().forward(ctx, input, outputs_);
  return outputs_;
}

}  // namespace espnet
