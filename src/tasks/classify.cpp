// Classification: ImageNet evaluation preprocessing, the network, softmax top-k.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "espnet/error.h"
#include "espnet/tasks.h"
#include "image/preprocess.h"
#include "tasks/stage_clock.h"
#include "tasks/task_stages.h"

namespace espnet {

std::vector<ClassScore> top_classes(const float* logits, int classes, int top_k,
                                    const std::vector<std::string>& names) {
  if (logits == nullptr) throw Error("top_classes: logits is null");
  if (classes < 1)
    throw Error("top_classes: classes must be at least 1, got " + std::to_string(classes));
  if (top_k < 1) throw Error("top_classes: top_k must be at least 1, got " + std::to_string(top_k));
  // Softmax in double with the maximum subtracted: no overflow, and the ranking of classes whose
  // float probabilities would round equal is kept.
  const float max_logit = *std::max_element(logits, logits + classes);
  std::vector<double> p(static_cast<size_t>(classes));
  double sum = 0;
  for (int i = 0; i < classes; ++i) sum += p[i] = std::exp(double(logits[i]) - max_logit);
  std::vector<int> order(static_cast<size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  const int k = std::min(top_k, classes);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  std::vector<ClassScore> out;
  out.reserve(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    const int index = order[i];
    const std::string name = static_cast<size_t>(index) < names.size() ? names[index] : "";
    out.push_back({index, name, static_cast<float>(p[index] / sum)});
  }
  return out;
}

PreparedPhoto prepare_classification(const Model& model, const Image& rgb, int threads) {
  const ModelInfo& info = model.info();
  if (info.task != Task::kClassification)
    throw Error(std::string("classify needs a classification model; the session's model is a ") +
                task_name(info.task) + " model");
  StageClock clock;
  PreparedPhoto prepared;
  prepared.input = preprocess_classification(rgb, 224, 256, threads);
  prepared.photo_width = rgb.width;
  prepared.photo_height = rgb.height;
  prepared.network_width = static_cast<int>(prepared.input.shape()[3]);
  prepared.network_height = static_cast<int>(prepared.input.shape()[2]);
  prepared.preprocess_ms = clock.lap_ms();
  return prepared;
}

std::vector<ClassScore> finish_classification(const Model& model, const Tensor& logits, int top_k) {
  const ModelInfo& info = model.info();
  if (logits.numel() != info.classes)
    throw Error("classify: the network produced " + shape_to_string(logits.shape()) +
                " logits for " + std::to_string(info.classes) + " classes");
  return top_classes(logits.data(), info.classes, top_k, class_names(model));
}

std::vector<ClassScore> classify(Session& session, const Image& rgb, int top_k, StageTimes* times) {
  if (top_k < 1) throw Error("classify: top_k must be at least 1, got " + std::to_string(top_k));
  // Held from the run until the outputs are read: another thread's run would overwrite them.
  const Session::Claim claim(session);
  const PreparedPhoto prepared = prepare_classification(session.model(), rgb, session.threads());
  StageClock clock;
  const std::vector<NamedTensor>& outputs = session.run(prepared.input);
  const double network_ms = clock.lap_ms();
  std::vector<ClassScore> scores =
      finish_classification(session.model(), outputs.at(0).value, top_k);
  if (times) *times = {prepared.preprocess_ms, network_ms, clock.lap_ms()};
  return scores;
}

}  // namespace espnet
