// The int8 quantizer's pieces on synthetic data with known answers: the affine map of a range,
// the MSE clip range of a histogram, an int8 layer's weights against a naive quantization, bias
// correction against the reference int8 kernel, the plan's config text and its model-file arrays
// (round trips and malformed input).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "espnet/error.h"
#include "kernels/int8_kernels.h"
#include "quant/bias_correction.h"
#include "quant/calibration_ranges.h"
#include "quant/int8_arrays.h"
#include "quant/int8_layer.h"
#include "quant/quant_text.h"
#include "support/error_text.h"

namespace espnet {
namespace {

using test::error_text;

TEST(AffineFromRange, MapsTheRangeOntoTheBytesWithZeroExact) {
  AffineQuant q = affine_from_range(0.0f, 2.55f);
  EXPECT_FLOAT_EQ(q.scale, 0.01f);
  EXPECT_EQ(q.zero_point, 0);
  q = affine_from_range(-1.0f, 1.55f);
  EXPECT_FLOAT_EQ(q.scale, 0.01f);
  EXPECT_EQ(q.zero_point, 100);
  q = affine_from_range(-2.55f, 0.0f);
  EXPECT_EQ(q.zero_point, 255);
  // A range that misses 0 is widened to hold it.
  q = affine_from_range(1.0f, 2.55f);
  EXPECT_FLOAT_EQ(q.scale, 0.01f);
  EXPECT_EQ(q.zero_point, 0);
  // Empty ranges and non-finite ends give a valid map, not a division by zero.
  EXPECT_EQ(affine_from_range(0.0f, 0.0f).scale, 1.0f);
  EXPECT_EQ(affine_from_range(-INFINITY, 1.0f).scale, 1.0f);
  // Every value of the range comes back within half a step.
  q = affine_from_range(-0.7f, 3.1f);
  for (float x = -0.7f; x <= 3.1f; x += 0.001f) {
    const float u = std::min(255.0f, std::max(0.0f, std::nearbyint(x / q.scale) + q.zero_point));
    EXPECT_LE(std::fabs(q.scale * (u - q.zero_point) - x), 0.5f * q.scale * 1.001f) << x;
  }
}

ValueHistogram histogram_of(const std::vector<float>& values) {
  ValueHistogram h;
  h.add_range(values.data(), int64_t(values.size()));
  h.add_histogram(values.data(), int64_t(values.size()));
  return h;
}

TEST(ChooseMseRange, KeepsAUniformRangeAndClipsRareOutliers) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(100000);
  for (float& v : values) v = uniform(rng);
  ValueHistogram h = histogram_of(values);
  AffineQuant q = choose_mse_range(h.counts(), h.min(), h.max());
  // Uniform values: clipping costs more than it saves, the range stays (nearly) whole.
  EXPECT_NEAR(q.scale * 255.0f, 2.0f, 0.2f);
  EXPECT_NEAR(q.zero_point, 128, 13);
  // A long tail (Laplace): clipping the rarest large values makes the step of the bulk finer;
  // the chosen range lies inside the values' range and its squared error, measured on the
  // values themselves, is below the full range's.
  std::exponential_distribution<float> tail(1.0f);
  for (float& v : values) v = (rng() % 2 ? 1.0f : -1.0f) * tail(rng);
  h = histogram_of(values);
  q = choose_mse_range(h.counts(), h.min(), h.max());
  const AffineQuant full = affine_from_range(h.min(), h.max());
  EXPECT_LT(q.scale, 0.97f * full.scale);
  // The known optimum for Laplace(b = 1) at 8 bits clips at about +-9.89 b (Banner et al.,
  // "Post-training 4-bit quantization", ACIQ); the grid search lands near it.
  EXPECT_NEAR(q.scale * 255.0f, 2 * 9.89f, 1.5f);
  const auto squared_error = [&](const AffineQuant& m) {
    double e = 0;
    for (float x : values) {
      const float u = std::min(255.0f, std::max(0.0f, std::nearbyint(x / m.scale) + m.zero_point));
      e += std::pow(double(m.scale) * (u - m.zero_point) - x, 2);
    }
    return e;
  };
  EXPECT_LT(squared_error(q), squared_error(full));
  // Non-negative values keep 0 as the low end (zero point 0).
  for (float& v : values) v = std::fabs(v);
  h = histogram_of(values);
  EXPECT_EQ(choose_mse_range(h.counts(), h.min(), h.max()).zero_point, 0);
  // Non-finite values are ignored; no values at all give a valid map.
  std::vector<float> odd = {NAN, INFINITY, -INFINITY, 0.5f};
  h = histogram_of(odd);
  EXPECT_EQ(h.max(), 0.5f);
  ValueHistogram empty;
  EXPECT_GT(choose_mse_range(empty.counts(), empty.min(), empty.max()).scale, 0.0f);
}

// Naive int8 of one output row: the input channels' scales folded into the weights, then
// symmetric: scale max|w * s| / 127, codes round(w * s / scale).
TEST(Int8Layer, WeightsMatchANaiveQuantizationAndCompensationIsExact) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const auto& [out, in, groups] : {std::tuple{16, 16, 1}, {24, 33, 1}, {18, 12, 3}}) {
    const int cin = in / groups;
    std::vector<float> weight(size_t(out) * cin);
    for (float& w : weight) w = dist(rng);
    std::vector<float> input_scale(static_cast<size_t>(in));
    std::vector<int32_t> zero_point(static_cast<size_t>(in));
    for (int c = 0; c < in; ++c) {
      input_scale[size_t(c)] = 0.001f + 0.05f * std::fabs(dist(rng));
      zero_point[size_t(c)] = int32_t(rng() % 256);
    }
    const Int8Layer l =
        Int8Layer::from_weight(weight.data(), out, in, groups, input_scale, zero_point);
    const int quads = int8_quads(cin);
    for (int co = 0; co < out; ++co) {
      const int first = co / (out / groups) * cin;
      float largest = 0;
      for (int i = 0; i < cin; ++i)
        largest = std::max(
            largest, std::fabs(weight[size_t(co) * cin + i] * input_scale[size_t(first + i)]));
      EXPECT_NEAR(l.scale[size_t(co)], largest / 127.0f, 1e-6f * largest);
      int32_t sum = 0;
      for (int i = 0; i < cin; ++i) {
        const uint32_t word = l.quads[size_t(co) * quads + size_t(i / 4)];
        const int code = int8_t((word >> (8 * (i % 4))) & 0xFF);
        const float want = std::nearbyint(weight[size_t(co) * cin + i] *
                                          input_scale[size_t(first + i)] / l.scale[size_t(co)]);
        EXPECT_NEAR(code, want, 1.0f) << co << " " << i;  // a tie may round either way
        EXPECT_LE(std::abs(code), 127);
        sum += code * zero_point[size_t(first + i)];
      }
      EXPECT_EQ(l.compensation[size_t(co)], -sum) << co;
      // Padding codes of the last quad are zero.
      for (int i = cin; i < 4 * quads; ++i)
        EXPECT_EQ((l.quads[size_t(co) * quads + size_t(i / 4)] >> (8 * (i % 4))) & 0xFF, 0u);
    }
    EXPECT_EQ(l.zero_point, zero_point);
    for (int c = 0; c < in; ++c)
      EXPECT_FLOAT_EQ(l.inverse_scale[size_t(c)], 1.0f / input_scale[size_t(c)]);
  }
}

// Inputs with means far from zero and a clipped tail (every 13th value beyond the map's range):
// through the reference int8 kernel, each output channel's mean over the inputs is off from
// fp32's by many units of its scale; after correct_bias by at most half a unit (the correction is
// rounded to whole units). The fp32 fallback (dequantized weights over the codes, plus
// fallback_bias) gives what the int8 kernel gives with the corrected compensation.
TEST(BiasCorrection, TakesBackTheMeanShiftOfRoundingAndClipping) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const auto& [out, in, groups] : {std::tuple{10, 12, 1}, {12, 18, 3}}) {
    const int cin = in / groups, batch = 2, quads = int8_quads(cin);
    const int64_t plane = 7 * 9;
    std::vector<float> weight(size_t(out) * cin);
    for (float& w : weight) w = dist(rng);
    Tensor input({batch, in, 7, 9});
    for (int64_t n = 0; n < batch; ++n)
      for (int c = 0; c < in; ++c)
        for (int64_t i = 0; i < plane; ++i)
          input.data()[(n * in + c) * plane + i] =
              1.0f + 0.1f * float(c % 5) + dist(rng) + (i % 13 == 0 ? 6.0f : 0.0f);
    // x in [-1, 3] is covered; the tail near 7-9 is clipped to 3.
    const std::vector<float> input_scale(size_t(in), 4.0f / 255.0f);
    const std::vector<int32_t> zero_point(size_t(in), 64);
    const Int8Layer plain =
        Int8Layer::from_weight(weight.data(), out, in, groups, input_scale, zero_point);
    Int8Layer corrected =
        Int8Layer::from_weight(weight.data(), out, in, groups, input_scale, zero_point);
    InputChannelSums sums;
    sums.add(input, input_scale, zero_point);
    EXPECT_EQ(sums.count(), double(batch * plane));
    correct_bias(weight.data(), sums, corrected);

    std::vector<float> inverse(size_t(in), 255.0f / 4.0f);
    std::vector<uint32_t> packed(size_t(batch) * groups * quads * plane);
    pack_u8_quads_ref(input.data(), batch, in, groups, plane, inverse.data(), zero_point.data(),
                      -INFINITY, INFINITY, packed.data());
    const auto int8_output = [&](const Int8Layer& l) {
      std::vector<float> y(size_t(batch) * out * plane);
      gconv1x1_u8s8_ref(packed.data(), batch, quads, out, groups, plane, l.quads.data(),
                        l.compensation.data(), l.scale.data(), nullptr, nullptr, nullptr, y.data());
      return y;
    };
    const std::vector<float> y_plain = int8_output(plain), y_corrected = int8_output(corrected);
    std::vector<float> codes(size_t(batch) * in * plane);
    unpacked_u8_codes_ref(input.data(), batch, in, plane, inverse.data(), zero_point.data(),
                          -INFINITY, INFINITY, codes.data());
    const std::vector<float>& dq = corrected.dequantized();
    const std::vector<float>& fallback_bias = corrected.fallback_bias(nullptr);
    double worst_plain = 0;
    for (int co = 0; co < out; ++co) {
      const int first = co / (out / groups) * cin;
      double fp32_sum = 0, plain_sum = 0, corrected_sum = 0;
      for (int64_t n = 0; n < batch; ++n)
        for (int64_t i = 0; i < plane; ++i) {
          double fp32 = 0, fallback = fallback_bias[size_t(co)];
          for (int k = 0; k < cin; ++k) {
            fp32 += double(weight[size_t(co) * cin + k]) *
                    input.data()[(n * in + first + k) * plane + i];
            fallback +=
                double(dq[size_t(co) * cin + k]) * codes[size_t((n * in + first + k) * plane + i)];
          }
          const size_t at = size_t((n * out + co) * plane + i);
          fp32_sum += fp32;
          plain_sum += y_plain[at];
          corrected_sum += y_corrected[at];
          EXPECT_NEAR(fallback, y_corrected[at], 1e-4 * (1.0 + std::fabs(fallback)))
              << "fallback, channel " << co;
        }
      const double count = double(batch * plane), unit = corrected.scale[size_t(co)];
      worst_plain = std::max(worst_plain, std::fabs(plain_sum - fp32_sum) / count / unit);
      EXPECT_LE(std::fabs(corrected_sum - fp32_sum) / count, 0.5 * unit + 1e-5)
          << out << "x" << in << "/" << groups << " channel " << co;
    }
    EXPECT_GT(worst_plain, 10.0) << "the clipped tail should shift some channel's mean";
  }
}

// Without a correction the fallback's bias is the layer's own, bit for bit.
TEST(BiasCorrection, FallbackBiasIsTheLayersOwnWithoutACorrection) {
  std::vector<float> weight(6 * 8);
  for (size_t i = 0; i < weight.size(); ++i) weight[i] = float(int(i % 7) - 3) * 0.25f;
  const Int8Layer l = Int8Layer::from_weight(weight.data(), 6, 8, 2, std::vector<float>(8, 0.02f),
                                             std::vector<int32_t>(8, 17));
  const std::vector<float> bias = {0.1f, -2.5f, 3e-7f, 0.0f, 7.0f, -0.3f};
  EXPECT_EQ(l.fallback_bias(bias.data()), bias);
}

Quantization sample_plan() {
  Quantization q;
  q.range_method = "mse";
  q.calibration_inputs = 3;
  q.output_error = 0.0123456789012345;
  q.pixel_agreement = 0.99321;
  q.guard_margin = 0.125;
  LayerQuantization a;
  a.layer = "base_net.level2_0.eesp.proj_1x1.conv.weight";
  a.observed_min = -1.7249999f;
  a.observed_max = 3.1234567f;
  a.error_alone = 0.023;
  LayerQuantization b = a;
  b.layer = "bu_dec_l1.merge_layer.3.weight@then-bn";
  b.int8 = false;
  q.layers = {a, b};
  return q;
}

TEST(QuantText, RoundTripsExactly) {
  const Quantization q = sample_plan();
  const std::string text = "task=segmentation\n" + quantization_to_text(q) + "other=1\n";
  const std::unique_ptr<Quantization> back = quantization_from_text(text, "f");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->range_method, q.range_method);
  EXPECT_EQ(back->calibration_inputs, q.calibration_inputs);
  EXPECT_EQ(back->output_error, q.output_error);
  EXPECT_EQ(back->pixel_agreement, q.pixel_agreement);
  EXPECT_EQ(back->guard_margin, q.guard_margin);
  ASSERT_EQ(back->layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->layers[i].layer, q.layers[i].layer);
    EXPECT_EQ(back->layers[i].int8, q.layers[i].int8);
    EXPECT_EQ(back->layers[i].observed_min, q.layers[i].observed_min);
    EXPECT_EQ(back->layers[i].observed_max, q.layers[i].observed_max);
    EXPECT_EQ(back->layers[i].error_alone, q.layers[i].error_alone);
  }
  EXPECT_EQ(back->bias_correction, q.bias_correction);
  EXPECT_EQ(quantization_to_text(*back), quantization_to_text(q));
  EXPECT_FALSE(quantization_from_text("task=segmentation\n", "f"));
  // Bias-corrected plans say so in a sixth field; plans from before it have five.
  Quantization corrected = q;
  corrected.bias_correction = true;
  const std::string corrected_text = quantization_to_text(corrected);
  EXPECT_NE(corrected_text.find(",bias-corrected\n"), std::string::npos) << corrected_text;
  EXPECT_TRUE(quantization_from_text(corrected_text, "f")->bias_correction);
  EXPECT_FALSE(back->bias_correction);
}

TEST(QuantText, MalformedPlansAreNamedErrors) {
  const std::string plan = "quantization=mse,2,0.01,0.99,0.1\n";
  const std::string layer = "int8.a.weight=int8,-1,2,0.01\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {plan + layer + plan, "a second quantization line"},
      {"quantization=mse,2,0.01,0.99\n" + layer, "expected 5 comma-separated fields"},
      {"quantization=mse,2,0.01,0.99,0.1,corrected\n" + layer, "optional 'bias-corrected'"},
      {"quantization=mse,2,0.01,0.99,0.1,bias-corrected,x\n" + layer, "expected 5"},
      {"quantization=median,2,0.01,0.99,0.1\n" + layer, "unknown range method"},
      {"quantization=mse,0,0.01,0.99,0.1\n" + layer, "positive integer"},
      {"quantization=mse,2.5,0.01,0.99,0.1\n" + layer, "positive integer"},
      {"quantization=mse,2,0.01,0.99,-1\n" + layer, "guard margin"},
      {plan + "int8.a.weight=int4,-1,2,0.01\n", "expected int8 or fp32"},
      {plan + "int8.a.weight=int8,nan,2,0.01\n", "not a finite number"},
      {plan + "int8.a.weight=int8,1e999,2,0.01\n", "not a finite number"},
      {plan + "int8.a.weight=int8,-1,2\n", "expected 4 comma-separated fields"},
      {plan + layer + layer, "repeated layer name"},
      {plan + "int8.=int8,-1,2,0.01\n", "empty or repeated layer name"},
      {plan + "int8.a.weight\n", "no '='"},
      {layer, "without a quantization line"},
      {plan, "without layers"},
  };
  for (const auto& [text, fragment] : cases) {
    const std::string message = error_text([&] { quantization_from_text(text, "q.espnet"); });
    EXPECT_EQ(message.rfind("q.espnet", 0), 0u) << text << " -> " << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << text << " -> " << message;
  }
}

// The arrays Model::save writes for a plan, as the views a loaded file gives.
struct SavedArrays {
  std::vector<ModelFileTensor> tensors;
  std::unordered_map<std::string, ModelFileTensorView> views() const {
    std::unordered_map<std::string, ModelFileTensorView> v;
    for (const ModelFileTensor& t : tensors) {
      ModelFileTensorView view;
      view.name = t.name;
      view.shape = t.shape;
      view.dtype = t.dtype;
      view.numel = shape_numel(t.shape);
      view.bytes = t.dtype == ModelFileDType::kFloat32
                       ? reinterpret_cast<const uint8_t*>(t.values.data())
                       : t.bytes.data();
      v.emplace(t.name, view);
    }
    return v;
  }
};

std::pair<Quantization, std::vector<Int8Layer>> plan_with_layers() {
  Quantization q = sample_plan();
  std::vector<float> weight(size_t(12) * 6);
  for (size_t i = 0; i < weight.size(); ++i) weight[i] = std::sin(float(i));
  q.layers[0].input_scale.assign(6, 0.02f);
  q.layers[0].zero_point = {0, 10, 20, 30, 40, 50};
  std::vector<Int8Layer> layers(2);
  layers[0] = Int8Layer::from_weight(weight.data(), 12, 6, 1, q.layers[0].input_scale,
                                     q.layers[0].zero_point);
  return {q, layers};
}

TEST(Int8Arrays, RoundTripAndRefuseWhatDoesNotFit) {
  auto [plan, layers] = plan_with_layers();
  SavedArrays saved;
  append_int8_arrays(plan, layers, saved.tensors);
  ASSERT_EQ(saved.tensors.size(), 5u);  // the fp32 layer has none
  EXPECT_EQ(saved.tensors[0].dtype, ModelFileDType::kInt8);
  EXPECT_EQ(saved.tensors[0].shape, (Shape{1, 12, 8}));

  Quantization read = sample_plan();
  const std::vector<Int8Layer> back = int8_layers_from_arrays(read, saved.views(), "q.espnet");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].quads, layers[0].quads);
  EXPECT_EQ(back[0].scale, layers[0].scale);
  EXPECT_EQ(back[0].compensation, layers[0].compensation);
  EXPECT_EQ(back[0].inverse_scale, layers[0].inverse_scale);
  EXPECT_EQ(back[0].zero_point, layers[0].zero_point);
  EXPECT_EQ(read.layers[0].input_scale, plan.layers[0].input_scale);
  EXPECT_TRUE(back[1].quads.empty());
  // The guard: the observed range widened by the margin (0.125) of its width on each side.
  const float width = plan.layers[0].observed_max - plan.layers[0].observed_min;
  EXPECT_FLOAT_EQ(back[0].guard_low, plan.layers[0].observed_min - 0.125f * width);
  EXPECT_FLOAT_EQ(back[0].guard_high, plan.layers[0].observed_max + 0.125f * width);

  const auto refused = [&](SavedArrays edited, const std::string& fragment) {
    Quantization q = sample_plan();
    const std::string message =
        error_text([&] { int8_layers_from_arrays(q, edited.views(), "q.espnet"); });
    EXPECT_EQ(message.rfind("q.espnet", 0), 0u) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << fragment << " -> " << message;
  };
  SavedArrays missing = saved;
  missing.tensors.erase(missing.tensors.begin() + 2);
  refused(missing, "int8-compensation' is missing");
  SavedArrays extra = saved;
  extra.tensors.push_back(saved.tensors[1]);
  extra.tensors.back().name = "nobody@int8-scale";
  refused(extra, "belongs to no int8 layer");
  SavedArrays reshaped = saved;
  reshaped.tensors[1].shape = {6};
  reshaped.tensors[1].values.resize(6);
  refused(reshaped, "wrong type or shape");
  SavedArrays wrong_width = saved;
  wrong_width.tensors[0].shape = {1, 6, 16};
  refused(wrong_width, "does not fit 6 input channels");
  SavedArrays bad_zero = saved;
  bad_zero.tensors[4].bytes[0] = 0;
  bad_zero.tensors[4].bytes[1] = 1;  // 256
  refused(bad_zero, "zero point outside [0, 255]");
  SavedArrays bad_scale = saved;
  bad_scale.tensors[3].values[2] = -1.0f;
  refused(bad_scale, "not finite and positive");
  SavedArrays nan_scale = saved;
  nan_scale.tensors[1].values[0] = NAN;
  refused(nan_scale, "weight scale that is not finite");
  SavedArrays typed = saved;
  typed.tensors[2].dtype = ModelFileDType::kFloat32;
  typed.tensors[2].values.assign(12, 0.0f);
  typed.tensors[2].bytes.clear();
  refused(typed, "wrong type or shape");
}

}  // namespace
}  // namespace espnet
