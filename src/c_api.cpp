// The C API (espnet/espnet_c.h) over the C++ API: handles own shared pointers, every entry point
// turns exceptions into status codes with a thread-local message.
#include "espnet/espnet_c.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/model.h"
#include "espnet/session.h"
#include "espnet/tasks.h"

struct espnet_model {
  std::shared_ptr<const espnet::Model> model;
  // Class names by index; shared with the sessions so that names they hand out outlive the handle.
  std::shared_ptr<const std::vector<std::string>> names;
};

struct espnet_session {
  std::shared_ptr<const espnet::Model> model;
  std::shared_ptr<const std::vector<std::string>> names;
  std::unique_ptr<espnet::Session> session;
  espnet::Tensor input;  // aligned copy of the caller's input, reused while the shape holds
  const std::vector<espnet::NamedTensor>* outputs = nullptr;  // of the last run, session-owned
  // Backs espnet_precision_report::kernels (filled by a call that takes the handle as const).
  mutable std::string report_kernels;
};

namespace {

thread_local std::string last_error;

// A failure the C layer itself detects, with the status to report.
struct CallError {
  espnet_status status;
  std::string message;
};

[[noreturn]] void fail(espnet_status status, const std::string& message) {
  throw CallError{status, message};
}

template <typename Body>
espnet_status guarded(const char* function, Body&& body) {
  try {
    last_error.clear();
    body();
    return ESPNET_OK;
  } catch (const CallError& e) {
    last_error = std::string(function) + ": " + e.message;
    return e.status;
  } catch (const espnet::SessionInUseError& e) {
    last_error = std::string(function) + ": " + e.what();
    return ESPNET_ERROR_SESSION_IN_USE;
  } catch (const espnet::Error& e) {
    last_error = std::string(function) + ": " + e.what();
    return ESPNET_ERROR_FAILED;
  } catch (const std::bad_alloc&) {
    last_error = std::string(function) + ": out of memory";
    return ESPNET_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    last_error = std::string(function) + ": internal error: " + e.what();
    return ESPNET_ERROR_INTERNAL;
  } catch (...) {
    last_error = std::string(function) + ": internal error (unknown exception)";
    return ESPNET_ERROR_INTERNAL;
  }
}

template <typename T>
void require(const T* pointer, const char* name) {
  if (pointer == nullptr) fail(ESPNET_ERROR_INVALID_ARGUMENT, std::string(name) + " is NULL");
}

const char* name_of(const std::vector<std::string>& names, int index) {
  return index >= 0 && static_cast<size_t>(index) < names.size() ? names[index].c_str() : "";
}

// Side and pixel limits of the buffers we accept (as the image decoder's).
constexpr int kMaxSide = 32768;
constexpr int64_t kMaxPixels = int64_t{1} << 28;

void check_size(int width, int height, const char* what) {
  if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide ||
      int64_t{width} * height > kMaxPixels)
    fail(ESPNET_ERROR_INVALID_ARGUMENT, std::string(what) + " " + std::to_string(width) + "x" +
                                            std::to_string(height) + " is out of range (1.." +
                                            std::to_string(kMaxSide) + " per side)");
}

espnet::Image image_from_rgb8(const uint8_t* rgb, size_t rgb_size, int width, int height) {
  require(rgb, "rgb");
  check_size(width, height, "image");
  const uint64_t needed = uint64_t(width) * uint64_t(height) * 3;
  if (rgb_size != needed)
    fail(ESPNET_ERROR_INVALID_ARGUMENT, "rgb_size is " + std::to_string(rgb_size) + " bytes; a " +
                                            std::to_string(width) + "x" + std::to_string(height) +
                                            " RGB image has " + std::to_string(needed));
  espnet::Image image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  image.pixels.assign(rgb, rgb + needed);
  return image;
}

void require_task(const espnet_session* s, espnet::Task task, const char* what) {
  const espnet::Task actual = s->model->info().task;
  if (actual != task)
    fail(ESPNET_ERROR_WRONG_TASK, std::string(what) + " needs a " + espnet::task_name(task) +
                                      " model; this session runs a " + espnet::task_name(actual) +
                                      " model");
}

// Copies the caller's n x 3 x h x w input into the session's aligned tensor and runs it.
void run_input(espnet_session* s, const float* input, int n, int height, int width) {
  if (n < 1 || n > 1024) fail(ESPNET_ERROR_INVALID_ARGUMENT, "n must be 1..1024");
  check_size(width, height, "input");
  const espnet::Shape shape{n, 3, height, width};
  if (s->input.shape() != shape) s->input = espnet::Tensor(shape);
  if (input != nullptr)
    std::memcpy(s->input.data(), input, static_cast<size_t>(s->input.numel()) * sizeof(float));
  else
    std::fill(s->input.data(), s->input.data() + s->input.numel(), 0.0f);
  s->outputs = nullptr;
  s->outputs = &s->session->run(s->input);
}

}  // namespace

extern "C" {

const char* espnet_last_error(void) {
  return last_error.c_str();
}

const char* espnet_status_string(espnet_status status) {
  switch (status) {
    case ESPNET_OK:
      return "ESPNET_OK: success";
    case ESPNET_ERROR_INVALID_ARGUMENT:
      return "ESPNET_ERROR_INVALID_ARGUMENT: bad argument";
    case ESPNET_ERROR_BUFFER_TOO_SMALL:
      return "ESPNET_ERROR_BUFFER_TOO_SMALL: buffer too small";
    case ESPNET_ERROR_WRONG_TASK:
      return "ESPNET_ERROR_WRONG_TASK: the model has another task";
    case ESPNET_ERROR_FAILED:
      return "ESPNET_ERROR_FAILED: the library refused the request";
    case ESPNET_ERROR_OUT_OF_MEMORY:
      return "ESPNET_ERROR_OUT_OF_MEMORY: out of memory";
    case ESPNET_ERROR_INTERNAL:
      return "ESPNET_ERROR_INTERNAL: internal error";
    case ESPNET_ERROR_SESSION_IN_USE:
      return "ESPNET_ERROR_SESSION_IN_USE: another thread is using the session";
  }
  return "unknown espnet_status";
}

espnet_status espnet_image_decode(const char* path, uint8_t** out_rgb, int* out_width,
                                  int* out_height) {
  return guarded("espnet_image_decode", [&] {
    require(out_rgb, "out_rgb");
    *out_rgb = nullptr;
    require(out_width, "out_width");
    require(out_height, "out_height");
    require(path, "path");
    const espnet::Image image = espnet::decode_image(path);
    // malloc: the caller frees through espnet_image_free, whatever C++ runtime it has.
    auto* pixels = static_cast<uint8_t*>(std::malloc(image.pixels.size()));
    if (pixels == nullptr) throw std::bad_alloc();
    std::memcpy(pixels, image.pixels.data(), image.pixels.size());
    *out_rgb = pixels;
    *out_width = image.width;
    *out_height = image.height;
  });
}

void espnet_image_free(uint8_t* rgb) {
  std::free(rgb);
}

espnet_status espnet_model_load(const char* path, int detection_input_size,
                                espnet_model** out_model) {
  return guarded("espnet_model_load", [&] {
    require(out_model, "out_model");
    *out_model = nullptr;
    require(path, "path");
    espnet::LoadOptions options;
    options.detection_input_size = detection_input_size;
    auto handle = std::make_unique<espnet_model>();
    handle->model = espnet::Model::load(path, options);
    handle->names =
        std::make_shared<const std::vector<std::string>>(espnet::class_names(*handle->model));
    *out_model = handle.release();
  });
}

void espnet_model_free(espnet_model* model) {
  delete model;
}

espnet_status espnet_model_get_info(const espnet_model* model, espnet_model_info* out_info) {
  return guarded("espnet_model_get_info", [&] {
    require(model, "model");
    require(out_info, "out_info");
    const espnet::ModelInfo& info = model->model->info();
    espnet_model_info result{};
    result.task = static_cast<espnet_task>(info.task);
    result.family = static_cast<espnet_family>(info.family);
    result.scale = info.scale;
    result.classes = info.classes;
    result.input_size = info.input_size;
    result.params = info.params;
    std::strncpy(result.dataset, info.dataset.c_str(), sizeof result.dataset - 1);
    *out_info = result;
  });
}

espnet_status espnet_model_class_name(const espnet_model* model, int index, const char** out_name) {
  return guarded("espnet_model_class_name", [&] {
    require(model, "model");
    require(out_name, "out_name");
    if (index < 0 || index >= model->model->info().classes)
      fail(ESPNET_ERROR_INVALID_ARGUMENT, "class index " + std::to_string(index) +
                                              " is outside 0.." +
                                              std::to_string(model->model->info().classes - 1));
    *out_name = name_of(*model->names, index);
  });
}

espnet_status espnet_session_options_init(espnet_session_options* options) {
  return guarded("espnet_session_options_init", [&] {
    require(options, "options");
    const espnet::SessionOptions defaults;
    *options = espnet_session_options{};
    options->threads = defaults.threads;
    options->precision = static_cast<espnet_precision>(defaults.precision);
    options->memory_limit_bytes = defaults.memory_limit_bytes;
  });
}

namespace {

// Both creating calls: their errors name the function the caller called.
espnet_status create_session(const char* function, const espnet_model* model,
                             const espnet_session_options* options, espnet_session** out_session) {
  return guarded(function, [&] {
    require(out_session, "out_session");
    *out_session = nullptr;
    require(model, "model");
    require(options, "options");
    if (options->threads < 0 || options->threads > 1024)
      fail(ESPNET_ERROR_INVALID_ARGUMENT,
           "threads must be 0..1024, got " + std::to_string(options->threads));
    // The enum's storage is read as its underlying integer: a C caller may store any value
    // there, and loading one outside the enumerators as the enum is undefined in C++.
    std::underlying_type_t<espnet_precision> raw_precision;
    static_assert(sizeof raw_precision == sizeof options->precision, "enum storage");
    std::memcpy(&raw_precision, &options->precision, sizeof raw_precision);
    const long long precision = static_cast<long long>(raw_precision);
    if (precision < ESPNET_PRECISION_FP32 || precision > ESPNET_PRECISION_INT8)
      fail(ESPNET_ERROR_INVALID_ARGUMENT,
           "precision must be ESPNET_PRECISION_FP32, _BF16 or _INT8, got " +
               std::to_string(precision));
    espnet::SessionOptions session_options;
    session_options.threads = options->threads;
    session_options.precision = static_cast<espnet::Precision>(precision);
    session_options.memory_limit_bytes = options->memory_limit_bytes;
    auto handle = std::make_unique<espnet_session>();
    handle->model = model->model;
    handle->names = model->names;
    handle->session = std::make_unique<espnet::Session>(model->model, session_options);
    *out_session = handle.release();
  });
}

}  // namespace

espnet_status espnet_session_create_with_options(const espnet_model* model,
                                                 const espnet_session_options* options,
                                                 espnet_session** out_session) {
  return create_session("espnet_session_create_with_options", model, options, out_session);
}

espnet_status espnet_session_create(const espnet_model* model, int threads,
                                    espnet_session** out_session) {
  espnet_session_options options;
  espnet_session_options_init(&options);
  options.threads = threads;
  return create_session("espnet_session_create", model, &options, out_session);
}

espnet_status espnet_session_precision_report(const espnet_session* session,
                                              espnet_precision_report* out_report) {
  return guarded("espnet_session_precision_report", [&] {
    require(session, "session");
    const espnet::Session::Claim claim(*session->session);
    require(out_report, "out_report");
    const espnet::PrecisionReport report = session->session->precision_report();
    std::string& kernels = session->report_kernels;
    kernels = report.kernels;
    espnet_precision_report out{};
    out.precision = static_cast<espnet_precision>(report.precision);
    out.reduced_convolutions = report.reduced_convolutions;
    out.fp32_convolutions = report.fp32_convolutions;
    out.reduced_macs = report.reduced_macs;
    out.fp32_macs = report.fp32_macs;
    out.int8_fallbacks = report.int8_fallbacks;
    out.kernels = kernels.c_str();
    *out_report = out;
  });
}

void espnet_session_free(espnet_session* session) {
  delete session;
}

espnet_status espnet_session_set_trace(espnet_session* session, espnet_trace_callback callback,
                                       void* user_data) {
  return guarded("espnet_session_set_trace", [&] {
    require(session, "session");
    if (callback == nullptr) {
      session->session->set_trace({});
      return;
    }
    session->session->set_trace(
        [callback, user_data](const std::string& name, const espnet::Tensor& value) {
          espnet_output_info info{};
          info.name = name.c_str();
          info.rank = std::min(value.rank(), ESPNET_MAX_RANK);
          for (int i = 0; i < info.rank; ++i) info.shape[i] = value.dim(i);
          info.numel = static_cast<size_t>(value.numel());
          callback(name.c_str(), &info, value.data(), user_data);
        });
  });
}

espnet_status espnet_session_prepare(espnet_session* session, int n, int height, int width,
                                     size_t* out_count) {
  return guarded("espnet_session_prepare", [&] {
    require(session, "session");
    // Before the handle is touched: its input buffer and outputs belong to one thread.
    const espnet::Session::Claim claim(*session->session);
    require(out_count, "out_count");
    run_input(session, nullptr, n, height, width);
    *out_count = session->outputs->size();
  });
}

espnet_status espnet_session_output_info(const espnet_session* session, size_t index,
                                         espnet_output_info* out_info) {
  return guarded("espnet_session_output_info", [&] {
    require(session, "session");
    // Before the handle is touched: its input buffer and outputs belong to one thread.
    const espnet::Session::Claim claim(*session->session);
    require(out_info, "out_info");
    if (session->outputs == nullptr)
      fail(ESPNET_ERROR_INVALID_ARGUMENT,
           "the session has not run yet: call espnet_session_prepare first");
    if (index >= session->outputs->size())
      fail(ESPNET_ERROR_INVALID_ARGUMENT,
           "output index " + std::to_string(index) + " is past the " +
               std::to_string(session->outputs->size()) + " outputs");
    const espnet::NamedTensor& output = (*session->outputs)[index];
    espnet_output_info info{};
    info.name = output.name.c_str();
    info.rank = output.value.rank();
    for (int i = 0; i < info.rank && i < ESPNET_MAX_RANK; ++i) info.shape[i] = output.value.dim(i);
    info.numel = static_cast<size_t>(output.value.numel());
    *out_info = info;
  });
}

espnet_status espnet_session_run(espnet_session* session, const float* input, size_t input_floats,
                                 int n, int height, int width, float* const* outputs,
                                 const size_t* capacities, size_t output_count) {
  return guarded("espnet_session_run", [&] {
    require(session, "session");
    // Before the handle is touched: its input buffer and outputs belong to one thread.
    const espnet::Session::Claim claim(*session->session);
    require(input, "input");
    require(outputs, "outputs");
    require(capacities, "capacities");
    check_size(width, height, "input");
    if (n < 1 || n > 1024) fail(ESPNET_ERROR_INVALID_ARGUMENT, "n must be 1..1024");
    const uint64_t expected = uint64_t(n) * 3 * uint64_t(height) * uint64_t(width);
    if (input_floats != expected)
      fail(ESPNET_ERROR_INVALID_ARGUMENT, "input_floats is " + std::to_string(input_floats) +
                                              "; an input of " + std::to_string(n) + "x3x" +
                                              std::to_string(height) + "x" + std::to_string(width) +
                                              " has " + std::to_string(expected));
    for (size_t i = 0; i < output_count; ++i) require(outputs[i], "outputs[i]");
    run_input(session, input, n, height, width);
    const std::vector<espnet::NamedTensor>& results = *session->outputs;
    if (output_count != results.size())
      fail(ESPNET_ERROR_INVALID_ARGUMENT, "output_count is " + std::to_string(output_count) +
                                              "; the network has " +
                                              std::to_string(results.size()) + " outputs");
    for (size_t i = 0; i < results.size(); ++i) {
      const size_t numel = static_cast<size_t>(results[i].value.numel());
      if (capacities[i] < numel)
        fail(ESPNET_ERROR_BUFFER_TOO_SMALL,
             "output " + std::to_string(i) + " ('" + results[i].name + "', " +
                 espnet::shape_to_string(results[i].value.shape()) + ") needs " +
                 std::to_string(numel) + " floats; its buffer holds " +
                 std::to_string(capacities[i]));
    }
    for (size_t i = 0; i < results.size(); ++i)
      std::memcpy(outputs[i], results[i].value.data(),
                  static_cast<size_t>(results[i].value.numel()) * sizeof(float));
  });
}

espnet_status espnet_classify_rgb8(espnet_session* session, const uint8_t* rgb, size_t rgb_size,
                                   int width, int height, int top_k, espnet_class_score* out,
                                   size_t* out_count) {
  return guarded("espnet_classify_rgb8", [&] {
    require(session, "session");
    // Before the handle is touched: its input buffer and outputs belong to one thread.
    const espnet::Session::Claim claim(*session->session);
    require(out, "out");
    require(out_count, "out_count");
    *out_count = 0;
    if (top_k < 1) fail(ESPNET_ERROR_INVALID_ARGUMENT, "top_k must be at least 1");
    require_task(session, espnet::Task::kClassification, "espnet_classify_rgb8");
    const espnet::Image image = image_from_rgb8(rgb, rgb_size, width, height);
    const std::vector<espnet::ClassScore> scores =
        espnet::classify(*session->session, image, top_k);
    session->outputs = nullptr;  // the task call ran the session: no raw outputs to describe
    for (size_t i = 0; i < scores.size(); ++i)
      out[i] = {scores[i].index, scores[i].probability, name_of(*session->names, scores[i].index)};
    *out_count = scores.size();
  });
}

espnet_status espnet_segment_rgb8(espnet_session* session, const uint8_t* rgb, size_t rgb_size,
                                  int width, int height, int network_width, int network_height,
                                  uint8_t* labels, size_t labels_size) {
  return guarded("espnet_segment_rgb8", [&] {
    require(session, "session");
    // Before the handle is touched: its input buffer and outputs belong to one thread.
    const espnet::Session::Claim claim(*session->session);
    require(labels, "labels");
    require_task(session, espnet::Task::kSegmentation, "espnet_segment_rgb8");
    const espnet::Image image = image_from_rgb8(rgb, rgb_size, width, height);
    const size_t needed = static_cast<size_t>(width) * static_cast<size_t>(height);
    if (labels_size < needed)
      fail(ESPNET_ERROR_BUFFER_TOO_SMALL,
           "labels holds " + std::to_string(labels_size) + " bytes; a " + std::to_string(width) +
               "x" + std::to_string(height) + " label map needs " + std::to_string(needed));
    // Only the labels leave: the run ends with them, and no logits are made or copied.
    espnet::SegmentOptions options{network_width, network_height};
    options.keep_logits = false;
    const espnet::SegmentationResult result = espnet::segment(*session->session, image, options);
    session->outputs = nullptr;
    std::memcpy(labels, result.labels.data(), needed);
  });
}

espnet_status espnet_detect_rgb8(espnet_session* session, const uint8_t* rgb, size_t rgb_size,
                                 int width, int height, float score_threshold,
                                 espnet_detection* out, size_t capacity, size_t* out_count) {
  return guarded("espnet_detect_rgb8", [&] {
    require(session, "session");
    // Before the handle is touched: its input buffer and outputs belong to one thread.
    const espnet::Session::Claim claim(*session->session);
    require(out, "out");
    require(out_count, "out_count");
    *out_count = 0;
    if (capacity < 1 || capacity > 1000000)
      fail(ESPNET_ERROR_INVALID_ARGUMENT, "capacity must be 1..1000000");
    require_task(session, espnet::Task::kDetection, "espnet_detect_rgb8");
    const espnet::Image image = image_from_rgb8(rgb, rgb_size, width, height);
    espnet::DetectOptions options;
    options.score_threshold = score_threshold < 0 ? -1.0f : score_threshold;
    options.max_detections = static_cast<int>(capacity);
    const std::vector<espnet::Detection> detections =
        espnet::detect(*session->session, image, options);
    session->outputs = nullptr;
    for (size_t i = 0; i < detections.size() && i < capacity; ++i) {
      const espnet::Detection& d = detections[i];
      out[i] = {d.x1, d.y1, d.x2, d.y2, d.score, d.label, name_of(*session->names, d.label)};
    }
    *out_count = std::min(detections.size(), capacity);
  });
}

}  // extern "C"
