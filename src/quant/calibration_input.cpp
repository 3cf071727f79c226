#include "espnet/error.h"
#include "espnet/quantize.h"
#include "tasks/task_stages.h"

namespace espnet {

Tensor calibration_input(const Model& model, const Image& photo) {
  switch (model.info().task) {
    case Task::kClassification:
      return prepare_classification(model, photo).input;
    case Task::kSegmentation:
      return prepare_segmentation(model, photo, SegmentOptions{}).input;
    case Task::kDetection:
      return preprocess_detection(photo, model.info().input_size);
  }
  throw Error("calibration_input: unknown task");
}

}  // namespace espnet
