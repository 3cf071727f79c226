// espnetv2.quantize(): int8 calibration from Python, and what a quantized Model and an int8
// Session report. The result is written to a file and loaded from it, so that it pickles (as
// every Model does) by its path.
#include <pybind11/stl.h>

#include "espnet/quantize.h"
#include "python/bindings.h"
#include "python/numpy_convert.h"

namespace espnet::python {
namespace {

std::shared_ptr<PyModel> quantize_photos(const std::shared_ptr<PyModel>& model,
                                         const py::list& photos, py::handle path_object,
                                         double min_pixel_agreement, double max_output_error,
                                         const std::string& range, double guard_margin, int threads,
                                         bool bias_correction) {
  if (!model) throw py::type_error("quantize needs an espnetv2.Model, got None");
  if (photos.empty()) throw py::value_error("quantize needs at least one calibration photo");
  if (threads < 0 || threads > 1024)
    throw py::value_error("threads must be 0 (the OpenMP default) to 1024, got " +
                          std::to_string(threads));
  const std::string path = fspath(path_object);
  std::vector<Image> images;
  for (py::handle photo : photos) images.push_back(image_from_array(photo, "photo"));
  QuantizeOptions options;
  options.min_pixel_agreement = min_pixel_agreement;
  options.max_output_error = max_output_error;
  options.range_method = range;
  options.guard_margin = guard_margin;
  options.threads = threads;
  options.bias_correction = bias_correction;
  auto result = std::make_shared<PyModel>();
  result->path = path;
  result->detection_input_size = model->detection_input_size;
  {
    py::gil_scoped_release release;
    std::vector<Tensor> inputs;
    for (const Image& image : images) inputs.push_back(calibration_input(*model->model, image));
    images.clear();
    quantize(model->model, inputs, options)->save(path);
    LoadOptions load;
    load.detection_input_size = model->model->info().input_size;
    result->model = Model::load(path, load);
    result->class_names = model->class_names;
  }
  return result;
}

}  // namespace

py::object quantization_dict(const Model& model) {
  const Quantization* q = model.quantization();
  if (!q) return py::none();
  py::list layers;
  for (const LayerQuantization& l : q->layers) {
    py::dict layer;
    layer["layer"] = l.layer;
    layer["precision"] = l.int8 ? "int8" : "fp32";
    layer["observed_min"] = l.observed_min;
    layer["observed_max"] = l.observed_max;
    layer["input_scale"] = l.input_scale;
    layer["zero_point"] = l.zero_point;
    layer["error_alone"] = l.error_alone;
    layers.append(layer);
  }
  py::dict d;
  d["range_method"] = q->range_method;
  d["calibration_inputs"] = q->calibration_inputs;
  d["output_error"] = q->output_error;
  d["pixel_agreement"] = q->pixel_agreement;
  d["guard_margin"] = q->guard_margin;
  d["bias_correction"] = q->bias_correction;
  d["layers"] = layers;
  return std::move(d);
}

py::dict precision_report_dict(const PrecisionReport& r) {
  py::dict d;
  d["precision"] = precision_name(r.precision);
  d["kernels"] = r.kernels;
  d["reduced_convolutions"] = r.reduced_convolutions;
  d["fp32_convolutions"] = r.fp32_convolutions;
  d["reduced_macs"] = r.reduced_macs;
  d["fp32_macs"] = r.fp32_macs;
  d["int8_fallbacks"] = r.int8_fallbacks;
  return d;
}

void bind_quantize(py::module_& m) {
  m.def("quantize", &quantize_photos, py::arg("model"), py::arg("photos"), py::arg("path"),
        py::arg("min_pixel_agreement") = 0.995, py::arg("max_output_error") = 0.05,
        py::arg("range") = "mse", py::arg("guard_margin") = 0.1, py::arg("threads") = 0,
        py::arg("bias_correction") = true,
        R"doc(
Calibrates ``model`` for int8 on ``photos`` (H x W x 3 uint8 arrays, preprocessed as the model's
task does it), keeps in fp32 the layers that lose too much (until the goals hold on these
photos), writes the quantized model file to ``path`` and returns it loaded. Run it with
``Session(model, precision="int8")``. The same photos give the same file, byte for byte. Raises
espnetv2.Error on bad input.)doc");
}

}  // namespace espnet::python
