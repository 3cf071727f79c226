// espnet bench MODEL [--size WxH | --input IN.npy] [--batch N] [--threads N] [--warmup W]
// [--runs R] [--json]: load time, then latency percentiles over R timed runs after W warm-ups.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "kernels/dispatch_info.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// A smooth, photo-like normalised input (gradients and soft blobs, not noise: noise makes some
// engines slower and is not what a deployed network sees).
Tensor synthetic_photo(int batch, int height, int width) {
  Tensor t({batch, 3, height, width});
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
          const double u = double(x) / width, v = double(y) / height;
          double value = 0.5 + 0.3 * std::sin(6.0 * u + 2.0 * c) * std::cos(4.0 * v - c) +
                         0.2 * std::exp(-40.0 * ((u - 0.6) * (u - 0.6) + (v - 0.4) * (v - 0.4)));
          t.data()[((int64_t(n) * 3 + c) * height + y) * width + x] =
              static_cast<float>((value - 0.45) / 0.225);
        }
  return t;
}

// This process's peak resident set (VmHWM of /proc/self/status) in MB; unlike getrusage's
// maxrss it does not carry the launching process's peak over an exec. 0 when unreadable.
double peak_resident_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // "  1234 kB"
  return 0;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p * (v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - i;
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

}  // namespace

int run_bench(const Words& words) {
  const std::vector<OptionSpec> specs = {
      {"--size", true, "input WIDTHxHEIGHT (default: the model's own size)"},
      {"--input", true, "time on this float32 NCHW .npy instead"},
      {"--batch", true, "batch size (default 1)"},
      {"--warmup", true, "untimed runs first (default 3)"},
      {"--runs", true, "timed runs (default 20)"},
      {"--json", false,
       "print JSON (keys: median_ms, min_ms, p90_ms, first_run_ms, peak_memory_mb, arena_mb, "
       "threads, isa, precision, ...)"},
      {"--profile", false, "time every op during the timed runs and print the slowest"},
      {"--labels", false,
       "segmentation models: runs that end with the labels (the final upsampling and the argmax "
       "fused), as `espnet segment` and `eval` run them"},
      input_size_option(),
      threads_option(),
      precision_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text("bench", "MODEL [--size WxH | --input IN.npy] [options]",
                   "Times a model: load time, then min / median / p90 latency and images per\n"
                   "second over the timed runs, with the kernel ISA and thread count.",
                   specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError("expected one MODEL");
  if (args.has("--size") && args.has("--input"))
    throw UsageError("give --size or --input, not both");
  const int threads = apply_threads(args);
  const SessionOptions session_opts = session_options(args, threads);
  const LoadOptions options = load_options(args);
  const int batch = args.int_value("--batch", 1, 1, 256);
  const int warmup = args.int_value("--warmup", 3, 0, 100000);
  const int runs = args.int_value("--runs", 20, 1, 100000);
  int width = 0, height = 0;
  const bool sized = args.size_value("--size", &width, &height);  // usage errors before loading

  Clock::time_point t0 = Clock::now();
  auto model = load_model(args.positional()[0], options);
  const double load_ms = ms_since(t0);

  Tensor input;
  if (args.has("--input")) {
    input = read_npy_f32(args.value("--input"));
  } else {
    if (!sized) default_input_size(model->info(), &width, &height);
    input = synthetic_photo(batch, height, width);
  }
  const RunOutputs outputs = args.flag("--labels") ? RunOutputs::kLabels : RunOutputs::kNetwork;
  Session session(model, session_opts);
  // The process's first run (planning, mapping the arena and all), whether a warm-up run or,
  // with --warmup 0, the first timed one.
  double first_run_ms = -1;
  for (int i = 0; i < warmup; ++i) {
    t0 = Clock::now();
    session.run(input, outputs);
    if (i == 0) first_run_ms = ms_since(t0);
  }
  const bool profiling = args.flag("--profile");
  session.enable_profiling(profiling);
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    t0 = Clock::now();
    session.run(input, outputs);
    times.push_back(ms_since(t0));
  }
  const PrecisionReport report = session.precision_report();
  const double reduced_share =
      report.reduced_macs / std::max(1.0, report.reduced_macs + report.fp32_macs);
  if (first_run_ms < 0) first_run_ms = times[0];
  const double peak_mb = peak_resident_mb();
  const double arena_mb = session.activation_bytes() / double(1 << 20);
  const double live_mb = session.memory_plan(input.shape(), outputs).live_bytes / double(1 << 20);
  const double min_ms = *std::min_element(times.begin(), times.end());
  const double median_ms = percentile(times, 0.5), p90_ms = percentile(times, 0.9);
  const double images_per_s = 1000.0 * double(input.dim(0)) / median_ms;
  std::vector<Session::ProfileRow> rows = session.profile();
  double profiled_ms = 0;
  for (const auto& r : rows) profiled_ms += r.total_ms / runs;
  // Totals by op kind (the last word of the row name), then the slowest places.
  std::map<std::string, double> by_op;
  for (const auto& r : rows)
    by_op[r.name.substr(r.name.find_last_of(' ') + 1)] += r.total_ms / runs;
  if (args.flag("--json")) {
    std::printf(
        "{\"model\": %s, \"input\": [%lld, %lld, %lld, %lld], \"threads\": %d, \"isa\": %s, "
        "\"load_ms\": %.3f, \"warmup\": %d, \"runs\": %d, \"min_ms\": %.3f, "
        "\"median_ms\": %.3f, \"p90_ms\": %.3f, \"images_per_s\": %.2f, "
        "\"first_run_ms\": %.3f, \"peak_memory_mb\": %.1f, \"arena_mb\": %.1f, "
        "\"live_mb\": %.1f, \"precision\": %s, \"precision_kernels\": %s, "
        "\"reduced_convolutions\": %d, \"fp32_convolutions\": %d, \"reduced_mac_share\": %.4f, "
        "\"int8_fallbacks\": %d, \"threads_used\": %d, \"outputs\": %s}\n",
        json_string(args.positional()[0]).c_str(), (long long)input.dim(0), (long long)input.dim(1),
        (long long)input.dim(2), (long long)input.dim(3), threads,
        json_string(active_isa_name()).c_str(), load_ms, warmup, runs, min_ms, median_ms, p90_ms,
        images_per_s, first_run_ms, peak_mb, arena_mb, live_mb,
        json_string(precision_name(report.precision)).c_str(), json_string(report.kernels).c_str(),
        report.reduced_convolutions, report.fp32_convolutions, reduced_share, report.int8_fallbacks,
        session.threads_used(), outputs == RunOutputs::kLabels ? "\"labels\"" : "\"network\"");
    if (profiling) {
      std::printf("{\"profile\": [");
      for (size_t i = 0; i < rows.size(); ++i)
        std::printf("%s{\"name\": %s, \"ms_per_run\": %.4f, \"calls_per_run\": %d}", i ? ", " : "",
                    json_string(rows[i].name).c_str(), rows[i].total_ms / runs,
                    rows[i].calls / runs);
      std::printf("]}\n");
    }
    return 0;
  }
  std::printf("model:   %s\ninput:   %s\nthreads: %d", args.positional()[0].c_str(),
              shape_to_string(input.shape()).c_str(), threads);
  if (session.threads_used() != threads && threads > 1)
    std::printf(" (runs used %d: a network this small runs faster on one)", session.threads_used());
  std::printf("   isa: %s\n", active_isa_name());
  if (outputs == RunOutputs::kLabels)
    std::printf("outputs: labels (upsampling and argmax fused)\n");
  std::printf("precision: %s", precision_name(report.precision));
  if (report.precision != Precision::kFp32)
    std::printf("   %d convolutions (%.1f %% of multiply-adds) on %s, %d in fp32",
                report.reduced_convolutions, 100.0 * reduced_share, report.kernels.c_str(),
                report.fp32_convolutions);
  if (report.int8_fallbacks)
    std::printf(" (%d int8 layers ran fp32: their input left the calibrated range)",
                report.int8_fallbacks);
  std::printf("\n");
  std::printf("load:    %.2f ms\n", load_ms);
  std::printf("latency: min %.3f ms   median %.3f ms   p90 %.3f ms   (%d runs after %d warm-up)\n",
              min_ms, median_ms, p90_ms, runs, warmup);
  std::printf("first run: %.3f ms (planning and first touch of memory included)\n", first_run_ms);
  std::printf("throughput: %.2f images/s   peak memory: %.1f MB (resident, whole process)\n",
              images_per_s, peak_mb);
  std::printf("activations: arena %.1f MB, largest live set %.1f MB\n", arena_mb, live_mb);
  if (profiling) {
    std::printf("\nprofile (ms per run; ops sum to %.3f ms, timing on):\n", profiled_ms);
    for (const auto& kv : by_op) std::printf("  %-20s %9.3f\n", kv.first.c_str(), kv.second);
    std::printf("\nslowest places:\n");
    for (size_t i = 0; i < rows.size() && i < 25; ++i)
      std::printf("  %9.3f ms  %3dx  %s\n", rows[i].total_ms / runs, rows[i].calls / runs,
                  rows[i].name.c_str());
  }
  return 0;
}

}  // namespace espnet::cli
