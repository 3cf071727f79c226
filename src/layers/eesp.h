// The ESPNetv2 building blocks: the EESP unit (reduce, K dilated depth-wise branches with
// hierarchical feature fusion, expand) and the strided down-sampler with its long-range shortcut
// from the input image.
#pragma once

#include <string>
#include <vector>

#include "layers/conv_layer.h"

namespace espnet {

/// The input image average-pooled 3x3/s2/p1 repeatedly, each level computed once per run.
class ImagePyramid {
 public:
  explicit ImagePyramid(const Tensor& image) : image_(image) {}
  /// The image pooled at least once and until its height is `height` (as upstream's loop).
  const Tensor& at_height(ExecContext& ctx, int64_t height);

 private:
  static constexpr int kMaxLevels = 16;
  const Tensor& image_;
  Tensor levels_[kMaxLevels];
  int count_ = 0;
};

/// Dilations of the K branches for a receptive-field limit, as upstream: kernel sizes 3 + 2i
/// (3 when above r_lim), sorted, mapped to dilation (k - 1) / 2.
std::vector<int> eesp_dilations(int branches, int receptive_limit);

class EespUnit {
 public:
  static constexpr int kMaxBranches = 8;

  EespUnit() = default;
  /// `prefix` e.g. "level3.0"; stride 2 builds the down-sampler's variant (no residual, no
  /// final PReLU: its `module_act` exists in the checkpoint but is unused upstream).
  EespUnit(WeightReader& reader, const std::string& prefix, int in_channels, int out_channels,
           int stride, int branches, int receptive_limit);
  /// Dilations set explicitly (the original segmentation network's PSP EESP).
  EespUnit(WeightReader& reader, const std::string& prefix, int in_channels, int out_channels,
           int stride, const std::vector<int>& dilations);

  Tensor forward(ExecContext& ctx, const Tensor& x) const;
  /// The same from an input the caller gives up: a unit with a residual writes its output over
  /// the input (one tensor less alive), untraced runs only. `x` must own its memory.
  Tensor forward(ExecContext& ctx, Tensor&& x) const;
  /// A unit without a residual (stride 2) in two steps, so that a caller can place the output:
  /// spatial() reduces, runs the branches with their fusion and BN+PReLU; expand_into() writes
  /// the expansion of that into `into` (the output's shape, e.g. a view into a concatenation).
  Tensor spatial(ExecContext& ctx, const Tensor& x) const;
  void expand_into(ExecContext& ctx, const Tensor& spatial_out, Tensor& into) const;
  int out_channels() const { return out_channels_; }

 private:
  bool residual_fits(const Tensor& x, const Tensor& cat) const;

  void build(WeightReader& reader, const std::string& prefix, int in_channels, int stride,
             const std::vector<int>& dilations);

  int out_channels_ = 0;
  int stride_ = 1;
  ConvLayer reduce_;                 // proj_1x1: grouped 1x1 + BN + PReLU
  std::vector<ConvLayer> branches_;  // spp_dw.i: depth-wise dilated 3x3 (traced runs only)
  std::vector<int> dilations_;
  Tensor spatial_weights_;            // the branches' kernels back to back, for the fused stage
  BnActivation after_concat_;         // br_after_cat: BN + PReLU
  ConvLayer expand_;                  // conv_1x1_exp: grouped 1x1 + BN
  std::vector<float> module_slopes_;  // module_act (stride 1 only)
};

class DownSampler {
 public:
  DownSampler() = default;
  /// `image_shortcut` false leaves the inp_reinf weights unused (the classifier's level5_0).
  DownSampler(WeightReader& reader, const std::string& prefix, int in_channels, int out_channels,
              int branches, int receptive_limit, bool image_shortcut);

  /// `pyramid` may be null (no shortcut at run time).
  Tensor forward(ExecContext& ctx, const Tensor& x, ImagePyramid* pyramid) const;

 private:
  EespUnit eesp_;
  bool image_shortcut_ = false;
  ConvLayer reinforce_3x3_;  // inp_reinf.0: 3x3 CBR on the pooled image
  ConvLayer reinforce_1x1_;  // inp_reinf.1: 1x1 CB to out_channels
  std::vector<float> slopes_;
};

}  // namespace espnet
