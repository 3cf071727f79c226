// Tensor-level operations the networks are written in. Each checks its shapes, allocates its
// output and calls the kernel for the op; the model code never calls a kernel directly, so an
// optimised kernel replaces a reference one here without touching the networks.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "espnet/tensor.h"
#include "exec_context.h"
#include "kernels/reference/conv2d_ref.h"
#include "quant/int8_layer.h"

namespace espnet::ops {

/// A 1x1 layer's int8 form (an int8 run, a layer its plan marks int8; see quant/int8_layer.h).
using Int8Weight = Int8Layer;

/// Per-channel activation applied after a convolution or a BatchNorm.
enum class Activation { kNone, kPRelu, kRelu };

/// nn.Conv2d; `bias` empty means none. The weight is [out, in / groups, kh, kw].
/// `counted_bias`: whether the upstream layer had a bias of its own (a bias that only comes from
/// folding a BatchNorm is not counted by compute_flops).
/// `bf16_weight`: the weight as pack_bf16_gconv1x1_weight lays it out (a 1x1 layer, packed at
/// load), or null; with it a bf16 context (ctx.bf16) runs the layer in bf16, without it in fp32.
/// The same holds for the other convolutions below.
Tensor conv2d(ExecContext& ctx, const Tensor& input, const Conv2dParams& params,
              const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
              const uint32_t* bf16_weight = nullptr, const Int8Weight* int8_weight = nullptr);

/// A point-wise convolution (groups 1, bias, no activation) written pixel-major into rows of `out`
/// [N, rows, width]: pixel p of image n fills rows first_row + p * k .. + k - 1 (k = out_channels
/// / width), channel c at row first_row + p * k + c / width, column c % width. This is SSD's
/// flattened head layout. `packed` holds the weight as pack_pointwise_rows lays it out.
void conv1x1_rows(ExecContext& ctx, const Tensor& input, int out_channels, const Tensor& packed,
                  const std::vector<float>& bias, bool counted_bias, Tensor& out, int64_t first_row,
                  const uint32_t* bf16_packed = nullptr);

/// conv2d followed by a per-channel PReLU (`slopes` has out_channels values; empty means none),
/// fused into the kernel's epilogue on the optimised paths (grouped 1x1, depth-wise 3x3).
Tensor conv2d_prelu(ExecContext& ctx, const Tensor& input, const Conv2dParams& params,
                    const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                    const std::vector<float>& slopes, const uint32_t* bf16_weight = nullptr,
                    const Int8Weight* int8_weight = nullptr);

/// conv2d + `addend` (same shape as the output), then the PReLU (`slopes` empty: none), in one
/// kernel pass; 1x1 convolutions only (the EESP expansion with its residual, SSD's bottom-up
/// projection with its upsampled half).
Tensor conv2d_add_prelu(ExecContext& ctx, const Tensor& input, const Conv2dParams& params,
                        const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                        const Tensor* addend, const std::vector<float>& slopes,
                        const uint32_t* bf16_weight = nullptr,
                        const Int8Weight* int8_weight = nullptr);
/// conv2d_add_prelu (`addend` may be null) written into `into`, which must have the output's
/// shape and may be the addend itself (into = PReLU(conv(input) + into), in place) or a view
/// into a larger tensor; it must not be the input.
void conv2d_add_prelu_into(ExecContext& ctx, const Tensor& input, const Conv2dParams& params,
                           const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                           const Tensor* addend, const std::vector<float>& slopes, Tensor& into,
                           const uint32_t* bf16_weight = nullptr,
                           const Int8Weight* int8_weight = nullptr);

/// x * scale[c] + shift[c] then the activation (slopes for PReLU), in place.
void scale_shift_activate(ExecContext& ctx, Tensor& x, const std::vector<float>& scale,
                          const std::vector<float>& shift, Activation act,
                          const std::vector<float>& slopes);

/// nn.AvgPool2d(3, stride=2, padding=1) with count_include_pad=True.
Tensor avg_pool_3x3_s2(ExecContext& ctx, const Tensor& input);
/// The same written into `into` (the output's shape; e.g. a view into a concatenation).
void avg_pool_3x3_s2_into(ExecContext& ctx, const Tensor& input, Tensor& into);
Tensor adaptive_avg_pool(ExecContext& ctx, const Tensor& input, int out_h, int out_w);
/// [N, C, H, W] -> [N, C, 1, 1]
Tensor global_avg_pool(ExecContext& ctx, const Tensor& input);
/// F.interpolate(mode='bilinear', align_corners=True).
Tensor resize_bilinear(ExecContext& ctx, const Tensor& input, int out_h, int out_w);
/// [N, C <= 256, h, w] logits -> [N, 1, out_h, out_w]: each pixel's class (as a float) in
/// resize_bilinear(logits) without making that tensor; the argmax as argmax_labels.
Tensor resize_bilinear_argmax(ExecContext& ctx, const Tensor& logits, int out_h, int out_w);

/// Concatenation along channels.
Tensor concat_channels(ExecContext& ctx, const Tensor* const* inputs, size_t count);
inline Tensor concat_channels(ExecContext& ctx, std::initializer_list<const Tensor*> inputs) {
  return concat_channels(ctx, inputs.begin(), inputs.size());
}
/// a + b (same shape).
Tensor add(ExecContext& ctx, const Tensor& a, const Tensor& b);
void add_inplace(ExecContext& ctx, Tensor& a, const Tensor& b);
/// x = PReLU(x + residual) with one slope per channel (the EESP residual and the down-sampler's
/// sum, each followed by its PReLU), in one pass.
void add_prelu_inplace(ExecContext& ctx, Tensor& x, const Tensor& residual,
                       const std::vector<float>& slopes);
/// x *= gate, the gate [N, C, 1, 1] broadcast over each plane.
void multiply_channels(ExecContext& ctx, Tensor& x, const Tensor& gate);
void sigmoid_inplace(ExecContext& ctx, Tensor& x);
void relu_inplace(ExecContext& ctx, Tensor& x);
/// Channel shuffle as upstream: [N, G*K, H, W] viewed [N, G, K, H, W], transposed to K, G.
Tensor channel_shuffle(ExecContext& ctx, const Tensor& input, int groups);
/// channel_shuffle(concat_channels(parts), count) built part by part, one copy each: a tensor
/// [N, C * count, H, W] for `count` parts shaped like `part` (uninitialised), into which
/// copy_interleaved puts part i's channel k at channel k * count + i.
Tensor interleaved_joint(ExecContext& ctx, const Tensor& part, int count);
void copy_interleaved(ExecContext& ctx, const Tensor& part, Tensor& joint, int index, int count);

/// nn.Linear on [N, in] (any trailing shape flattened) -> [N, out_features]; `packed` is the
/// [out, in] weight as pack_pointwise_rows lays it out (done once, at load).
Tensor linear(ExecContext& ctx, const Tensor& input, int out_features, const Tensor& packed,
              const std::vector<float>& bias, const uint32_t* bf16_packed = nullptr);

}  // namespace espnet::ops

namespace espnet::ops {

/// The fused spatial stage of an EESP unit (kernels/eesp_spatial.h): every dilated depth-wise
/// branch of `reduced`, the running sum, BN + PReLU, written into the concatenated output.
/// `weights` holds the branches' [width, 1, 3, 3] kernels one after another.
Tensor eesp_spatial(ExecContext& ctx, const Tensor& reduced, int stride,
                    const std::vector<int>& dilations, const Tensor& weights,
                    const std::vector<float>& scale, const std::vector<float>& shift,
                    const std::vector<float>& slopes);

}  // namespace espnet::ops
