// The ESPNetv2 encoder (upstream EESPNet without its classifier): level1 (3x3/s2 CBR), the
// down-samplers level2_0 .. level5_0 and the EESP stacks level3, level4, level5.
#pragma once

#include <string>
#include <vector>

#include "layers/eesp.h"
#include "models/scale_table.h"

namespace espnet {

struct EncoderOptions {
  /// Build level5_0, level5 and the two extra level-5 CBRs (classification, detection).
  bool with_level5 = true;
  /// Feed the image shortcut to level5_0 too (detection does; classification does not).
  bool level5_image_shortcut = false;
};

struct EncoderOutputs {
  Tensor level1, level2, level3, level4, level5;
};

class Espnetv2Encoder {
 public:
  /// `prefix` is prepended to every key ("" for the classifier, "base_net." ...).
  Espnetv2Encoder(WeightReader& reader, const std::string& prefix, double scale,
                  const EncoderOptions& options);

  EncoderOutputs forward(ExecContext& ctx, const Tensor& image) const;
  const LevelChannels& channels() const { return channels_; }

 private:
  LevelChannels channels_;
  EncoderOptions options_;
  ConvLayer level1_;
  DownSampler level2_0_, level3_0_, level4_0_, level5_0_;
  std::vector<EespUnit> level3_, level4_, level5_;
  // Upstream module paths ("level3.0", ...), built once so a run formats no strings.
  std::vector<std::string> level3_names_, level4_names_, level5_names_;
  ConvLayer level5_depthwise_, level5_expand_;  // level5.3, level5.4
};

}  // namespace espnet
