#include "espnet/session.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "available_memory.h"
#include "denormals.h"
#include "espnet/error.h"
#include "exec_context.h"
#include "kernels/bf16_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/int8_kernels.h"
#include "memory_plan.h"
#include "model_access.h"
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

// Refuses a precision this build or CPU cannot run, so a session never falls back silently.
// Returns the reduced-precision kernels the session will use ("" for fp32).
std::string check_precision(Precision precision, const Model& model) {
  switch (precision) {
    case Precision::kFp32:
      return "";
    case Precision::kBf16: {
      const Bf16Kernels* k = bf16_kernels();
      if (!k)
        throw Error(std::string("precision bf16 needs AVX-512 BF16 (vdpbf16ps): ") +
                    (cpu_has_avx512_bf16()
                         ? "the CPU has it, but the kernels are limited to " +
                               std::string(isa_name(active_isa())) + " (ESPNET_ISA)"
                         : "this CPU does not have it") +
                    "; use fp32");
      return std::string(k->pack_name) + ", " + k->pointwise_name + ", " + k->pointwise_rows_name;
    }
    case Precision::kInt8:
      if (!model.quantization())
        throw Error(
            "precision int8 needs a quantized model: calibrate it first with `espnet quantize "
            "MODEL CALIBRATION_PHOTOS OUT.espnet` (or espnet::quantize()), then run OUT.espnet");
      if (const Int8Kernels* k = int8_kernels())
        return std::string(k->pack_name) + ", " + k->gconv_name + " (calibrated scales)";
      return "fp32 kernels on dequantized int8 weights (this CPU or ESPNET_ISA has neither VNNI "
             "nor "
             "the ARM dot product)";
  }
  throw Error("Session: unknown precision " + std::to_string(static_cast<int>(precision)));
}

// The run's arithmetic: bf16, or int8 with the model's plan (on VNNI, or fp32 kernels on the
// dequantized weights without it).
void set_precision(ExecContext& ctx, Precision precision, const Model& model) {
  ctx.bf16 = precision == Precision::kBf16;
  ctx.int8 = precision == Precision::kInt8;
  if (ctx.int8) {
    ctx.quant = ModelAccess::quant_index(model);
    ctx.int8_dequantized = !int8_dot_product_available();
  }
}

std::string megabytes(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / (1 << 20));
  return text;
}

// Input shapes whose plans a session keeps (a plan is a few tens of KB).
constexpr size_t kPlansKept = 4;

}  // namespace

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::kFp32:
      return "fp32";
    case Precision::kBf16:
      return "bf16";
    case Precision::kInt8:
      return "int8";
  }
  return "unknown";
}

Precision parse_precision(const std::string& name) {
  for (Precision p : {Precision::kFp32, Precision::kBf16, Precision::kInt8})
    if (name == precision_name(p)) return p;
  throw Error("precision '" + name + "' is not one of fp32, bf16, int8");
}

/// One input shape's plan; `limit_checked` once the memory limit has been checked for it.
struct Session::PlannedShape {
  Shape shape;
  bool traced = false;  // tracing takes the upstream layer structure: another sequence
  RunOutputs outputs = RunOutputs::kNetwork;  // labels end with another op and tensor
  detail::MemoryPlan plan;
  bool limit_checked = false;
  double conv_macs = 0;  // the network's convolution multiply-adds for this shape
};

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(options), pool_(std::make_unique<detail::TensorPool>()) {
  if (!model_) throw Error("Session: no model");
  if (options_.threads < 0) throw Error("Session: thread count must be >= 0");
  report_.precision = options_.precision;
  report_.kernels = check_precision(options_.precision, *model_);
  const char* poison = std::getenv("ESPNET_POISON_MEMORY");
  if (poison && std::strcmp(poison, "0") != 0 && *poison) options_.poison_memory = true;
  pool_->set_poison(options_.poison_memory);
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
  return pool_->arena_bytes();
}

size_t Session::plan_fallback_allocations() const {
  return pool_->fallback_allocations();
}

Session::PlannedShape& Session::planned(const Tensor& input, RunOutputs outputs) {
  const bool traced = static_cast<bool>(trace_);
  for (size_t i = 0; i < plans_.size(); ++i)
    if (plans_[i]->shape == input.shape() && plans_[i]->traced == traced &&
        plans_[i]->outputs == outputs) {
      std::rotate(plans_.begin() + std::ptrdiff_t(i), plans_.begin() + std::ptrdiff_t(i) + 1,
                  plans_.end());
      return *plans_.back();
    }
  auto entry = std::make_unique<PlannedShape>();
  entry->shape = input.shape();
  entry->traced = traced;
  entry->outputs = outputs;
  // The planning run: every op allocates its outputs as a real run would, nothing computes.
  ExecContext ctx(trace_);
  ctx.shape_only = true;
  ctx.planning = true;
  ctx.segmentation_labels = outputs == RunOutputs::kLabels;
  // The reduced precisions allocate their packed inputs: the plan must hold them too.
  set_precision(ctx, options_.precision, *model_);
  detail::PoolScope pool_scope(pool_.get());
  pool_->begin_recording();
  try {
    std::vector<NamedTensor> outputs;
    model_->network().forward(ctx, input, outputs);
  } catch (...) {
    pool_->abandon_recording();
    throw;
  }
  entry->plan = pool_->finish_recording();
  entry->conv_macs = ctx.conv_macs;
  if (plans_.size() >= kPlansKept) plans_.erase(plans_.begin());
  plans_.push_back(std::move(entry));
  return *plans_.back();
}

void Session::check_memory_limit(PlannedShape& shape, size_t other_bytes) {
  // Once per shape for run(): reading the available memory allocates.
  if (shape.limit_checked && other_bytes == 0) return;
  const size_t activations =
      options_.plan_memory ? shape.plan.arena_bytes : shape.plan.peak_live_bytes;
  const size_t needed = activations + other_bytes;
  // The arena this session already maps is given back before a larger one is mapped.
  const size_t limit = options_.memory_limit_bytes
                           ? options_.memory_limit_bytes
                           : detail::default_memory_limit_bytes(pool_->arena_bytes());
  if (needed > limit)
    throw Error("input " + shape_to_string(shape.shape) + " needs " + megabytes(needed) + " (" +
                std::to_string(needed) +
                (other_bytes ? " bytes) of memory (" + megabytes(activations) +
                                   " of activations and " + megabytes(other_bytes) + " besides)"
                             : " bytes) of activation memory") +
                ", over this session's limit of " + megabytes(limit) + " (" +
                std::to_string(limit) + " bytes" +
                (options_.memory_limit_bytes
                     ? "; SessionOptions::memory_limit_bytes)"
                     : ": the available memory less a margin; SessionOptions::memory_limit_bytes "
                       "sets another)") +
                "; use a smaller input");
  if (other_bytes == 0) shape.limit_checked = true;
}

void Session::check_input_shape(const Shape& input_shape, RunOutputs outputs) const {
  if (outputs == RunOutputs::kLabels && model_->info().task != Task::kSegmentation)
    throw Error(std::string("labels are the output of a segmentation model; this is a ") +
                task_name(model_->info().task) + " model");
  if (input_shape.size() != 4 || input_shape[1] != 3 || input_shape[0] < 1)
    throw Error("input must be a float32 NCHW tensor [N, 3, H, W], got " +
                shape_to_string(input_shape));
  if (input_shape[2] > 16384 || input_shape[3] > 16384)
    throw Error("input " + shape_to_string(input_shape) + " is too large (max 16384 per side)");
  model_->check_input_size(static_cast<int>(input_shape[2]), static_cast<int>(input_shape[3]));
}

void Session::check_memory(const Shape& input_shape, size_t other_bytes) {
  check_memory(input_shape, other_bytes, RunOutputs::kNetwork);
}

void Session::check_memory(const Shape& input_shape, size_t other_bytes, RunOutputs outputs) {
  Claim claim(*this);  // planning changes the session's plan cache
  check_input_shape(input_shape, outputs);
  // The planning run reads no input value: a view of nothing stands for it.
  check_memory_limit(planned(Tensor::view(nullptr, input_shape), outputs), other_bytes);
}

// The OpenMP threads a run of `shape` started from this thread uses (run() sets them; prepare()
// faults the arena in on them): SessionOptions::threads or the OpenMP default, one under
// single_thread_below_macs or inside a parallel region.
int Session::threads() const {
  return options_.threads > 0 ? options_.threads : omp_get_max_threads();
}

int Session::threads_for(const PlannedShape& shape) const {
  if (omp_in_parallel()) return 1;
  const int threads = this->threads();
  return threads > 1 && shape.conv_macs < options_.single_thread_below_macs ? 1 : threads;
}

void Session::prepare(const Shape& input_shape) {
  prepare(input_shape, RunOutputs::kNetwork);
}

void Session::prepare(const Shape& input_shape, RunOutputs outputs) {
  Claim claim(*this);  // planning changes the session's plan cache
  if (running_)
    throw SessionInUseError("Session::prepare was called from inside one of its own runs");
  check_input_shape(input_shape, outputs);
  PlannedShape& shape = planned(Tensor::view(nullptr, input_shape), outputs);
  check_memory_limit(shape);
  // Outputs of an earlier run still held keep the arena where it is; run() maps it then.
  if (options_.plan_memory && outputs_.empty() &&
      !pool_->prepare_arena(shape.plan.arena_bytes, threads_for(shape)))
    throw Error("input " + shape_to_string(input_shape) + ": the system refused the " +
                megabytes(shape.plan.arena_bytes) + " of activation memory it needs");
}

MemoryEstimate Session::memory_plan(const Shape& input_shape) {
  return memory_plan(input_shape, RunOutputs::kNetwork);
}

MemoryEstimate Session::memory_plan(const Shape& input_shape, RunOutputs outputs) {
  Claim claim(*this);  // planning changes the session's plan cache
  check_input_shape(input_shape, outputs);
  const detail::MemoryPlan& plan = planned(Tensor::view(nullptr, input_shape), outputs).plan;
  MemoryEstimate estimate;
  estimate.arena_bytes = plan.arena_bytes;
  estimate.live_bytes = plan.peak_live_bytes;
  estimate.total_bytes = plan.total_bytes;
  estimate.tensors = plan.sizes.size();
  return estimate;
}

const std::vector<NamedTensor>& Session::run(const Tensor& input) {
  return run(input, RunOutputs::kNetwork);
}

const std::vector<NamedTensor>& Session::run(const Tensor& input, RunOutputs outputs) {
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
  check_input_shape(input.shape(), outputs);
  if (!options_.allow_non_finite_input) check_finite(input);
  if (options_.threads > 0) omp_set_num_threads(options_.threads);
  outputs_.clear();  // hands the previous outputs' buffers back to the pool
  PlannedShape& shape = planned(input, outputs);
  check_memory_limit(shape);
  // A small run stays on this thread; the caller's thread count is restored afterwards.
  struct ThreadCount {
    int before = omp_get_max_threads();
    bool changed = false;
    ~ThreadCount() {
      if (changed) omp_set_num_threads(before);
    }
  } thread_count;
  threads_used_ = threads_for(shape);
  if (threads_used_ != thread_count.before) {
    omp_set_num_threads(threads_used_);
    thread_count.changed = true;
  }
  // After the thread count: a run kept on this thread wakes no OpenMP worker, not even to set
  // its flags (a woken worker spins on the other core, which may share this one's units).
  DenormalsFlushedToZero flush;
  ExecContext ctx(trace_);
  ctx.segmentation_labels = outputs == RunOutputs::kLabels;
  ctx.observer = observer_;
  ctx.profile = profile_.get();
  set_precision(ctx, options_.precision, *model_);
  detail::PoolScope pool_scope(pool_.get());
  if (!options_.plan_memory)
    pool_->begin_heap_run();
  else if (!pool_->begin_planned_run(&shape.plan, threads_used_))
    throw Error("input " + shape_to_string(input.shape()) + ": the system refused the " +
                megabytes(shape.plan.arena_bytes) + " of activation memory it needs");
  try {
    model_->network().forward(ctx, input, outputs_);
  } catch (...) {
    outputs_.clear();
    pool_->end_run(nullptr);
    throw;
  }
  report_.reduced_convolutions = ctx.reduced_convolutions;
  report_.int8_fallbacks = ctx.int8_fallbacks;
  report_.fp32_convolutions = ctx.fp32_convolutions;
  report_.reduced_macs = ctx.reduced_macs;
  report_.fp32_macs = ctx.fp32_macs;
  // A run that left its plan (it allocated in another order) is the plan for the next one.
  detail::MemoryPlan replan;
  if (pool_->end_run(&replan))
    shape.plan = detail::plan_memory(std::move(replan.sizes), std::move(replan.events));
  return outputs_;
}

}  // namespace espnet
