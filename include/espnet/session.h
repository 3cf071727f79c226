// Running a loaded model. A Session is cheap; make one per thread. Any number of Sessions may run
// one Model concurrently (tested with 4 sessions of 2 OpenMP threads each:
// tests/test_thread_safety.cpp). One Session used by two threads at once is detected, not a
// crash: the second thread gets espnet::SessionInUseError and the first run goes on undisturbed
// (tests/test_session_in_use.cpp).
//
// Numerics (tests/test_numerics.cpp):
// - Deterministic: the same input gives bit-identical outputs on every run, and with the current
//   kernels the same outputs at any thread count (each output element is computed by one thread
//   in a fixed order). Later SIMD kernels may only promise the reference tolerance across thread
//   counts.
// - Denormals are flushed to zero during run() (FTZ and DAZ on the calling thread and on its
//   OpenMP workers; the caller's floating-point control word is restored on return, the OpenMP
//   workers keep the flags), so tiny activations do not slow a run down. Results therefore treat
//   values below 1.2e-38 as zero, as PyTorch does with torch.set_flush_denormal(True).
// - NaN or infinity in the input is reported: run() throws espnet::Error naming the first
//   non-finite element, before any work. With SessionOptions::allow_non_finite_input they are
//   passed through instead: the run completes and outputs computed from them are NaN or infinite.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "espnet/export.h"
#include "espnet/model.h"
#include "espnet/tensor.h"

namespace espnet {

class ActivationObserver;
struct SessionAccess;

/// Arithmetic of the convolutions a session runs.
/// - kFp32: everything in fp32 (the default; the reference tolerances hold).
/// - kBf16: the point-wise convolutions (the grouped 1x1 of every EESP unit and down-sampler, the
///   decoders' 1x1, the SSD heads, the classifier) take bf16 inputs and weights (rounded to
///   nearest even; the weights once, at load) and accumulate in fp32 with AVX-512 BF16 dot
///   products; everything else stays fp32. Needs a CPU with AVX-512 BF16: elsewhere Session's
///   constructor throws (never a silent fp32 run).
/// - kInt8: needs a quantized model (espnet/quantize.h). The point-wise convolutions its plan
///   marks int8 run on VNNI (AVX-512 VNNI or AVX-VNNI) or the ARMv8.2 dot product: weights
///   symmetric per output channel, each layer's input affine per tensor with the calibrated scale
///   and zero point, int32 sums, fp32 outputs; the layers the plan keeps fp32 and everything else
///   stay fp32. Without these the int8 layers run fp32 kernels on their dequantized weights
///   (precision_report().kernels says so).
enum class Precision { kFp32 = 0, kBf16 = 1, kInt8 = 2 };

/// "fp32", "bf16", "int8".
ESPNET_API const char* precision_name(Precision precision);
/// The precision named `name` ("fp32", "bf16", "int8"); throws espnet::Error naming it otherwise.
ESPNET_API Precision parse_precision(const std::string& name);

/// Per-session settings.
struct SessionOptions {
  /// OpenMP threads for this session's runs; 0 keeps the OpenMP default.
  int threads = 0;
  /// A run of fewer convolution multiply-adds than this (for its input shape) runs on one
  /// thread whatever `threads` says: a second thread only costs it (team wake-ups, and a waiting
  /// thread spinning on a core that may share its execution units). 0 disables. The default
  /// puts classification s=0.5 at 224x224 (28 M) on one thread and s=1.0 (86 M) on two.
  double single_thread_below_macs = 64e6;
  /// When false (the default), run() refuses an input holding NaN or infinity; when true it
  /// lets them propagate into the outputs.
  bool allow_non_finite_input = false;
  /// Most bytes of activation memory a run may take; a run that would need more throws
  /// espnet::Error (naming the input size, the bytes needed and this limit) before allocating
  /// anything. 0 (the default): the memory available when the shape is first run (MemAvailable,
  /// or the cgroup's allowance if lower) less a margin of an eighth (at least 256 MB).
  size_t memory_limit_bytes = 0;
  /// When true (the default) each input shape is planned once: the lifetimes of all its
  /// intermediates are recorded by a run that computes nothing, and tensors whose lifetimes do
  /// not overlap share one arena. When false every tensor comes from the heap (for comparison).
  bool plan_memory = true;
  /// Debug: fill every activation block with NaN when it is handed out and when it is freed, so
  /// a read of freed or unwritten memory shows in the outputs. The environment variable
  /// ESPNET_POISON_MEMORY=1 turns it on for every session.
  bool poison_memory = false;
  /// Arithmetic of the convolutions (see Precision); checked when the session is created.
  Precision precision = Precision::kFp32;
};

/// What the last run() computed in which precision: the convolutions (and their multiply-adds)
/// that ran in the session's reduced precision, and those that stayed fp32 by design (depth-wise,
/// 3x3, the EESP spatial stage), with the kernels used.
struct PrecisionReport {
  Precision precision = Precision::kFp32;
  int reduced_convolutions = 0;
  int fp32_convolutions = 0;
  double reduced_macs = 0;
  double fp32_macs = 0;
  /// int8: the int8 layers that ran in fp32 in the last run because their input held a value far
  /// outside the range calibration saw (see Int8Layer's guard); counted in fp32_convolutions.
  int int8_fallbacks = 0;
  /// The reduced-precision kernels (comma-separated), empty for fp32.
  std::string kernels;
};

/// What a run of one input shape holds (Session::memory_plan).
struct MemoryEstimate {
  /// The arena a planned run maps: every activation, outputs included.
  size_t arena_bytes = 0;
  /// The most bytes alive at one time (the lower bound any placement can reach).
  size_t live_bytes = 0;
  /// The sum of all activations (what a run without reuse would allocate).
  size_t total_bytes = 0;
  /// Activation tensors a run creates.
  size_t tensors = 0;
};

/// One named network output ("logits" [N, classes]; "output" [N, classes, H, W];
/// "confidences" [N, P, C] and "locations" [N, P, 4]).
struct NamedTensor {
  std::string name;
  Tensor value;
};

/// What Session::run returns.
/// - kNetwork: the network's own outputs (see NamedTensor).
/// - kLabels: segmentation models only: "labels" [N, 1, H, W] in place of "output", each pixel's
///   class index (a float, 0 .. classes - 1): exactly the argmax over classes of kNetwork's
///   "output" (ties and NaN as argmax_labels: the first maximum; a NaN never wins). The final
///   upsampling and the argmax run fused, so the full-resolution logits (classes x 4 bytes per
///   pixel) are never written nor read again, and the arena shrinks where they set its peak
///   (the original family's Cityscapes model at 1024x512: 62 MB instead of 92 MB; the EdgeNets
///   models peak before their last step). Other tasks throw espnet::Error.
enum class RunOutputs { kNetwork = 0, kLabels = 1 };

namespace detail {
class TensorPool;
}
struct OpTime;

/// Runs a Model: owns its working memory (plans once per input shape, then runs without
/// allocating). Cheap to create; use one per thread.
class ESPNET_API Session {
 public:
  /// A session over `model` (shared: the model lives as long as any session uses it).
  explicit Session(std::shared_ptr<const Model> model, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Holds the session for the calling thread while it lives, so that a run and the reading of
  /// its outputs (which the next run overwrites) cannot interleave with another thread's use.
  /// run(), set_trace(), enable_profiling() and the task calls (espnet/tasks.h) take one
  /// themselves; take one around run() and the reading of its outputs when several threads
  /// might reach the same Session. Nested claims on the claiming thread are allowed. Throws
  /// espnet::SessionInUseError when another thread holds the session; the check is one atomic
  /// compare-and-swap, it never waits.
  class ESPNET_API Claim {
   public:
    explicit Claim(Session& session);
    ~Claim();
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;

   private:
    Session& session_;
  };

  /// Runs the network on a float32 NCHW input (already normalised). The outputs belong to the
  /// session and stay valid until its next run; activations come from the session's own pool,
  /// so once a shape has run, running it again allocates nothing on the heap. The input is only
  /// read: it may be a Tensor::view of the caller's memory, which must stay unchanged during the
  /// run. Throws espnet::Error on a bad shape, a size the network cannot take, or (by default) a
  /// non-finite input value; espnet::SessionInUseError when another thread is using the session
  /// or when called from inside one of its own runs (a trace callback).
  const std::vector<NamedTensor>& run(const Tensor& input);
  /// run() with the outputs `outputs` names (RunOutputs::kLabels: a segmentation model's labels).
  const std::vector<NamedTensor>& run(const Tensor& input, RunOutputs outputs);

  /// Gets ready to run `input_shape` ([N, 3, H, W]) without running: plans it if it is new,
  /// checks the memory limit and maps and faults in the activation memory a run of it needs, so
  /// that the first run() of that shape does not pay for fresh memory (costly on some machines:
  /// up to 2-3 ms per MB on a VM). A program can call it from another thread while it decodes
  /// and prepares the input (the session is claimed meanwhile: join before run()). Throws
  /// espnet::Error as run() would for a shape the network cannot take or that would not fit.
  void prepare(const Shape& input_shape);
  /// prepare() for runs that return `outputs` (their plans differ).
  void prepare(const Shape& input_shape, RunOutputs outputs);

  /// Bytes of activation memory the session holds (its arena).
  size_t activation_bytes() const;

  /// Plans `input_shape` ([N, 3, H, W]) if it is new, without running or allocating the
  /// arena, and says what a run of it holds. Throws espnet::Error for a shape the network
  /// cannot take.
  MemoryEstimate memory_plan(const Shape& input_shape);
  /// memory_plan() of runs that return `outputs`.
  MemoryEstimate memory_plan(const Shape& input_shape, RunOutputs outputs);

  /// Plans `input_shape` if it is new and throws the espnet::Error run() would throw if a run
  /// of it would not fit the memory limit; allocates nothing. Lets a caller refuse a size before
  /// preparing a large input for it. `other_bytes`: what the caller will hold besides the
  /// activations (its input, copies of the outputs), counted against the same limit.
  void check_memory(const Shape& input_shape, size_t other_bytes = 0);
  /// check_memory() for runs that return `outputs`.
  void check_memory(const Shape& input_shape, size_t other_bytes, RunOutputs outputs);

  /// Heap blocks runs took because they did not follow their plan (0 unless the network's
  /// allocation order changes between runs of one shape; tests check it stays 0).
  size_t plan_fallback_allocations() const;

  /// Called with every named intermediate during the next runs (upstream module paths, e.g.
  /// "level4.0.proj_1x1"); for debugging and parity tests. Pass {} to stop.
  void set_trace(std::function<void(const std::string&, const Tensor&)> trace);

  /// Per-op timing: while enabled, every run adds each op's wall time under
  /// "<module path> <op>"; profile() returns the totals, slowest first.
  struct ProfileRow {
    std::string name;
    double total_ms;
    int calls;
  };
  void enable_profiling(bool on);
  std::vector<ProfileRow> profile() const;

  /// The session's precision and what its last run computed in it.
  PrecisionReport precision_report() const { return report_; }

  /// OpenMP threads the last run used (see SessionOptions::single_thread_below_macs); 0 before
  /// the first run.
  int threads_used() const { return threads_used_; }

  /// The model this session runs.
  const Model& model() const { return *model_; }

  /// The OpenMP threads this session's runs may use: SessionOptions::threads, or for 0 the
  /// calling thread's OpenMP default (small runs may use fewer: threads_used()).
  int threads() const;

 private:
  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  struct PlannedShape;
  PlannedShape& planned(const Tensor& input, RunOutputs outputs);
  void check_input_shape(const Shape& shape, RunOutputs outputs) const;
  void check_memory_limit(PlannedShape& shape, size_t other_bytes = 0);
  int threads_for(const PlannedShape& shape) const;

  std::unique_ptr<detail::TensorPool> pool_;          // declared before outputs_: outlives them
  std::vector<std::unique_ptr<PlannedShape>> plans_;  // most recently used last
  std::vector<NamedTensor> outputs_;
  std::function<void(const std::string&, const Tensor&)> trace_;
  std::unique_ptr<std::map<std::string, OpTime>> profile_;
  PrecisionReport report_;
  // The thread holding a Claim (a default id when none does): set by compare-and-swap, so a
  // second thread entering is detected instead of corrupting the tensor pool.
  std::atomic<std::thread::id> owner_{};
  int claim_depth_ = 0;   // nested claims of the owner; only the owner touches it
  bool running_ = false;  // inside run(): a trace callback calling run() again is refused
  int threads_used_ = 0;
  friend struct SessionAccess;
  ActivationObserver* observer_ = nullptr;  // calibration (src/quant): sees layer inputs
};

}  // namespace espnet
