#include "espnet/session.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "denormals.h"
#include "espnet/error.h"
#include "kernels/bf16_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/int8_kernels.h"
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
std::string check_precision(Precision precision) {
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
      // Without a calibrated model (not implemented yet) int8 measures each layer input's range
      // on the run itself (dynamic per-tensor scales).
      if (!int8_vnni_available())
        throw Error(
            "precision int8 needs AVX-512 VNNI (vpdpbusd) and the avx512 kernel level; this CPU "
            "or ESPNET_ISA does not give them (an fp32 path on dequantized weights is not "
            "implemented yet); use fp32");
      return "pack_u8_quads_avx512, gconv1x1_u8s8_avx512vnni (dynamic per-tensor activation "
             "scales)";
  }
  throw Error("Session: unknown precision " + std::to_string(static_cast<int>(precision)));
}

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

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(options), pool_(std::make_unique<detail::TensorPool>()) {
  if (!model_) throw Error("Session: no model");
  if (options_.threads < 0) throw Error("Session: thread count must be >= 0");
  report_.precision = options_.precision;
  report_.kernels = check_precision(options_.precision);
}

void Session::set_trace(std::function<void(const std::string&, const Tensor&)> trace) {
  trace_ = std::move(trace);
}

Session::~Session() {
  outputs_.clear();
}

void Session::enable_profiling(bool on) {
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
  ctx.bf16 = options_.precision == Precision::kBf16;
  ctx.int8 = options_.precision == Precision::kInt8;
  detail::PoolScope pool_scope(pool_.get());
  outputs_.clear();  // hands the previous outputs' buffers back to the pool
  model_->network().forward(ctx, input, outputs_);
  report_.reduced_convolutions = ctx.reduced_convolutions;
  report_.fp32_convolutions = ctx.fp32_convolutions;
  report_.reduced_macs = ctx.reduced_macs;
  report_.fp32_macs = ctx.fp32_macs;
  return outputs_;
}

}  // namespace espnet
