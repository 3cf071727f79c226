/* The C API from a C program: classification logits against the reference case
   cls_s0.5_224x224 (its input.npy and logits.npy), the convenience calls, the error paths
   (missing file, NULL pointers, bad buffer sizes, wrong task), sessions with options (precision,
   memory limit) and their precision reports, and one session entered by a second thread (held
   inside its first run by the trace callback, so the overlap is certain).
   Argument 1: an int8 model of that classifier (written by `espnet quantize` as a ctest
   fixture), run against the same reference logits.
   Exit 77 (skipped) without the reference data. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "espnet/espnet_c.h"

static int failures = 0, checks = 0;

#define CHECK(cond)                                                                              \
  do {                                                                                           \
    ++checks;                                                                                    \
    if (!(cond)) {                                                                               \
      ++failures;                                                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: '%s')\n", __FILE__, __LINE__, #cond, \
              espnet_last_error());                                                              \
    }                                                                                            \
  } while (0)

static char ref_dir[4096];

static const char* ref_path(const char* relative) {
  static char path[8192];
  snprintf(path, sizeof path, "%s/%s", ref_dir, relative);
  return path;
}

/* A little-endian float32 .npy file of exactly `count` elements, or NULL. Enough of the format
   for the reference files: magic, version 1/2 header length, '<f4' and C order in the header. */
static float* read_npy_f32(const char* path, size_t count) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char magic[10];
  float* data = NULL;
  if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "\x93NUMPY", 6) != 0) goto done;
  size_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char len[2];
    if (fread(len, 1, 2, f) != 2) goto done;
    header_len = (size_t)len[0] | ((size_t)len[1] << 8);
  } else {
    unsigned char len[4];
    if (fread(len, 1, 4, f) != 4) goto done;
    header_len =
        (size_t)len[0] | ((size_t)len[1] << 8) | ((size_t)len[2] << 16) | ((size_t)len[3] << 24);
  }
  if (header_len > 65536) goto done;
  char* header = malloc(header_len + 1);
  if (!header || fread(header, 1, header_len, f) != header_len) {
    free(header);
    goto done;
  }
  header[header_len] = 0;
  const int ok = strstr(header, "'<f4'") && strstr(header, "'fortran_order': False");
  free(header);
  if (!ok) goto done;
  data = malloc(count * sizeof(float));
  if (data && fread(data, sizeof(float), count, f) != count) {
    free(data);
    data = NULL;
  }
  if (data && fgetc(f) != EOF) { /* more elements than expected */
    free(data);
    data = NULL;
  }
done:
  fclose(f);
  return data;
}

/* A deterministic RGB test picture: gradients and a bright square. */
static unsigned char* make_picture(int width, int height) {
  unsigned char* rgb = malloc((size_t)width * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      unsigned char* p = rgb + ((size_t)y * width + x) * 3;
      const int inside = x > width / 4 && x < width / 2 && y > height / 3 && y < height * 2 / 3;
      p[0] = (unsigned char)(inside ? 250 : x * 255 / width);
      p[1] = (unsigned char)(inside ? 240 : y * 255 / height);
      p[2] = (unsigned char)((x + y) % 256);
    }
  return rgb;
}

static void test_errors(void) {
  espnet_model* model = (espnet_model*)1;
  CHECK(espnet_model_load("/nonexistent/model.pth", 0, &model) == ESPNET_ERROR_FAILED);
  CHECK(model == NULL);
  CHECK(strstr(espnet_last_error(), "/nonexistent/model.pth") != NULL);
  CHECK(espnet_model_load(NULL, 0, &model) == ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(espnet_last_error(), "path") != NULL);
  CHECK(espnet_model_load(ref_path("manifest.json"), 0, &model) == ESPNET_ERROR_FAILED);
  CHECK(espnet_model_get_info(NULL, NULL) == ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(espnet_session_create(NULL, 0, NULL) == ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(strcmp(espnet_status_string(ESPNET_ERROR_BUFFER_TOO_SMALL),
               "ESPNET_ERROR_BUFFER_TOO_SMALL: buffer too small") == 0);
  uint8_t* pixels = (uint8_t*)1;
  int width = 0, height = 0;
  CHECK(espnet_image_decode("/nonexistent/photo.jpg", &pixels, &width, &height) ==
        ESPNET_ERROR_FAILED);
  CHECK(pixels == NULL);
  CHECK(strstr(espnet_last_error(), "/nonexistent/photo.jpg") != NULL);
  CHECK(espnet_image_decode(ref_path("images/sample8.jpg"), &pixels, &width, &height) == ESPNET_OK);
  CHECK(pixels != NULL && width == 275 && height == 183);
  espnet_image_free(pixels);
  espnet_model_free(NULL);
  espnet_session_free(NULL);
  espnet_image_free(NULL);
}

static void test_classification(void) {
  espnet_model* model = NULL;
  CHECK(espnet_model_load(ref_path("checkpoints/cls_s0.5_random_legacy.pth"), 0, &model) ==
        ESPNET_OK);
  CHECK(strcmp(espnet_last_error(), "") == 0);
  if (!model) return;
  espnet_model_info info;
  CHECK(espnet_model_get_info(model, &info) == ESPNET_OK);
  CHECK(info.task == ESPNET_TASK_CLASSIFICATION);
  CHECK(info.classes == 1000);
  CHECK(info.scale == 0.5);
  const char* name = NULL;
  CHECK(espnet_model_class_name(model, 1, &name) == ESPNET_OK && strcmp(name, "goldfish") == 0);
  CHECK(espnet_model_class_name(model, 1000, &name) == ESPNET_ERROR_INVALID_ARGUMENT);

  espnet_session* session = NULL;
  CHECK(espnet_session_create(model, 1, &session) == ESPNET_OK);
  espnet_session_free(session); /* the failing call below nulls `session` (LeakSanitizer) */
  CHECK(espnet_session_create(model, -1, &session) == ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(session == NULL);
  CHECK(strncmp(espnet_last_error(), "espnet_session_create: ", 23) == 0);
  CHECK(espnet_session_create(model, 1, &session) == ESPNET_OK);
  espnet_output_info out_info;
  CHECK(espnet_session_output_info(session, 0, &out_info) == ESPNET_ERROR_INVALID_ARGUMENT);
  size_t count = 0;
  CHECK(espnet_session_prepare(session, 1, 224, 224, &count) == ESPNET_OK);
  CHECK(count == 1);
  CHECK(espnet_session_output_info(session, 0, &out_info) == ESPNET_OK);
  CHECK(strcmp(out_info.name, "logits") == 0);
  CHECK(out_info.rank == 2 && out_info.shape[0] == 1 && out_info.shape[1] == 1000);
  CHECK(out_info.numel == 1000);
  CHECK(espnet_session_output_info(session, 1, &out_info) == ESPNET_ERROR_INVALID_ARGUMENT);

  const size_t input_floats = 3 * 224 * 224;
  float* input = read_npy_f32(ref_path("cases/cls_s0.5_224x224/input.npy"), input_floats);
  float* expected = read_npy_f32(ref_path("cases/cls_s0.5_224x224/logits.npy"), 1000);
  CHECK(input != NULL && expected != NULL);
  if (input && expected) {
    float logits[1000];
    float* outputs[1] = {logits};
    size_t capacities[1] = {1000};
    for (int i = 0; i < 1000; ++i) logits[i] = NAN;
    CHECK(espnet_session_run(session, input, input_floats, 1, 224, 224, outputs, capacities, 1) ==
          ESPNET_OK);
    int bad = 0;
    double worst = 0;
    for (int i = 0; i < 1000; ++i) {
      const double diff = fabs((double)logits[i] - expected[i]);
      /* the manifest's tolerance for these logits: abs 1e-4 + rel 1e-4 */
      if (!(diff <= 1e-4 + 1e-4 * fabs(expected[i]))) ++bad;
      if (diff > worst || isnan(diff)) worst = diff;
    }
    printf("logits vs reference: %d of 1000 outside tolerance, worst |diff| %.3g\n", bad, worst);
    CHECK(bad == 0);

    /* Bad sizes: input, output count, output capacity. */
    CHECK(espnet_session_run(session, input, input_floats - 1, 1, 224, 224, outputs, capacities,
                             1) == ESPNET_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(espnet_last_error(), "input_floats") != NULL);
    size_t small[1] = {999};
    CHECK(espnet_session_run(session, input, input_floats, 1, 224, 224, outputs, small, 1) ==
          ESPNET_ERROR_BUFFER_TOO_SMALL);
    CHECK(strstr(espnet_last_error(), "1000 floats") != NULL);
    float* two[2] = {logits, logits};
    size_t two_capacities[2] = {1000, 1000};
    CHECK(espnet_session_run(session, input, input_floats, 1, 224, 224, two, two_capacities, 2) ==
          ESPNET_ERROR_INVALID_ARGUMENT);
    CHECK(espnet_session_run(session, input, input_floats, 1, 0, 224, outputs, capacities, 1) ==
          ESPNET_ERROR_INVALID_ARGUMENT);
    CHECK(espnet_session_run(session, NULL, input_floats, 1, 224, 224, outputs, capacities, 1) ==
          ESPNET_ERROR_INVALID_ARGUMENT);
  }
  free(input);
  free(expected);

  /* The session keeps the model (and its class names) alive after the model handle is freed. */
  espnet_model_free(model);
  const int width = 320, height = 240;
  unsigned char* rgb = make_picture(width, height);
  espnet_class_score top[5];
  size_t top_count = 0;
  const size_t rgb_size = (size_t)width * height * 3;
  CHECK(espnet_classify_rgb8(session, rgb, rgb_size, width, height, 5, top, &top_count) ==
        ESPNET_OK);
  CHECK(top_count == 5);
  for (size_t i = 0; i < top_count; ++i) {
    CHECK(top[i].index >= 0 && top[i].index < 1000);
    CHECK(top[i].probability > 0 && top[i].probability <= 1);
    CHECK(top[i].name != NULL && top[i].name[0] != 0);
    if (i) CHECK(top[i].probability <= top[i - 1].probability);
  }
  CHECK(espnet_classify_rgb8(session, rgb, rgb_size - 1, width, height, 5, top, &top_count) ==
        ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(espnet_last_error(), "rgb_size") != NULL);
  CHECK(espnet_classify_rgb8(session, rgb, rgb_size, width, height, 0, top, &top_count) ==
        ESPNET_ERROR_INVALID_ARGUMENT);
  unsigned char labels[4];
  CHECK(espnet_segment_rgb8(session, rgb, rgb_size, width, height, 0, 0, labels, sizeof labels) ==
        ESPNET_ERROR_WRONG_TASK);
  free(rgb);
  espnet_session_free(session);
}

static void test_segmentation(void) {
  espnet_model* model = NULL;
  CHECK(espnet_model_load(ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth"), 0, &model) ==
        ESPNET_OK);
  if (!model) return;
  espnet_session* session = NULL;
  CHECK(espnet_session_create(model, 0, &session) == ESPNET_OK);
  const int width = 100, height = 70;
  unsigned char* rgb = make_picture(width, height);
  const size_t rgb_size = (size_t)width * height * 3;
  unsigned char* labels = malloc((size_t)width * height);
  memset(labels, 255, (size_t)width * height);
  CHECK(espnet_segment_rgb8(session, rgb, rgb_size, width, height, 0, 0, labels,
                            (size_t)width * height) == ESPNET_OK);
  int in_range = 1;
  for (int i = 0; i < width * height; ++i) in_range &= labels[i] < 21;
  CHECK(in_range);
  CHECK(espnet_segment_rgb8(session, rgb, rgb_size, width, height, 0, 0, labels,
                            (size_t)width * height - 1) == ESPNET_ERROR_BUFFER_TOO_SMALL);
  CHECK(espnet_segment_rgb8(session, rgb, rgb_size, width, height, 64, 0, labels,
                            (size_t)width * height) == ESPNET_ERROR_FAILED);
  free(labels);
  free(rgb);
  espnet_session_free(session);
  espnet_model_free(model);
}

static void test_detection(void) {
  espnet_model* model = NULL;
  CHECK(espnet_model_load(ref_path("checkpoints/det_ssd512_voc_s1.0_random.pth"), 0, &model) ==
        ESPNET_OK);
  if (!model) return;
  espnet_session* session = NULL;
  CHECK(espnet_session_create(model, 0, &session) == ESPNET_OK);
  const int width = 200, height = 150;
  unsigned char* rgb = make_picture(width, height);
  const size_t rgb_size = (size_t)width * height * 3;
  espnet_detection found[3];
  size_t count = 99;
  CHECK(espnet_detect_rgb8(session, rgb, rgb_size, width, height, 0.01f, found, 3, &count) ==
        ESPNET_OK);
  CHECK(count <= 3);
  for (size_t i = 0; i < count; ++i) {
    CHECK(found[i].label >= 1 && found[i].label < 21);
    CHECK(found[i].score > 0.01f && found[i].score <= 1);
    CHECK(found[i].name != NULL && found[i].name[0] != 0);
  }
  CHECK(espnet_detect_rgb8(session, rgb, rgb_size, width, height, -1, found, 0, &count) ==
        ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(espnet_detect_rgb8(session, rgb, rgb_size, width, height, 2.0f, found, 3, &count) ==
        ESPNET_ERROR_FAILED);
  free(rgb);
  espnet_session_free(session);
  espnet_model_free(model);
}

/* A trace callback that stops the run at its first intermediate until the main thread has tried
   the same session from outside (or two minutes have passed: then the test fails, not hangs). */
struct held_run {
  pthread_mutex_t mutex;
  pthread_cond_t changed;
  int inside, tried, stopped_once;
  espnet_session* session;
  const float* input;
  float* logits;
  espnet_status status;
};

static void hold_first_trace(const char* name, const espnet_output_info* value, const float* data,
                             void* user_data) {
  struct held_run* run = user_data;
  (void)name, (void)value, (void)data;
  if (run->stopped_once) return;
  run->stopped_once = 1;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 120;
  pthread_mutex_lock(&run->mutex);
  run->inside = 1;
  pthread_cond_broadcast(&run->changed);
  while (!run->tried)
    if (pthread_cond_timedwait(&run->changed, &run->mutex, &deadline) == ETIMEDOUT) break;
  pthread_mutex_unlock(&run->mutex);
}

static void* run_held(void* arg) {
  struct held_run* run = arg;
  float* outputs[1] = {run->logits};
  const size_t capacities[1] = {1000};
  run->status =
      espnet_session_run(run->session, run->input, 3 * 64 * 64, 1, 64, 64, outputs, capacities, 1);
  return NULL;
}

static void test_session_in_use(void) {
  espnet_model* model = NULL;
  espnet_session* session = NULL;
  CHECK(espnet_model_load(ref_path("checkpoints/cls_s0.5_random_legacy.pth"), 0, &model) ==
        ESPNET_OK);
  CHECK(espnet_session_create(model, 1, &session) == ESPNET_OK);
  if (!session) return;
  static float input[3 * 64 * 64], first[1000], again[1000], intruder[1000];
  for (int i = 0; i < 3 * 64 * 64; ++i) input[i] = (float)(i % 89) / 89.0f - 0.5f;
  struct held_run run = {
      PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, session, input, first,
      ESPNET_ERROR_INTERNAL};
  CHECK(espnet_session_set_trace(session, hold_first_trace, &run) == ESPNET_OK);
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, run_held, &run) == 0);

  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 120;
  pthread_mutex_lock(&run.mutex);
  while (!run.inside)
    if (pthread_cond_timedwait(&run.changed, &run.mutex, &deadline) == ETIMEDOUT) break;
  const int inside = run.inside;
  pthread_mutex_unlock(&run.mutex);
  CHECK(inside);
  if (inside) {
    /* The session is inside its first run on the other thread: every call on it is refused. */
    float* outputs[1] = {intruder};
    const size_t capacities[1] = {1000};
    CHECK(espnet_session_run(session, input, 3 * 64 * 64, 1, 64, 64, outputs, capacities, 1) ==
          ESPNET_ERROR_SESSION_IN_USE);
    CHECK(strstr(espnet_last_error(), "one Session per thread") != NULL);
    size_t count = 0;
    CHECK(espnet_session_prepare(session, 1, 64, 64, &count) == ESPNET_ERROR_SESSION_IN_USE);
    espnet_output_info info;
    CHECK(espnet_session_output_info(session, 0, &info) == ESPNET_ERROR_SESSION_IN_USE);
    unsigned char* rgb = make_picture(40, 30);
    espnet_class_score top[1];
    CHECK(espnet_classify_rgb8(session, rgb, 40 * 30 * 3, 40, 30, 1, top, &count) ==
          ESPNET_ERROR_SESSION_IN_USE);
    free(rgb);
    CHECK(espnet_session_set_trace(session, NULL, NULL) == ESPNET_ERROR_SESSION_IN_USE);
  }
  pthread_mutex_lock(&run.mutex);
  run.tried = 1;
  pthread_cond_broadcast(&run.changed);
  pthread_mutex_unlock(&run.mutex);
  pthread_join(thread, NULL);
  CHECK(run.status == ESPNET_OK);

  /* The held run was not disturbed: the same logits as a run of its own (traced too: tracing
     turns the fused kernels off, which may change the last bits). */
  float* outputs[1] = {again};
  const size_t capacities[1] = {1000};
  CHECK(espnet_session_run(session, input, 3 * 64 * 64, 1, 64, 64, outputs, capacities, 1) ==
        ESPNET_OK);
  CHECK(memcmp(first, again, sizeof first) == 0);
  CHECK(espnet_session_set_trace(session, NULL, NULL) == ESPNET_OK);
  espnet_session_free(session);
  espnet_model_free(model);
}

/* The largest |a - b| over n floats, relative to the largest |b|. */
static double relative_max_error(const float* a, const float* b, size_t n) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = fabs((double)a[i] - (double)b[i]);
    if (d > worst || d != d) worst = d;
    if (fabs((double)b[i]) > scale) scale = fabs((double)b[i]);
  }
  return scale > 0 ? worst / scale : worst;
}

/* sqrt(sum (a - b)^2 / sum b^2): the measure of the reduced-precision tests. */
static double relative_rms(const float* a, const float* b, size_t n) {
  double error = 0, reference = 0;
  for (size_t i = 0; i < n; ++i) {
    error += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    reference += (double)b[i] * b[i];
  }
  return reference > 0 ? sqrt(error / reference) : sqrt(error);
}

/* Runs the reference case's input through a session with `options` over `path`; returns the
   status of creating the session and leaves the logits and the report in the out-parameters. */
static espnet_status run_with_options(const char* path, const espnet_session_options* options,
                                      const float* input, float* logits,
                                      espnet_precision_report* report, char* kernels,
                                      size_t kernels_size) {
  espnet_model* model = NULL;
  espnet_session* session = NULL;
  CHECK(espnet_model_load(path, 0, &model) == ESPNET_OK);
  const espnet_status created = espnet_session_create_with_options(model, options, &session);
  if (created == ESPNET_OK) {
    float* outputs[1] = {logits};
    const size_t capacities[1] = {1000};
    CHECK(espnet_session_run(session, input, 3 * 224 * 224, 1, 224, 224, outputs, capacities, 1) ==
          ESPNET_OK);
    CHECK(espnet_session_precision_report(session, report) == ESPNET_OK);
    snprintf(kernels, kernels_size, "%s", report->kernels ? report->kernels : "(null)");
  } else {
    CHECK(session == NULL);
  }
  espnet_session_free(session);
  espnet_model_free(model);
  return created;
}

static void test_precision(const char* int8_model) {
  espnet_session_options options;
  CHECK(espnet_session_options_init(NULL) == ESPNET_ERROR_INVALID_ARGUMENT);
  memset(&options, 0x5a, sizeof options);
  CHECK(espnet_session_options_init(&options) == ESPNET_OK);
  CHECK(options.threads == 0 && options.precision == ESPNET_PRECISION_FP32 &&
        options.memory_limit_bytes == 0);

  /* A copy: ref_path's buffer is reused by the next call. */
  char fp32_path[8192];
  snprintf(fp32_path, sizeof fp32_path, "%s", ref_path("checkpoints/cls_s0.5_random_legacy.pth"));
  espnet_model* model = NULL;
  espnet_session* session = NULL;
  CHECK(espnet_model_load(fp32_path, 0, &model) == ESPNET_OK);
  CHECK(espnet_session_create_with_options(model, NULL, &session) == ESPNET_ERROR_INVALID_ARGUMENT);
  options.precision = (espnet_precision)7;
  CHECK(espnet_session_create_with_options(model, &options, &session) ==
        ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(session == NULL && strstr(espnet_last_error(), "precision") != NULL);
  options.precision = ESPNET_PRECISION_FP32;
  options.threads = -2;
  CHECK(espnet_session_create_with_options(model, &options, &session) ==
        ESPNET_ERROR_INVALID_ARGUMENT);
  options.threads = 1;
  /* int8 needs a quantized model: refused when the session is made, naming the command. */
  options.precision = ESPNET_PRECISION_INT8;
  CHECK(espnet_session_create_with_options(model, &options, &session) == ESPNET_ERROR_FAILED);
  CHECK(session == NULL && strstr(espnet_last_error(), "quantize") != NULL);
  /* A memory limit no run fits in: the run is refused before allocating, naming the limit. */
  options.precision = ESPNET_PRECISION_FP32;
  options.memory_limit_bytes = 4096;
  CHECK(espnet_session_create_with_options(model, &options, &session) == ESPNET_OK);
  size_t count = 0;
  CHECK(espnet_session_prepare(session, 1, 224, 224, &count) == ESPNET_ERROR_FAILED);
  CHECK(strstr(espnet_last_error(), "4096") != NULL);
  espnet_precision_report report;
  CHECK(espnet_session_precision_report(session, NULL) == ESPNET_ERROR_INVALID_ARGUMENT);
  CHECK(espnet_session_precision_report(NULL, &report) == ESPNET_ERROR_INVALID_ARGUMENT);
  espnet_session_free(session);
  espnet_model_free(model);
  options.memory_limit_bytes = 0;

  float* input = read_npy_f32(ref_path("cases/cls_s0.5_224x224/input.npy"), 3 * 224 * 224);
  float* expected = read_npy_f32(ref_path("cases/cls_s0.5_224x224/logits.npy"), 1000);
  CHECK(input != NULL && expected != NULL);
  if (!input || !expected) {
    free(input);
    free(expected);
    return;
  }
  static float logits[1000];
  char kernels[256];
  /* fp32 through the options: within 1e-4 of the largest logit (the per-element tolerance of the
     manifest is checked on the plain session above), nothing in reduced precision. */
  options.precision = ESPNET_PRECISION_FP32;
  memset(&report, 0x5a, sizeof report);
  CHECK(run_with_options(fp32_path, &options, input, logits, &report, kernels, sizeof kernels) ==
        ESPNET_OK);
  CHECK(relative_max_error(logits, expected, 1000) < 1e-4);
  CHECK(report.precision == ESPNET_PRECISION_FP32 && report.reduced_convolutions == 0 &&
        report.fp32_convolutions > 0 && report.reduced_macs == 0 && report.fp32_macs > 0 &&
        report.int8_fallbacks == 0 && strcmp(kernels, "") == 0);
  /* bf16 where the CPU has it (else refused as failed, with the reason). */
  options.precision = ESPNET_PRECISION_BF16;
  memset(&report, 0, sizeof report);
  const espnet_status bf16 =
      run_with_options(fp32_path, &options, input, logits, &report, kernels, sizeof kernels);
  CHECK(bf16 == ESPNET_OK || bf16 == ESPNET_ERROR_FAILED);
  if (bf16 == ESPNET_OK) {
    /* The bound of the bf16 reference cases (Bf16ReferenceCase, where it is derived): 6 %. */
    printf("bf16 logits vs reference: relative RMS error %.4f\n",
           relative_rms(logits, expected, 1000));
    CHECK(relative_rms(logits, expected, 1000) < 0.06);
    CHECK(report.precision == ESPNET_PRECISION_BF16 && report.reduced_convolutions > 0 &&
          strlen(kernels) > 0);
  } else {
    CHECK(strstr(espnet_last_error(), "bf16") != NULL);
  }
  /* int8, from the fixture's quantized file. It was calibrated on the reference photos, not on
     this case's input, so the calibration goal (5 % relative RMS of the fp32 outputs) does not
     bind here: measured 7 %. The bound, 20 %, still catches a broken path (wrong scales, codes or
     layout give errors near 100 %); the report must say int8 ran. */
  if (int8_model) {
    options.precision = ESPNET_PRECISION_INT8;
    memset(&report, 0, sizeof report);
    CHECK(run_with_options(int8_model, &options, input, logits, &report, kernels, sizeof kernels) ==
          ESPNET_OK);
    const double error = relative_rms(logits, expected, 1000);
    printf("int8 logits vs reference: relative RMS error %.4f\n", error);
    CHECK(error < 0.2);
    CHECK(report.precision == ESPNET_PRECISION_INT8 && report.reduced_convolutions > 0 &&
          report.reduced_macs > 0 && strlen(kernels) > 0);
    /* fp32 on the quantized file is still fp32. */
    options.precision = ESPNET_PRECISION_FP32;
    CHECK(run_with_options(int8_model, &options, input, logits, &report, kernels, sizeof kernels) ==
          ESPNET_OK);
    CHECK(relative_max_error(logits, expected, 1000) < 1e-4 && report.reduced_convolutions == 0);
  }
  free(input);
  free(expected);
}

int main(int argc, char** argv) {
  const char* dir = getenv("ESPNET_REF_DIR");
  snprintf(ref_dir, sizeof ref_dir, "%s", dir && *dir ? dir : ESPNET_DEFAULT_REF_DIR);
  FILE* manifest = fopen(ref_path("manifest.json"), "rb");
  if (!manifest) {
    printf("SKIPPED: reference data not found at '%s' (set ESPNET_REF_DIR)\n", ref_dir);
    return 77;
  }
  fclose(manifest);
  test_errors();
  test_classification();
  test_segmentation();
  test_detection();
  test_session_in_use();
  test_precision(argc > 1 ? argv[1] : NULL);
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
