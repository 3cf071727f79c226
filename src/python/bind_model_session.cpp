// espnetv2.Model and espnetv2.Session. The GIL is released for the engine's work (loading, runs),
// so Python threads with a Session each run in parallel; a Session entered by a second thread
// raises espnetv2.SessionInUseError (the engine's Session::Claim) instead of corrupting it.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <utility>

#include "espnet/error.h"
#include "espnet/tasks.h"
#include "python/bindings.h"
#include "python/numpy_convert.h"

namespace espnet::python {
std::string fspath(py::handle path) {
  return py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>();
}

namespace {

std::shared_ptr<PyModel> load_model(py::handle path_object, int detection_input_size) {
  if (detection_input_size != 0 && detection_input_size != 300 && detection_input_size != 512)
    throw py::value_error("detection_input_size must be 0, 300 or 512, got " +
                          std::to_string(detection_input_size));
  auto result = std::make_shared<PyModel>();
  result->path = fspath(path_object);
  result->detection_input_size = detection_input_size;
  {
    py::gil_scoped_release release;
    LoadOptions options;
    options.detection_input_size = detection_input_size;
    result->model = Model::load(result->path, options);
    result->class_names = class_names(*result->model);
  }
  return result;
}

Task parse_task(const std::string& name) {
  for (Task task : {Task::kClassification, Task::kSegmentation, Task::kDetection})
    if (name == task_name(task)) return task;
  throw py::value_error("task must be 'classification', 'segmentation' or 'detection', got '" +
                        name + "'");
}

Family parse_family(const std::string& name) {
  for (Family family : {Family::kEdgeNets, Family::kOriginal})
    if (name == family_name(family)) return family;
  throw py::value_error("family must be 'edgenets' or 'espnetv2-original', got '" + name + "'");
}

std::shared_ptr<PyModel> random_model(const std::string& task, double scale, int classes,
                                      const std::string& dataset, const std::string& family,
                                      int input_size, uint32_t seed) {
  ModelInfo info;
  info.task = parse_task(task);
  info.family = parse_family(family);
  info.scale = scale;
  info.classes = classes;
  info.dataset = dataset;
  info.input_size = input_size;
  auto result = std::make_shared<PyModel>();
  result->random_seed = seed;
  {
    py::gil_scoped_release release;
    result->model = Model::random(info, seed);
    result->class_names = class_names(*result->model);
  }
  return result;
}

// Loading again from the same file (or description) in the receiving process: weights are not
// pickled, so sending a Model to a process pool worker costs a file name.
// The rebuilding function is a plain Python one (espnetv2._model_from_pickle): pickle cannot
// refer to a pybind11 static method.
py::tuple reduce_model(const PyModel& model) {
  const py::object rebuild = py::module_::import("espnetv2").attr("_model_from_pickle");
  if (!model.path.empty())
    return py::make_tuple(rebuild, py::make_tuple("load", model.path, model.detection_input_size));
  const ModelInfo& info = model.model->info();
  return py::make_tuple(
      rebuild,
      py::make_tuple("random", task_name(info.task), info.scale, info.classes, info.dataset,
                     family_name(info.family), info.input_size, model.random_seed));
}

std::string model_repr(const PyModel& model) {
  const ModelInfo& info = model.model->info();
  std::string text = std::string("espnetv2.Model(task='") + task_name(info.task) + "', family='" +
                     family_name(info.family) +
                     "', scale=" + py::repr(py::float_(info.scale)).cast<std::string>() +
                     ", classes=" + std::to_string(info.classes) + ", dataset='" + info.dataset +
                     "', params=" + std::to_string(info.params);
  if (info.input_size) text += ", input_size=" + std::to_string(info.input_size);
  return text + ")";
}

std::unique_ptr<PySession> make_session(std::shared_ptr<PyModel> model, int threads,
                                        bool allow_non_finite_input, const std::string& precision) {
  if (!model) throw py::type_error("Session needs an espnetv2.Model, got None");
  if (threads < 0 || threads > 1024)
    throw py::value_error("threads must be 0 (the OpenMP default) to 1024, got " +
                          std::to_string(threads));
  auto result = std::make_unique<PySession>();
  SessionOptions options;
  options.threads = threads;
  options.allow_non_finite_input = allow_non_finite_input;
  options.precision = parse_precision(precision);
  result->session = std::make_unique<Session>(model->model, options);
  result->model = std::move(model);
  result->threads = threads;
  result->allow_non_finite_input = allow_non_finite_input;
  return result;
}

py::dict run_session(PySession& self, py::handle x) {
  const py::array input = checked_network_input(x, "input");
  const Tensor view = tensor_view_of(input);  // numpy's memory, read in place
  std::vector<NamedTensor> outputs;
  {
    py::gil_scoped_release release;
    // Held across the copy too: another thread's run would overwrite the session's outputs.
    const Session::Claim claim(*self.session);
    outputs = self.session->run(view);  // copies to the heap: the session keeps its buffers
  }
  py::dict result;
  for (NamedTensor& output : outputs)
    result[py::str(output.name)] = array_from_tensor(std::move(output.value));
  return result;
}

// The callback is a Python object: its references are counted under the GIL only, so the
// std::function the engine copies holds it through a shared_ptr whose deleter takes the GIL.
void set_trace(PySession& self, py::object callback) {
  if (callback.is_none()) {
    self.session->set_trace({});
    return;
  }
  if (!PyCallable_Check(callback.ptr()))
    throw py::type_error("set_trace takes a callable (name, ndarray) or None");
  std::shared_ptr<py::object> function(new py::object(std::move(callback)), [](py::object* f) {
    py::gil_scoped_acquire acquire;
    delete f;
  });
  self.session->set_trace([function](const std::string& name, const Tensor& value) {
    py::gil_scoped_acquire acquire;
    std::vector<py::ssize_t> shape(value.shape().begin(), value.shape().end());
    py::array_t<float> copy(shape);  // numpy's own memory, not the session's pool
    if (value.numel())
      std::memcpy(copy.mutable_data(), value.data(),
                  static_cast<size_t>(value.numel()) * sizeof(float));
    (*function)(name, copy);
  });
}

}  // namespace

void bind_errors(py::module_& m) {
  // Never freed: a static py::object would be released after the interpreter has finalised.
  static auto* error = new py::exception<Error>(m, "Error", PyExc_RuntimeError);
  error->doc() =
      "Raised by the engine: a missing or corrupt file, an unsupported model, an input size the "
      "network cannot take, a non-finite input. str(e) is the engine's message.";
  static auto* in_use = new py::exception<SessionInUseError>(m, "SessionInUseError", error->ptr());
  in_use->doc() =
      "Raised when a Session is entered by a thread while another thread is using it. A "
      "Session serves one thread at a time: make one per thread (they may share a Model).";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const SessionInUseError& e) {  // the subclass first
      (*in_use)(e.what());
    } catch (const Error& e) {
      (*error)(e.what());
    }
  });
}

void bind_model_and_session(py::module_& m) {
  py::class_<PyModel, std::shared_ptr<PyModel>>(m, "Model", R"doc(
A loaded ESPNetv2 network with its weights: immutable, shareable between threads and sessions.

Load it with ``Model.load(path)``; run it through a :class:`Session`. Pickling a Model sends its
file name (not the weights): the receiving process loads the file again.)doc")
      .def_static("load", &load_model, py::arg("path"), py::arg("detection_input_size") = 0,
                  R"doc(
Loads a PyTorch checkpoint of the official code (``.pth``, legacy or zip) or a file written by
``espnet convert``.

detection_input_size: 300 or 512 for an SSD checkpoint whose file name does not say
("ssd300"/"ssd512"); 0 otherwise. Raises espnetv2.Error naming the file and the problem.)doc")
      .def_static("random", &random_model, py::arg("task"), py::arg("scale"), py::arg("classes"),
                  py::arg("dataset"), py::arg("family") = "edgenets", py::arg("input_size") = 0,
                  py::arg("seed") = 1, R"doc(
A network of the described kind with made-up weights, for timing and sizing without published
weights (its outputs mean nothing). task: 'classification', 'segmentation' or 'detection';
family: 'edgenets' or 'espnetv2-original'; input_size: 300 or 512 for detection.)doc")
      .def_property_readonly(
          "task", [](const PyModel& s) { return task_name(s.model->info().task); },
          "'classification', 'segmentation' or 'detection'.")
      .def_property_readonly(
          "family", [](const PyModel& s) { return family_name(s.model->info().family); },
          "'edgenets' (the EdgeNets code) or 'espnetv2-original' (the original repository's "
          "segmentation network).")
      .def_property_readonly(
          "scale", [](const PyModel& s) { return s.model->info().scale; },
          "The width multiplier s.")
      .def_property_readonly(
          "classes", [](const PyModel& s) { return s.model->info().classes; },
          "Output classes, background included where the task has one.")
      .def_property_readonly(
          "dataset", [](const PyModel& s) { return s.model->info().dataset; },
          "'imagenet', 'pascal', 'city', 'coco' or 'voc'.")
      .def_property_readonly(
          "params", [](const PyModel& s) { return s.model->info().params; },
          "Parameters, counted as upstream model_parameters (BN statistics excluded).")
      .def_property_readonly(
          "input_size", [](const PyModel& s) { return s.model->info().input_size; },
          "Detection: the SSD input size (300 or 512); 0 for any size.")
      .def_property_readonly(
          "class_names", [](const PyModel& s) { return s.class_names; },
          "Class names by output index ('' where the classes have no names).")
      .def_property_readonly(
          "path",
          [](const PyModel& s) -> py::object {
            return s.path.empty() ? py::object(py::none()) : py::object(py::str(s.path));
          },
          "The file it was loaded from (None for a random model).")
      .def(
          "conv_mmacs",
          [](const PyModel& s, int height, int width) {
            py::gil_scoped_release release;
            return s.model->conv_mmacs(height, width);
          },
          py::arg("height"), py::arg("width"),
          "Convolution multiply-adds (millions) for one height x width image, counted as the "
          "published tables count them.")
      .def(
          "save",
          [](const PyModel& s, py::handle path) {
            const std::string file = fspath(path);
            py::gil_scoped_release release;
            s.model->save(file);
          },
          py::arg("path"),
          "Writes the model file `espnet convert` writes (a quantized model keeps its int8 plan).")
      .def_property_readonly(
          "quantization", [](const PyModel& s) { return quantization_dict(*s.model); },
          "A quantized model's int8 plan as a dict (range method, calibration figures, one entry "
          "per point-wise layer); None for an fp32 model.")
      .def("__reduce__", &reduce_model)
      .def("__repr__", &model_repr);

  py::class_<PySession>(m, "Session", R"doc(
Runs a Model: owns its working memory (planned once per input shape, then reused). Cheap to
create. A Session serves one thread at a time: use one per thread (they may share one Model);
a second thread entering a busy Session gets espnetv2.SessionInUseError. The engine's work runs
without the GIL, so threads with their own sessions run in parallel.)doc")
      .def(py::init(&make_session), py::arg("model"), py::arg("threads") = 0,
           py::arg("allow_non_finite_input") = false, py::arg("precision") = "fp32", R"doc(
threads: OpenMP threads for this session's runs (0: the OpenMP default, all cores).
allow_non_finite_input: let NaN / infinity in an input propagate instead of raising
espnetv2.Error.
precision: 'fp32', 'bf16' (point-wise convolutions on AVX-512 BF16) or 'int8' (a model made by
espnetv2.quantize); one this CPU or model cannot run raises espnetv2.Error.)doc")
      .def("run", &run_session, py::arg("input"), R"doc(
Runs the network on a normalised float32 N x 3 x H x W C-contiguous ndarray, read in place (not
copied; do not modify it during the call). Returns a dict of new float32 ndarrays named as
``espnet run`` names its files: {'logits': [N, classes]} (classification), {'output':
[N, classes, H, W]} (segmentation), {'confidences': [N, P, C], 'locations': [N, P, 4]}
(detection). Raises TypeError for another type or dtype, ValueError for another shape or a
non-contiguous array, espnetv2.Error for a size the network cannot take or a non-finite value.)doc")
      .def("set_trace", &set_trace, py::arg("callback"), R"doc(
Calls callback(name, ndarray) with every named intermediate (upstream module paths such as
'level4.0.proj_1x1') during the next runs; None stops it. For debugging and parity checks:
tracing turns the fused kernels off, so traced runs are slower.)doc")
      .def_property_readonly(
          "model", [](const PySession& s) { return s.model; }, "The Model this session runs.")
      .def_property_readonly(
          "threads", [](const PySession& s) { return s.threads; },
          "OpenMP threads per run (0: the OpenMP default).")
      .def_property_readonly(
          "allow_non_finite_input", [](const PySession& s) { return s.allow_non_finite_input; },
          "Whether NaN / infinity in an input propagate instead of raising.")
      .def_property_readonly(
          "precision",
          [](const PySession& s) {
            return precision_name(s.session->precision_report().precision);
          },
          "'fp32', 'bf16' or 'int8'.")
      .def_property_readonly(
          "precision_report",
          [](const PySession& s) { return precision_report_dict(s.session->precision_report()); },
          "What the last run did in which precision: kernels, reduced and fp32 convolutions and "
          "multiply-adds, int8 layers that fell back to fp32 (their input left the calibrated "
          "range).")
      .def_property_readonly(
          "activation_bytes", [](const PySession& s) { return s.session->activation_bytes(); },
          "Bytes of activation memory the session holds (grows with the largest input run).")
      .def("__getstate__",
           [](const PySession&) -> py::object {
             throw py::type_error(
                 "an espnetv2.Session cannot be pickled: send the Model (it pickles as its file "
                 "name) and make a Session in the receiving process");
           })
      .def("__repr__", [](const PySession& s) {
        return "espnetv2.Session(" + model_repr(*s.model) +
               ", threads=" + std::to_string(s.threads) + ")";
      });
}

}  // namespace espnet::python
