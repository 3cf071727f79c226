// State threaded through one forward pass: tracing of named intermediates, the multiply-add
// counter used by `info`, and the shape-only mode that plans a run without computing it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "espnet/model.h"
#include "espnet/tensor.h"
#include "quant/quant_index.h"
#include "tensor_pool.h"

namespace espnet {

/// Accumulated time of one op at one place in the network.
struct OpTime {
  double ms = 0;
  int calls = 0;
};

class ExecContext {
 public:
  using TraceFn = std::function<void(const std::string& name, const Tensor& value)>;

  ExecContext() = default;
  explicit ExecContext(TraceFn trace) : trace_(std::move(trace)) {}

  /// When true, ops allocate their outputs and count work but compute nothing.
  bool shape_only = false;
  /// A memory-planning run (set with shape_only): allocate exactly as a real run would, so it
  /// takes the fused paths a real run takes instead of the upstream layer structure.
  bool planning = false;
  /// Whether to follow upstream's layer structure (for layer counts and traced intermediates)
  /// rather than the fused paths.
  bool upstream_structure() const { return tracing() || (shape_only && !planning); }
  /// Segmentation networks end with "labels" (their final resize and the argmax fused) instead
  /// of "output" (RunOutputs::kLabels).
  bool segmentation_labels = false;
  /// Convolution multiply-adds counted as upstream compute_flops does (a bias adds half).
  double conv_macs = 0.0;
  /// When set, every convolution appends a row (for `espnet info`'s layer table).
  std::vector<LayerSummary>* layer_log = nullptr;
  /// Run the point-wise convolutions in bf16 (the session checked the kernels exist).
  bool bf16 = false;
  /// Run the point-wise convolutions that `quant` marks int8 in int8 (VNNI), with its scales.
  bool int8 = false;
  /// The model's int8 plan by layer key (int8 runs; a layer not in it runs fp32).
  const QuantIndex* quant = nullptr;
  /// Without VNNI an int8 run gives its int8 layers fp32 kernels on their dequantized weights.
  bool int8_dequantized = false;
  /// When set, every quantizable point-wise layer adds its key (loading checks a plan with it).
  std::vector<std::string>* quantizable_layers = nullptr;
  /// Calibration: sees the input of every keyed point-wise layer (fp32 runs).
  ActivationObserver* observer = nullptr;
  /// Convolutions (and multiply-adds) run in reduced precision / left in fp32 (precision report).
  int reduced_convolutions = 0;
  /// int8 layers that ran in fp32 because their input left the calibrated range.
  int int8_fallbacks = 0;
  int fp32_convolutions = 0;
  double reduced_macs = 0;
  double fp32_macs = 0;
  /// When set, every op adds its wall time under "<scope> <op>" (for `bench --profile`).
  std::map<std::string, OpTime>* profile = nullptr;
  const std::string& scope() const { return scope_; }

  bool tracing() const { return static_cast<bool>(trace_); }
  const TraceFn& trace_function() const { return trace_; }
  void set_scope(const std::string& scope) { scope_ = scope; }
  /// Whether scope names are needed (tracing or a layer table); when not, scopes cost nothing.
  bool naming() const {
    return static_cast<bool>(trace_) || layer_log != nullptr || profile != nullptr;
  }
  /// Reports `value` under the current scope ("level4.0" + ".proj_1x1").
  void record(const std::string& name, const Tensor& value) {
    if (trace_ && !shape_only) call_trace(qualify(name), value);
  }
  /// Reports under the scope itself ("level4.6").
  void record_scope(const Tensor& value) {
    if (trace_ && !shape_only) call_trace(scope_, value);
  }
  std::string qualify(const std::string& name) const {
    return scope_.empty() ? name : scope_ + "." + name;
  }

  /// RAII scope: names recorded inside are prefixed with `name`.
  class Scope {
   public:
    Scope(ExecContext& ctx, const std::string& name) : ctx_(ctx), active_(ctx.naming()) {
      if (!active_) return;
      saved_ = ctx.scope_;
      ctx_.scope_ = ctx_.qualify(name);
    }
    ~Scope() {
      if (active_) ctx_.scope_ = std::move(saved_);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ExecContext& ctx_;
    bool active_;
    std::string saved_;
  };

 private:
  // The callback's own copies must come from the heap, not the session's pool: they may outlive
  // the session.
  void call_trace(const std::string& name, const Tensor& value) {
    detail::PoolScope heap(nullptr);
    trace_(name, value);
  }

  TraceFn trace_;
  std::string scope_;
};

/// Times one op into ctx.profile when profiling is on; costs one branch otherwise.
class OpTimer {
 public:
  OpTimer(ExecContext& ctx, const char* op) : ctx_(ctx), op_(op) {
    if (ctx_.profile) start_ = std::chrono::steady_clock::now();
  }
  ~OpTimer() {
    if (!ctx_.profile) return;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count();
    OpTime& t = (*ctx_.profile)[ctx_.scope() + " " + op_];
    t.ms += ms;
    ++t.calls;
  }
  OpTimer(const OpTimer&) = delete;
  OpTimer& operator=(const OpTimer&) = delete;

 private:
  ExecContext& ctx_;
  const char* op_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace espnet
