#include "eval_records.h"

#include <cmath>
#include <cstdio>

#include "cli_common.h"
#include "espnet/error.h"

namespace espnet::cli {
namespace {

// A JSON number that must be an integer in [min, max].
int64_t integer(const JsonValue& v, int64_t min, int64_t max, const char* what) {
  const double x = v.number();
  if (!(x >= static_cast<double>(min) && x <= static_cast<double>(max)) || std::floor(x) != x)
    throw Error(std::string("eval record: ") + what + " " + std::to_string(x) +
                " is not an integer in " + std::to_string(min) + ".." + std::to_string(max));
  return static_cast<int64_t>(x);
}

}  // namespace

std::string eval_record_fields(const EvalRecord& record, Task task) {
  std::string out;
  if (task == Task::kSegmentation) {
    out += ", \"confusion\": [";
    for (size_t k = 0; k < record.confusion.size(); ++k) {
      const std::array<int64_t, 3>& c = record.confusion[k];
      out += (k ? ", [" : "[") + std::to_string(c[0]) + ", " + std::to_string(c[1]) + ", " +
             std::to_string(c[2]) + "]";
    }
    return out + "]";
  }
  if (task == Task::kClassification) {
    out += ", \"label\": " + std::to_string(record.label) + ", \"top5\": [";
    for (size_t k = 0; k < record.ranked.size(); ++k)
      out += (k ? ", " : "") + std::to_string(record.ranked[k]);
    return out + "]";
  }
  out += ", \"positives\": [";
  bool first = true;
  for (size_t c = 0; c < record.matches.positives.size(); ++c) {
    if (record.matches.positives[c] == 0) continue;
    out += (first ? "[" : ", [") + std::to_string(c) + ", " +
           std::to_string(record.matches.positives[c]) + "]";
    first = false;
  }
  out += "], \"matches\": [";
  for (size_t k = 0; k < record.matches.predictions.size(); ++k) {
    const eval::ImageMatches::Prediction& p = record.matches.predictions[k];
    char score[32];
    std::snprintf(score, sizeof score, "%.9g", p.score);  // 9 digits: the same float read back
    out += (k ? ", [" : "[") + std::to_string(p.label) + ", " + score + ", " +
           std::to_string(p.match) + "]";
  }
  return out + "]";
}

EvalRecord parse_eval_record(const JsonValue& json, Task task, int classes) {
  EvalRecord r;
  r.id = json["id"].str();
  if (task == Task::kSegmentation) {
    for (const JsonValue& cell : json["confusion"].array()) {
      if (cell.size() != 3)
        throw Error("eval record: a confusion cell is not [truth, predicted, pixels]");
      r.confusion.push_back({integer(cell[0], 0, classes - 1, "ground-truth class"),
                             integer(cell[1], 0, 255, "predicted label"),
                             integer(cell[2], 0, int64_t{1} << 50, "pixel count")});
    }
  } else if (task == Task::kClassification) {
    r.label = static_cast<int>(integer(json["label"], 0, classes - 1, "label"));
    for (const JsonValue& c : json["top5"].array())
      r.ranked.push_back(static_cast<int>(integer(c, 0, classes - 1, "class")));
  } else {
    r.matches.positives.assign(classes, 0);
    for (const JsonValue& p : json["positives"].array()) {
      if (p.size() != 2) throw Error("eval record: a positives entry is not [class, boxes]");
      r.matches.positives[integer(p[0], 0, classes - 1, "class")] +=
          integer(p[1], 0, int64_t{1} << 40, "box count");
    }
    for (const JsonValue& m : json["matches"].array()) {
      if (m.size() != 3) throw Error("eval record: a match is not [class, score, match]");
      const double score = m[1].number();
      if (!std::isfinite(score)) throw Error("eval record: a score is not a finite number");
      r.matches.predictions.push_back({static_cast<int>(integer(m[0], 0, classes - 1, "class")),
                                       static_cast<float>(score),
                                       static_cast<int8_t>(integer(m[2], -1, 1, "match"))});
    }
  }
  return r;
}

std::string dataset_id(const std::string& root, const std::string& photo) {
  std::string prefix = root;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  if (photo.size() > prefix.size() && photo.compare(0, prefix.size(), prefix) == 0)
    return photo.substr(prefix.size());
  return photo;
}

}  // namespace espnet::cli
