/* The C API of espnet: opaque handles, status codes with messages, caller-provided buffers. For
   bindings from other languages and for C programs. Every function returns an espnet_status
   (ESPNET_OK on success) and never lets an exception or a crash through; espnet_last_error()
   says what went wrong. A model may be shared by threads; a session is used by one thread at a
   time: a call on a session that another thread is inside returns ESPNET_ERROR_SESSION_IN_USE
   at once (it never waits) and leaves the other thread's call undisturbed. */
#ifndef ESPNET_C_H
#define ESPNET_C_H

#include <stddef.h>
#include <stdint.h>

#include "espnet/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The result of every call. */
typedef enum espnet_status {
  ESPNET_OK = 0,                     /**< success */
  ESPNET_ERROR_INVALID_ARGUMENT = 1, /**< a null pointer, a size that does not match, a bad value */
  ESPNET_ERROR_BUFFER_TOO_SMALL = 2, /**< an output buffer cannot hold the result */
  ESPNET_ERROR_WRONG_TASK = 3,       /**< e.g. espnet_segment_rgb8 on a classifier */
  ESPNET_ERROR_FAILED = 4, /**< the library refused: missing or corrupt file, bad input, ... */
  ESPNET_ERROR_OUT_OF_MEMORY = 5, /**< an allocation failed */
  ESPNET_ERROR_INTERNAL = 6,      /**< an unexpected failure (a bug: please report it) */
  ESPNET_ERROR_SESSION_IN_USE = 7 /**< another thread is using this session: one per thread */
} espnet_status;

/** The message of the last call made on this thread: "" if it succeeded. Valid until the next
    call on this thread. */
ESPNET_API const char* espnet_last_error(void);

/** A fixed description of a status code ("ESPNET_ERROR_BUFFER_TOO_SMALL: ..."). */
ESPNET_API const char* espnet_status_string(espnet_status status);

/** Decodes a JPEG, PNG, BMP, GIF, TGA or 8-bit PNM file to 8-bit RGB: *out_rgb gets
    width * height * 3 bytes (rows top to bottom), to be freed with espnet_image_free. */
ESPNET_API espnet_status espnet_image_decode(const char* path, uint8_t** out_rgb, int* out_width,
                                             int* out_height);

/** Frees pixels from espnet_image_decode (NULL is ignored). */
ESPNET_API void espnet_image_free(uint8_t* rgb);

/** A loaded model (immutable; may be shared between threads). */
typedef struct espnet_model espnet_model;
/** A session running a model: its working memory. One thread at a time. */
typedef struct espnet_session espnet_session;

/** What a model computes. */
typedef enum espnet_task {
  ESPNET_TASK_CLASSIFICATION = 0,
  ESPNET_TASK_SEGMENTATION = 1,
  ESPNET_TASK_DETECTION = 2
} espnet_task;

/** Which code base the network comes from. */
typedef enum espnet_family {
  ESPNET_FAMILY_EDGENETS = 0, /**< the EdgeNets code (classification, segmentation, SSD) */
  ESPNET_FAMILY_ORIGINAL = 1  /**< the original ESPNetv2 repository's segmentation network */
} espnet_family;

/** A description of a model. */
typedef struct espnet_model_info {
  espnet_task task;
  espnet_family family;
  double scale;     /**< width multiplier s */
  int classes;      /**< output classes, background included where the task has one */
  int input_size;   /**< detection: 300 or 512; 0: any size */
  int64_t params;   /**< parameters, counted as upstream */
  char dataset[32]; /**< "imagenet", "pascal", "city", "coco", "voc" (NUL-terminated) */
} espnet_model_info;

/** Loads a .pth checkpoint or a model file written by `espnet convert` into *out_model (NULL
    on failure). detection_input_size: 300 or 512 for an SSD checkpoint whose file name does not
    say; 0 otherwise. Free with espnet_model_free. */
ESPNET_API espnet_status espnet_model_load(const char* path, int detection_input_size,
                                           espnet_model** out_model);

/** Frees a model (NULL is ignored). Sessions made from it stay valid. */
ESPNET_API void espnet_model_free(espnet_model* model);

/** Fills *out_info. */
ESPNET_API espnet_status espnet_model_get_info(const espnet_model* model,
                                               espnet_model_info* out_info);

/** The name of class `index` ("tench", "person", "road"), or "" where the classes have no
    names; valid as long as the model or one of its sessions lives. */
ESPNET_API espnet_status espnet_model_class_name(const espnet_model* model, int index,
                                                 const char** out_name);

/** A session over `model` with `threads` OpenMP threads (0: the OpenMP default). Free with
    espnet_session_free. */
ESPNET_API espnet_status espnet_session_create(const espnet_model* model, int threads,
                                               espnet_session** out_session);

/** Arithmetic of a session's convolutions (see espnet::Precision). */
typedef enum espnet_precision {
  ESPNET_PRECISION_FP32 = 0, /**< the default */
  ESPNET_PRECISION_BF16 = 1, /**< bf16 weights and activations, fp32 accumulation */
  ESPNET_PRECISION_INT8 = 2  /**< needs a model written by `espnet quantize` */
} espnet_precision;

/** Settings of a new session; fill with espnet_session_options_init, then change fields. */
typedef struct espnet_session_options {
  int threads;                /**< OpenMP threads; 0: the OpenMP default */
  espnet_precision precision; /**< ESPNET_PRECISION_FP32 unless changed */
  size_t memory_limit_bytes;  /**< most activation bytes a run may take; 0: available memory */
} espnet_session_options;

/** Fills *options with the defaults (those of espnet_session_create with threads 0). */
ESPNET_API espnet_status espnet_session_options_init(espnet_session_options* options);

/** A session over `model` with `options` (see espnet_session_options). Fails with
    ESPNET_ERROR_FAILED when the model cannot run in that precision (int8 on a model that was
    not quantized), with ESPNET_ERROR_INVALID_ARGUMENT on a value out of range. */
ESPNET_API espnet_status espnet_session_create_with_options(const espnet_model* model,
                                                            const espnet_session_options* options,
                                                            espnet_session** out_session);

/** What the last run computed in which precision (see espnet::PrecisionReport). */
typedef struct espnet_precision_report {
  espnet_precision precision;
  int reduced_convolutions; /**< convolutions that ran in bf16 or int8 */
  int fp32_convolutions;    /**< convolutions that ran in fp32 (by design or by fallback) */
  double reduced_macs;
  double fp32_macs;
  int int8_fallbacks;  /**< int8 layers whose input left the calibrated range: ran fp32 */
  const char* kernels; /**< reduced-precision kernels, comma-separated; valid until the
                           session's next run or report */
} espnet_precision_report;

/** Fills *out_report for the session's last run (zeros before its first). */
ESPNET_API espnet_status espnet_session_precision_report(const espnet_session* session,
                                                         espnet_precision_report* out_report);

/** Frees a session (NULL is ignored). */
ESPNET_API void espnet_session_free(espnet_session* session);

/** Largest output rank. */
#define ESPNET_MAX_RANK 8

/** One network output of the last run (or prepare). */
typedef struct espnet_output_info {
  const char* name; /**< "logits", "output", "confidences", "locations"; valid until the next run */
  int rank;
  int64_t shape[ESPNET_MAX_RANK];
  size_t numel; /**< elements: the floats its buffer must hold */
} espnet_output_info;

/** Plans the session for an input of n x 3 x height x width (runs it once on zeros, so the next
    runs at this size allocate nothing) and gives the number of outputs; then query each with
    espnet_session_output_info to size the buffers for espnet_session_run. */
ESPNET_API espnet_status espnet_session_prepare(espnet_session* session, int n, int height,
                                                int width, size_t* out_count);

/** Name and shape of output `index` of the last run or prepare. */
ESPNET_API espnet_status espnet_session_output_info(const espnet_session* session, size_t index,
                                                    espnet_output_info* out_info);

/** Runs the network on a normalised float32 NCHW input of n x 3 x height x width
    (`input_floats` = n * 3 * height * width) and copies output i into outputs[i], which holds
    capacities[i] floats; output_count must be the number of outputs. */
ESPNET_API espnet_status espnet_session_run(espnet_session* session, const float* input,
                                            size_t input_floats, int n, int height, int width,
                                            float* const* outputs, const size_t* capacities,
                                            size_t output_count);

/** Receives a named intermediate of a traced run ("level4.0.proj_1x1", upstream module paths):
    its shape in *value (value->name is `name`) and value->numel floats at `data`, both valid
    only during the call. Called on the thread running the session. */
typedef void (*espnet_trace_callback)(const char* name, const espnet_output_info* value,
                                      const float* data, void* user_data);

/** Calls `callback` with every named intermediate during the session's next runs (for debugging
    and parity checks; tracing turns the fused kernels off, so traced runs are slower). NULL
    stops tracing. */
ESPNET_API espnet_status espnet_session_set_trace(espnet_session* session,
                                                  espnet_trace_callback callback, void* user_data);

/** One class of a classification. */
typedef struct espnet_class_score {
  int index;         /**< output index (ImageNet class id) */
  float probability; /**< softmax probability */
  const char* name;  /**< class name or ""; valid as long as the model or a session lives */
} espnet_class_score;

/** Classifies an 8-bit RGB image (width * height * 3 bytes, rows top to bottom, `rgb_size` its
    byte count) with the ImageNet evaluation preprocessing; writes the min(top_k, classes) most
    probable classes into out (capacity top_k) and their count into *out_count. */
ESPNET_API espnet_status espnet_classify_rgb8(espnet_session* session, const uint8_t* rgb,
                                              size_t rgb_size, int width, int height, int top_k,
                                              espnet_class_score* out, size_t* out_count);

/** Segments an 8-bit RGB image with the demo preprocessing of the model's family (network size
    network_width x network_height, or 0 x 0 for the demo's choice, its longer side capped at
    2048 as SegmentOptions::max_side does by default) and writes width * height
    labels, at the image's size, into `labels` (labels_size bytes). */
ESPNET_API espnet_status espnet_segment_rgb8(espnet_session* session, const uint8_t* rgb,
                                             size_t rgb_size, int width, int height,
                                             int network_width, int network_height, uint8_t* labels,
                                             size_t labels_size);

/** One detected object, box corners in pixels of the image. */
typedef struct espnet_detection {
  float x1, y1, x2, y2;
  float score;      /**< class probability */
  int label;        /**< class index (0 is the background, never reported) */
  const char* name; /**< class name; valid as long as the model or a session lives */
} espnet_detection;

/** Detects objects in an 8-bit RGB image as the EdgeNets demo does. score_threshold < 0 takes
    the demo's default (0.4 VOC, 0.3 COCO). At most `capacity` detections are kept, the highest
    scores; they are written to out in the demo's order (by class, then score) and their count to
    *out_count. */
ESPNET_API espnet_status espnet_detect_rgb8(espnet_session* session, const uint8_t* rgb,
                                            size_t rgb_size, int width, int height,
                                            float score_threshold, espnet_detection* out,
                                            size_t capacity, size_t* out_count);

#ifdef __cplusplus
}
#endif

#endif /* ESPNET_C_H */
