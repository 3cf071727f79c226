#include "ops.h"

#include <algorithm>
#include <cstring>

#include "espnet/error.h"
#include "kernels/bf16_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/eesp_spatial.h"
#include "kernels/int8_kernels.h"
#include "kernels/reduce_kernels.h"
#include "kernels/reference/elementwise_ref.h"
#include "kernels/reference/pool_ref.h"

namespace espnet::ops {
namespace {

void require_rank4(const Tensor& t, const char* op) {
  if (t.rank() != 4)
    throw Error(std::string(op) + ": expected an NCHW tensor, got " + shape_to_string(t.shape()));
}

int i32(int64_t v) {
  return static_cast<int>(v);
}

// Copies (concat, shuffle, gating) below this many floats stay on the calling thread: a fork
// costs more than copying a few hundred kilobytes.
constexpr double kParallelCopyFloats = 1 << 18;
constexpr int64_t kCopyPieceFloats = 1 << 16;

// Adds a convolution to the run's precision report.
void count_precision(ExecContext& ctx, bool reduced, double macs) {
  (reduced ? ctx.reduced_convolutions : ctx.fp32_convolutions) += 1;
  (reduced ? ctx.reduced_macs : ctx.fp32_macs) += macs;
}

// The bf16 kernels of a bf16 context (the session checked they exist when it was created).
const Bf16Kernels& bf16_kernels_checked() {
  const Bf16Kernels* k = bf16_kernels();
  if (!k) throw Error("bf16: this CPU (or ESPNET_ISA) has no AVX-512 BF16 kernels");
  return *k;
}

// `input` [batch, channels, plane] rounded to bf16 and packed in pairs per group (into a pool
// tensor of pair words, one per float slot). A shape-only (planning) run allocates the same
// tensor and computes nothing, so the memory plan holds it.
Tensor pack_bf16_input(ExecContext& ctx, const float* input, int batch, int channels, int groups,
                       int64_t plane) {
  const int pairs = groups * bf16_pairs(channels / groups);
  Tensor packed = Tensor::uninitialized({batch, pairs, plane});
  if (!ctx.shape_only)
    bf16_kernels_checked().pack(input, batch, channels, groups, plane,
                                reinterpret_cast<uint32_t*>(packed.data()));
  return packed;
}

}  // namespace

Tensor conv2d(ExecContext& ctx, const Tensor& input, const Conv2dParams& p, const Tensor& weight,
              const std::vector<float>& bias, bool counted_bias, const uint32_t* bf16_weight,
              const Int8Weight* int8_weight) {
  return conv2d_prelu(ctx, input, p, weight, bias, counted_bias, {}, bf16_weight, int8_weight);
}

Tensor conv2d_prelu(ExecContext& ctx, const Tensor& input, const Conv2dParams& p,
                    const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                    const std::vector<float>& slopes, const uint32_t* bf16_weight,
                    const Int8Weight* int8_weight) {
  return conv2d_add_prelu(ctx, input, p, weight, bias, counted_bias, nullptr, slopes, bf16_weight,
                          int8_weight);
}

namespace {

// conv2d_add_prelu, its output a new tensor or, when `into` is given, that tensor (which may be
// the addend itself: the kernels' epilogues read each addend element before writing the output
// element in its place).
Tensor conv2d_add_prelu_to(ExecContext& ctx, const Tensor& input, const Conv2dParams& p,
                           const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                           const Tensor* addend, const std::vector<float>& slopes,
                           const uint32_t* bf16_weight, const Int8Weight* int8_weight,
                           Tensor* into) {
  require_rank4(input, "conv2d");
  if (input.dim(1) != p.in_channels)
    throw Error("conv2d: input has " + std::to_string(input.dim(1)) + " channels, layer expects " +
                std::to_string(p.in_channels));
  if (p.groups <= 0 || p.in_channels % p.groups || p.out_channels % p.groups || p.kernel_h <= 0 ||
      p.kernel_w <= 0 || p.stride <= 0 || p.dilation <= 0 || p.pad < 0)
    throw Error("conv2d: invalid parameters (groups " + std::to_string(p.groups) + ", kernel " +
                std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + ", stride " +
                std::to_string(p.stride) + ", pad " + std::to_string(p.pad) + ", dilation " +
                std::to_string(p.dilation) + ")");
  const int64_t weight_count =
      int64_t(p.out_channels) * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w;
  if (weight.numel() != weight_count)
    throw Error("conv2d: weight " + shape_to_string(weight.shape()) + " does not have the " +
                std::to_string(weight_count) + " elements the layer needs");
  if (!bias.empty() && bias.size() != size_t(p.out_channels))
    throw Error("conv2d: bias has " + std::to_string(bias.size()) + " values, expected " +
                std::to_string(p.out_channels));
  if (!slopes.empty() && slopes.size() != size_t(p.out_channels))
    throw Error("conv2d: PReLU has " + std::to_string(slopes.size()) + " slopes, expected " +
                std::to_string(p.out_channels));
  const int n = i32(input.dim(0)), h = i32(input.dim(2)), w = i32(input.dim(3));
  const int oh = conv_output_size(h, p.kernel_h, p.stride, p.pad, p.dilation);
  const int ow = conv_output_size(w, p.kernel_w, p.stride, p.pad, p.dilation);
  if (oh <= 0 || ow <= 0)
    throw Error("conv2d: input " + shape_to_string(input.shape()) + " is too small for a " +
                std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + " kernel");
  const Shape out_shape = {n, p.out_channels, oh, ow};
  if (into && into->shape() != out_shape)
    throw Error("conv2d: output " + shape_to_string(out_shape) + " written into a tensor " +
                shape_to_string(into->shape()));
  if (into && into->data() == input.data()) throw Error("conv2d: output written over its input");
  Tensor out = into ? Tensor() : Tensor::uninitialized(out_shape);
  float* const out_data = into ? into->data() : out.data();
  // compute_flops: 2*kh*kw*cin/g*cout per position (+cout with bias), halved, per image.
  const double macs =
      (double(p.kernel_h) * p.kernel_w * (p.in_channels / p.groups) * p.out_channels +
       (counted_bias ? 0.5 * p.out_channels : 0.0)) *
      double(oh) * ow;
  ctx.conv_macs += macs;
  if (ctx.layer_log) {
    std::string d = "conv " + std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + "/s" +
                    std::to_string(p.stride) + " d" + std::to_string(p.dilation) + " g" +
                    std::to_string(p.groups) + " " + std::to_string(p.in_channels) + "->" +
                    std::to_string(p.out_channels);
    ctx.layer_log->push_back({ctx.scope(), d, {1, p.out_channels, oh, ow}, macs});
  }
  const float* b = bias.empty() ? nullptr : bias.data();
  const float* a = slopes.empty() ? nullptr : slopes.data();
  const bool pointwise =
      p.kernel_h == 1 && p.kernel_w == 1 && p.stride == 1 && p.pad == 0 && p.dilation == 1;
  const bool depthwise = p.groups == p.in_channels && p.groups == p.out_channels &&
                         p.kernel_h == 3 && p.kernel_w == 3 && p.pad == p.dilation &&
                         (p.stride == 1 || p.stride == 2);
  // Small-channel 3x3 convs (the stem, the image shortcut, the grouped 3x3 of the decoders).
  const bool direct3x3 = !depthwise && p.kernel_h == 3 && p.kernel_w == 3 && p.pad == 1 &&
                         p.dilation == 1 && (p.stride == 1 || p.stride == 2);
  if (addend && (!pointwise || addend->shape() != out_shape))
    throw Error("conv2d: an addend " + shape_to_string(addend->shape()) +
                " needs a 1x1 convolution with output " + shape_to_string(out_shape));
  const bool bf16 = pointwise && ctx.bf16 && bf16_weight;
  const bool int8 = pointwise && ctx.int8 && int8_weight;
  const bool int8_vnni = int8 && !ctx.int8_dequantized;
  const int64_t plane = int64_t(h) * w;
  if (int8 && (int8_weight->in_channels != p.in_channels ||
               int8_weight->out_channels != p.out_channels || int8_weight->groups != p.groups))
    throw Error("conv2d: the int8 form does not fit the layer");
  // The int8 temporaries: with VNNI the packed input codes, without it the codes as floats.
  const auto int8_input = [&] {
    return int8_vnni
               ? Tensor::uninitialized({n, p.groups * int8_quads(p.in_channels / p.groups), plane})
               : Tensor::uninitialized(input.shape());
  };
  if (ctx.shape_only) {
    // A planning run allocates the reduced paths' temporaries in the order a real run does.
    if (int8) {
      const Tensor codes = int8_input();
    } else if (bf16) {
      pack_bf16_input(ctx, input.data(), n, p.in_channels, p.groups, plane);
    }
    return out;
  }
  const ConvKernels& kernels = conv_kernels();
  if (int8) {
    OpTimer timer(ctx, int8_vnni ? "conv1x1_int8" : "conv1x1_int8_dequantized");
    Tensor codes = int8_input();
    bool inside = false;
    if (!int8_vnni) {
      // Without VNNI: the codes u - zero_point in fp32 and the dequantized weights compute the
      // int8 result up to the rounding of the float sums.
      inside = kernels.int8_fallback_codes(input.data(), n, p.in_channels, plane,
                                           int8_weight->inverse_scale.data(),
                                           int8_weight->zero_point.data(), int8_weight->guard_low,
                                           int8_weight->guard_high, codes.data());
      if (inside)
        kernels.pointwise(codes.data(), n, p.in_channels, p.out_channels, p.groups, plane,
                          int8_weight->dequantized().data(), int8_weight->fallback_bias(b).data(),
                          a, addend ? addend->data() : nullptr, out_data);
    } else {
      const Int8Kernels* k = int8_kernels();
      if (!k) throw Error("int8: this CPU (or ESPNET_ISA) has no int8 dot-product kernels");
      uint32_t* packed = reinterpret_cast<uint32_t*>(codes.data());
      inside = k->pack(input.data(), n, p.in_channels, p.groups, plane,
                       int8_weight->inverse_scale.data(), int8_weight->zero_point.data(),
                       int8_weight->guard_low, int8_weight->guard_high, packed);
      if (inside)
        k->gconv(packed, n, int8_quads(p.in_channels / p.groups), p.out_channels, p.groups, plane,
                 int8_weight->quads.data(), int8_weight->compensation.data(),
                 int8_weight->scale.data(), b, a, addend ? addend->data() : nullptr, out_data);
    }
    if (inside) {
      count_precision(ctx, true, macs);
      return out;
    }
    // An input far outside what calibration saw (Int8Layer::guard_low): clipping it would give
    // garbage, so this run of the layer is fp32.
    ++ctx.int8_fallbacks;
  }
  count_precision(ctx, bf16, macs);
  OpTimer timer(ctx, bf16        ? "conv1x1_bf16"
                     : pointwise ? "conv1x1"
                     : depthwise ? "dwconv3x3"
                     : direct3x3 ? "conv3x3"
                                 : "conv (reference)");
  if (bf16) {
    const Bf16Kernels& k = bf16_kernels_checked();
    const Tensor packed = pack_bf16_input(ctx, input.data(), n, p.in_channels, p.groups, plane);
    k.pointwise(packed.data(), n, i32(packed.dim(1)), p.out_channels, p.groups, plane,
                reinterpret_cast<const float*>(bf16_weight), b, a,
                addend ? addend->data() : nullptr, out_data);
  } else if (pointwise) {
    kernels.pointwise(input.data(), n, p.in_channels, p.out_channels, p.groups, int64_t(h) * w,
                      weight.data(), b, a, addend ? addend->data() : nullptr, out_data);
  } else if (depthwise) {
    kernels.depthwise3x3(input.data(), n, p.in_channels, h, w, p.stride, p.dilation, weight.data(),
                         b, a, out_data);
  } else if (direct3x3) {
    kernels.conv3x3(input.data(), n, p.in_channels, p.out_channels, p.groups, h, w, p.stride,
                    weight.data(), b, a, out_data);
  } else {
    conv2d_f32_ref(input.data(), n, h, w, p, weight.data(), b, out_data);
    if (a)
      kernels.scale_shift_prelu(out_data, n, p.out_channels, int64_t(oh) * ow, nullptr, nullptr, a);
  }
  return out;
}

}  // namespace

Tensor conv2d_add_prelu(ExecContext& ctx, const Tensor& input, const Conv2dParams& p,
                        const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                        const Tensor* addend, const std::vector<float>& slopes,
                        const uint32_t* bf16_weight, const Int8Weight* int8_weight) {
  return conv2d_add_prelu_to(ctx, input, p, weight, bias, counted_bias, addend, slopes, bf16_weight,
                             int8_weight, nullptr);
}

void conv2d_add_prelu_into(ExecContext& ctx, const Tensor& input, const Conv2dParams& p,
                           const Tensor& weight, const std::vector<float>& bias, bool counted_bias,
                           const Tensor* addend, const std::vector<float>& slopes, Tensor& into,
                           const uint32_t* bf16_weight, const Int8Weight* int8_weight) {
  conv2d_add_prelu_to(ctx, input, p, weight, bias, counted_bias, addend, slopes, bf16_weight,
                      int8_weight, &into);
}

void conv1x1_rows(ExecContext& ctx, const Tensor& input, int out_channels, const Tensor& packed,
                  const std::vector<float>& bias, bool counted_bias, Tensor& out, int64_t first_row,
                  const uint32_t* bf16_packed) {
  require_rank4(input, "conv1x1_rows");
  const int64_t n = input.dim(0), cin = input.dim(1), plane = input.dim(2) * input.dim(3);
  if (out.rank() != 3 || out.dim(0) != n || out_channels <= 0 || out_channels % out.dim(2))
    throw Error("conv1x1_rows: output " + shape_to_string(out.shape()) + " does not fit " +
                std::to_string(out_channels) + " channels of " + shape_to_string(input.shape()));
  const int64_t rows_per_pixel = out_channels / out.dim(2);
  if (first_row < 0 || first_row + plane * rows_per_pixel > out.dim(1))
    throw Error("conv1x1_rows: rows " + std::to_string(first_row) + " + " +
                std::to_string(plane * rows_per_pixel) + " overrun the output " +
                shape_to_string(out.shape()));
  if (packed.numel() != cin * pointwise_rows_stride(out_channels))
    throw Error("conv1x1_rows: packed weight " + shape_to_string(packed.shape()) +
                " does not fit " + std::to_string(cin) + "->" + std::to_string(out_channels));
  if (!bias.empty() && bias.size() != size_t(out_channels))
    throw Error("conv1x1_rows: bias has " + std::to_string(bias.size()) + " values, expected " +
                std::to_string(out_channels));
  // Counted and logged exactly as conv2d would count the same layer.
  const double macs =
      (double(cin) * out_channels + (counted_bias ? 0.5 * out_channels : 0.0)) * double(plane);
  ctx.conv_macs += macs;
  if (ctx.layer_log)
    ctx.layer_log->push_back(
        {ctx.scope(),
         "conv 1x1/s1 d1 g1 " + std::to_string(cin) + "->" + std::to_string(out_channels),
         {1, out_channels, input.dim(2), input.dim(3)},
         macs});
  const bool bf16 = ctx.bf16 && bf16_packed;
  if (ctx.shape_only) {
    if (bf16) pack_bf16_input(ctx, input.data(), i32(n), i32(cin), 1, plane);  // for the plan
    return;
  }
  count_precision(ctx, bf16, macs);
  OpTimer timer(ctx, bf16 ? "conv1x1_rows_bf16" : "conv1x1_rows");
  const int64_t row_floats = out.dim(2);
  if (bf16) {
    const Bf16Kernels& k = bf16_kernels_checked();
    const Tensor packed_input = pack_bf16_input(ctx, input.data(), i32(n), i32(cin), 1, plane);
    k.pointwise_rows(packed_input.data(), i32(n), i32(packed_input.dim(1)), plane,
                     reinterpret_cast<const float*>(bf16_packed), out_channels,
                     bias.empty() ? nullptr : bias.data(), out.data() + first_row * row_floats,
                     out_channels, out.dim(1) * row_floats);
    return;
  }
  conv_kernels().pointwise_rows(input.data(), i32(n), i32(cin), plane, packed.data(), out_channels,
                                bias.empty() ? nullptr : bias.data(),
                                out.data() + first_row * row_floats, out_channels,
                                out.dim(1) * row_floats);
}

void scale_shift_activate(ExecContext& ctx, Tensor& x, const std::vector<float>& scale,
                          const std::vector<float>& shift, Activation act,
                          const std::vector<float>& slopes) {
  OpTimer timer(ctx, "bn_act");
  if (x.rank() < 2)
    throw Error("scale_shift_activate: expected [N, C, ...], got " + shape_to_string(x.shape()));
  const int n = i32(x.dim(0)), c = i32(x.dim(1));
  const auto check = [&](const std::vector<float>& v, bool may_be_empty, const char* what) {
    if ((v.empty() && may_be_empty) || v.size() == size_t(c)) return;
    throw Error(std::string("scale_shift_activate: ") + what + " has " + std::to_string(v.size()) +
                " values for " + std::to_string(c) + " channels");
  };
  check(scale, true, "scale");
  check(shift, true, "shift");
  if (act == Activation::kPRelu) check(slopes, false, "PReLU");
  if (ctx.shape_only) return;
  const int64_t plane = x.numel() / std::max<int64_t>(1, int64_t(n) * c);
  conv_kernels().scale_shift_prelu(x.data(), n, c, plane, scale.empty() ? nullptr : scale.data(),
                                   shift.empty() ? nullptr : shift.data(),
                                   act == Activation::kPRelu ? slopes.data() : nullptr);
  if (act == Activation::kRelu) relu_f32_ref(x.data(), x.numel());
}

namespace {

Shape avg_pool_3x3_s2_shape(const Tensor& input) {
  require_rank4(input, "avg_pool");
  const int h = i32(input.dim(2)), w = i32(input.dim(3));
  return {input.dim(0), input.dim(1), conv_output_size(h, 3, 2, 1, 1),
          conv_output_size(w, 3, 2, 1, 1)};
}

}  // namespace

Tensor avg_pool_3x3_s2(ExecContext& ctx, const Tensor& input) {
  Tensor out = Tensor::uninitialized(avg_pool_3x3_s2_shape(input));
  avg_pool_3x3_s2_into(ctx, input, out);
  return out;
}

void avg_pool_3x3_s2_into(ExecContext& ctx, const Tensor& input, Tensor& into) {
  OpTimer timer(ctx, "avg_pool");
  const Shape shape = avg_pool_3x3_s2_shape(input);
  if (into.shape() != shape)
    throw Error("avg_pool: output " + shape_to_string(shape) + " written into a tensor " +
                shape_to_string(into.shape()));
  if (!ctx.shape_only && into.numel() > 0)
    conv_kernels().avg_pool3x3s2(input.data(), input.dim(0) * input.dim(1), i32(input.dim(2)),
                                 i32(input.dim(3)), into.data());
}

Tensor adaptive_avg_pool(ExecContext& ctx, const Tensor& input, int out_h, int out_w) {
  OpTimer timer(ctx, "adaptive_pool");
  require_rank4(input, "adaptive_avg_pool");
  if (out_h <= 0 || out_w <= 0) throw Error("adaptive_avg_pool: output size must be positive");
  if (input.dim(2) <= 0 || input.dim(3) <= 0)
    throw Error("adaptive_avg_pool: empty input " + shape_to_string(input.shape()));
  Tensor out = Tensor::uninitialized({input.dim(0), input.dim(1), out_h, out_w});
  if (!ctx.shape_only && out.numel() > 0)
    conv_kernels().adaptive_avg_pool(input.data(), input.dim(0) * input.dim(1), i32(input.dim(2)),
                                     i32(input.dim(3)), out_h, out_w, out.data());
  return out;
}

Tensor global_avg_pool(ExecContext& ctx, const Tensor& input) {
  OpTimer timer(ctx, "global_pool");
  require_rank4(input, "global_avg_pool");
  Tensor out = Tensor::uninitialized({input.dim(0), input.dim(1), 1, 1});
  if (!ctx.shape_only)
    global_avg_pool_f32(input.data(), input.dim(0) * input.dim(1), input.dim(2) * input.dim(3),
                        out.data());
  return out;
}

Tensor resize_bilinear(ExecContext& ctx, const Tensor& input, int out_h, int out_w) {
  OpTimer timer(ctx, "resize");
  require_rank4(input, "resize_bilinear");
  if (out_h <= 0 || out_w <= 0) throw Error("resize_bilinear: output size must be positive");
  if (input.dim(2) <= 0 || input.dim(3) <= 0)
    throw Error("resize_bilinear: empty input " + shape_to_string(input.shape()));
  Tensor out = Tensor::uninitialized({input.dim(0), input.dim(1), out_h, out_w});
  if (!ctx.shape_only && out.numel() > 0)
    conv_kernels().resize_bilinear(input.data(), input.dim(0) * input.dim(1), i32(input.dim(2)),
                                   i32(input.dim(3)), out_h, out_w, out.data());
  return out;
}

Tensor resize_bilinear_argmax(ExecContext& ctx, const Tensor& logits, int out_h, int out_w) {
  OpTimer timer(ctx, "resize_argmax");
  require_rank4(logits, "resize_bilinear_argmax");
  if (out_h <= 0 || out_w <= 0) throw Error("resize_bilinear_argmax: output size must be positive");
  if (logits.dim(1) < 1 || logits.dim(1) > 256 || logits.dim(2) <= 0 || logits.dim(3) <= 0)
    throw Error("resize_bilinear_argmax: expected logits [N, 1..256, H, W], got " +
                shape_to_string(logits.shape()));
  Tensor out = Tensor::uninitialized({logits.dim(0), 1, out_h, out_w});
  if (ctx.shape_only) return out;
  const int64_t image = logits.dim(1) * logits.dim(2) * logits.dim(3);
  for (int64_t b = 0; b < logits.dim(0); ++b)
    conv_kernels().resize_bilinear_argmax(logits.data() + b * image, i32(logits.dim(1)),
                                          i32(logits.dim(2)), i32(logits.dim(3)), out_h, out_w,
                                          out.data() + b * int64_t(out_h) * out_w);
  return out;
}

Tensor concat_channels(ExecContext& ctx, const Tensor* const* inputs, size_t count) {
  OpTimer timer(ctx, "concat");
  if (count == 0) throw Error("concat: no inputs");
  const Tensor& first = *inputs[0];
  require_rank4(first, "concat");
  int64_t channels = 0;
  for (size_t i = 0; i < count; ++i) {
    const Tensor* t = inputs[i];
    require_rank4(*t, "concat");
    if (t->dim(0) != first.dim(0) || t->dim(2) != first.dim(2) || t->dim(3) != first.dim(3))
      throw Error("concat: shapes " + shape_to_string(first.shape()) + " and " +
                  shape_to_string(t->shape()) + " differ outside the channel axis");
    channels += t->dim(1);
  }
  const int64_t n = first.dim(0), plane = first.dim(2) * first.dim(3);
  Tensor out = Tensor::uninitialized({n, channels, first.dim(2), first.dim(3)});
  if (ctx.shape_only) return out;
  // One job per (image, part); large copies are split over the threads.
  const bool parallel = double(out.numel()) >= kParallelCopyFloats;
  for (int64_t b = 0; b < n; ++b) {
    float* dst = out.data() + b * channels * plane;
    for (size_t i = 0; i < count; ++i) {
      const Tensor* t = inputs[i];
      const int64_t floats = t->dim(1) * plane;
      const float* src = t->data() + b * floats;
      const int64_t pieces = parallel ? (floats + kCopyPieceFloats - 1) / kCopyPieceFloats : 1;
#pragma omp parallel for schedule(static) if (parallel && pieces > 1)
      for (int64_t piece = 0; piece < pieces; ++piece) {
        const int64_t begin = piece * floats / pieces, end = (piece + 1) * floats / pieces;
        std::memcpy(dst + begin, src + begin, size_t(end - begin) * sizeof(float));
      }
      dst += floats;
    }
  }
  return out;
}

Tensor add(ExecContext& ctx, const Tensor& a, const Tensor& b) {
  Tensor out = a;
  add_inplace(ctx, out, b);
  return out;
}

void add_inplace(ExecContext& ctx, Tensor& a, const Tensor& b) {
  OpTimer timer(ctx, "add");
  if (a.shape() != b.shape())
    throw Error("add: shapes " + shape_to_string(a.shape()) + " and " + shape_to_string(b.shape()) +
                " differ");
  if (!ctx.shape_only) conv_kernels().add(a.data(), b.data(), a.data(), a.numel());
}

void add_prelu_inplace(ExecContext& ctx, Tensor& x, const Tensor& residual,
                       const std::vector<float>& slopes) {
  OpTimer timer(ctx, "add_prelu");
  require_rank4(x, "add_prelu");
  if (x.shape() != residual.shape())
    throw Error("add_prelu: shapes " + shape_to_string(x.shape()) + " and " +
                shape_to_string(residual.shape()) + " differ");
  if (slopes.size() != size_t(x.dim(1)))
    throw Error("add_prelu: PReLU has " + std::to_string(slopes.size()) + " slopes for " +
                std::to_string(x.dim(1)) + " channels");
  if (!ctx.shape_only)
    conv_kernels().add_prelu(x.data(), residual.data(), x.data(), i32(x.dim(0)), i32(x.dim(1)),
                             x.dim(2) * x.dim(3), slopes.data());
}

void multiply_channels(ExecContext& ctx, Tensor& x, const Tensor& gate) {
  OpTimer timer(ctx, "gate");
  require_rank4(x, "multiply_channels");
  if (gate.numel() != x.dim(0) * x.dim(1))
    throw Error("multiply_channels: gate " + shape_to_string(gate.shape()) + " does not fit " +
                shape_to_string(x.shape()));
  if (ctx.shape_only) return;
  const int64_t plane = x.dim(2) * x.dim(3);
#pragma omp parallel for schedule(static) if (double(gate.numel()) * plane >= kParallelCopyFloats)
  for (int64_t p = 0; p < gate.numel(); ++p) {
    float* d = x.data() + p * plane;
    const float g = gate.data()[p];
    for (int64_t i = 0; i < plane; ++i) d[i] *= g;
  }
}

void sigmoid_inplace(ExecContext& ctx, Tensor& x) {
  OpTimer timer(ctx, "sigmoid");
  if (!ctx.shape_only) sigmoid_f32_ref(x.data(), x.numel());
}

void relu_inplace(ExecContext& ctx, Tensor& x) {
  OpTimer timer(ctx, "relu");
  if (!ctx.shape_only) relu_f32_ref(x.data(), x.numel());
}

Tensor channel_shuffle(ExecContext& ctx, const Tensor& input, int groups) {
  OpTimer timer(ctx, "shuffle");
  require_rank4(input, "channel_shuffle");
  const int64_t n = input.dim(0), c = input.dim(1), plane = input.dim(2) * input.dim(3);
  if (groups <= 0 || c % groups != 0) throw Error("channel_shuffle: channels not divisible");
  const int64_t per_group = c / groups;
  Tensor out = Tensor::uninitialized(input.shape());
  if (ctx.shape_only) return out;
  const int64_t planes = n * c;
#pragma omp parallel for schedule(static) if (double(planes) * plane >= kParallelCopyFloats)
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t b = p / c, g = p % c / per_group, k = p % per_group;
    std::memcpy(out.data() + (b * c + k * groups + g) * plane, input.data() + p * plane,
                size_t(plane) * sizeof(float));
  }
  return out;
}

Tensor interleaved_joint(ExecContext& ctx, const Tensor& part, int count) {
  OpTimer timer(ctx, "concat");
  require_rank4(part, "interleaved_joint");
  if (count <= 0) throw Error("interleaved_joint: no parts");
  return Tensor::uninitialized({part.dim(0), part.dim(1) * count, part.dim(2), part.dim(3)});
}

void copy_interleaved(ExecContext& ctx, const Tensor& part, Tensor& joint, int index, int count) {
  OpTimer timer(ctx, "concat");
  require_rank4(part, "copy_interleaved");
  const int64_t n = part.dim(0), c = part.dim(1), plane = part.dim(2) * part.dim(3);
  if (count <= 0 || index < 0 || index >= count ||
      joint.shape() != Shape({n, c * count, part.dim(2), part.dim(3)}))
    throw Error("copy_interleaved: part " + std::to_string(index) + " of " + std::to_string(count) +
                ", " + shape_to_string(part.shape()) + ", does not fit " +
                shape_to_string(joint.shape()));
  if (ctx.shape_only) return;
  const int64_t planes = n * c;
#pragma omp parallel for schedule(static) if (double(planes) * plane >= kParallelCopyFloats)
  for (int64_t p = 0; p < planes; ++p) {
    // Image b's channel k goes to its channel k * count + index.
    const int64_t b = p / c, k = p % c;
    std::memcpy(joint.data() + ((b * c + k) * count + index) * plane, part.data() + p * plane,
                size_t(plane) * sizeof(float));
  }
}

Tensor linear(ExecContext& ctx, const Tensor& input, int out_features, const Tensor& packed,
              const std::vector<float>& bias, const uint32_t* bf16_packed) {
  OpTimer timer(ctx, "linear");
  const int64_t n = input.dim(0), features = input.numel() / std::max<int64_t>(1, n);
  if (out_features <= 0 || packed.numel() != features * pointwise_rows_stride(out_features))
    throw Error("linear: input has " + std::to_string(features) +
                " features, the packed weight is " + shape_to_string(packed.shape()) + " for " +
                std::to_string(out_features) + " outputs");
  if (!bias.empty() && bias.size() != size_t(out_features))
    throw Error("linear: bias has " + std::to_string(bias.size()) + " values, expected " +
                std::to_string(out_features));
  Tensor out = Tensor::uninitialized({n, out_features});
  // A 1x1 convolution over a 1x1 plane: one output row per image.
  const bool bf16 = ctx.bf16 && bf16_packed;
  if (ctx.shape_only) {
    if (bf16) pack_bf16_input(ctx, input.data(), i32(n), i32(features), 1, 1);  // for the plan
    return out;
  }
  count_precision(ctx, bf16, double(n) * features * out_features);
  if (bf16) {
    const Bf16Kernels& k = bf16_kernels_checked();
    const Tensor packed_input = pack_bf16_input(ctx, input.data(), i32(n), i32(features), 1, 1);
    k.pointwise_rows(packed_input.data(), i32(n), i32(packed_input.dim(1)), 1,
                     reinterpret_cast<const float*>(bf16_packed), out_features,
                     bias.empty() ? nullptr : bias.data(), out.data(), out_features, out_features);
    return out;
  }
  conv_kernels().pointwise_rows(input.data(), i32(n), i32(features), 1, packed.data(), out_features,
                                bias.empty() ? nullptr : bias.data(), out.data(), out_features,
                                out_features);
  return out;
}

}  // namespace espnet::ops

namespace espnet::ops {

Tensor eesp_spatial(ExecContext& ctx, const Tensor& reduced, int stride,
                    const std::vector<int>& dilations, const Tensor& weights,
                    const std::vector<float>& scale, const std::vector<float>& shift,
                    const std::vector<float>& slopes) {
  require_rank4(reduced, "eesp_spatial");
  const int n = i32(reduced.dim(0)), width = i32(reduced.dim(1));
  const int h = i32(reduced.dim(2)), w = i32(reduced.dim(3));
  const int k = static_cast<int>(dilations.size());
  const size_t channels = size_t(k) * width;
  if (k < 1 || k > 8 || (stride != 1 && stride != 2) || weights.numel() != int64_t(channels) * 9 ||
      scale.size() != channels || shift.size() != channels || slopes.size() != channels)
    throw Error("eesp_spatial: parameters do not fit a " + std::to_string(k) +
                "-branch unit of width " + std::to_string(width));
  for (int d : dilations)
    if (d < 1) throw Error("eesp_spatial: dilation must be >= 1");
  const int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
  Tensor out = Tensor::uninitialized({n, int64_t(channels), oh, ow});
  for (int i = 0; i < k; ++i) {  // counted as the K depth-wise convolutions upstream runs
    const double macs = 9.0 * width * double(oh) * ow;
    ctx.conv_macs += macs;
    if (ctx.layer_log)
      ctx.layer_log->push_back({ctx.scope(),
                                "dwconv 3x3/s" + std::to_string(stride) + " d" +
                                    std::to_string(dilations[i]) + " g" + std::to_string(width) +
                                    " " + std::to_string(width) + "->" + std::to_string(width) +
                                    " (fused EESP branch " + std::to_string(i) + ")",
                                {1, width, oh, ow},
                                macs});
  }
  if (ctx.shape_only) return out;
  for (int i = 0; i < k; ++i) count_precision(ctx, false, 9.0 * width * double(oh) * ow);
  OpTimer timer(ctx, "eesp_dw_hff");
  eesp_spatial_kernel()(reduced.data(), n, width, h, w, stride, k, dilations.data(), weights.data(),
                        scale.data(), shift.data(), slopes.data(), out.data());
  return out;
}

}  // namespace espnet::ops
