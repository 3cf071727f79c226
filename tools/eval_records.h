// What one image contributes to `espnet eval`'s scores, as a line of its --jsonl file, so that an
// interrupted run resumes from its records (--resume) and the records of N shards, run anywhere,
// merge into the scores of one run (--merge):
// - segmentation: the image's confusion matrix cells, "confusion": [[truth, predicted, pixels]...];
// - classification: "label" and the five best classes, "top5";
// - detection: its predictions matched to its ground truth, "matches": [[class, score, match]...]
//   (score printed so that it reads back to the same float) and "positives": [[class, boxes]...].
// Images are keyed by "id", the photo's path under the dataset's folder, which does not change when
// another machine mounts the dataset elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "espnet/model.h"
#include "eval/detection_metrics.h"
#include "json_reader.h"

namespace espnet::cli {

struct EvalRecord {
  std::string id;
  std::vector<std::array<int64_t, 3>> confusion;  ///< truth, predicted, pixels (non-zero cells)
  int label = -1;                                 ///< classification
  std::vector<int> ranked;                        ///< classification: best classes first
  eval::ImageMatches matches;                     ///< detection
};

/// The record's score fields, as JSON members to append after others: ", \"confusion\": ...".
std::string eval_record_fields(const EvalRecord& record, Task task);

/// Reads back a record eval_record_fields wrote (with its "id"); an espnet::Error saying what is
/// wrong for anything else (a field missing, a class outside 0..classes-1, a negative count).
EvalRecord parse_eval_record(const JsonValue& json, Task task, int classes);

/// `photo`'s path relative to the dataset folder `root` (the photo itself when it is not inside).
std::string dataset_id(const std::string& root, const std::string& photo);

}  // namespace espnet::cli
