// The pieces of the `espnetv2._core` extension module, each adding its part to the module.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "espnet/model.h"
#include "espnet/session.h"

namespace espnet::python {

namespace py = pybind11;

/// A loaded model as Python sees it: the engine's shared model, its class names, and what it
/// takes to load it again in another process (pickling sends that, not the weights).
struct PyModel {
  std::shared_ptr<const Model> model;
  std::vector<std::string> class_names;
  std::string path;              // the file it was loaded from; "" for a random model
  int detection_input_size = 0;  // the LoadOptions it was loaded with
  uint32_t random_seed = 0;      // a random model's seed
};

/// A session and the Python model it runs (kept alive by it).
struct PySession {
  std::shared_ptr<PyModel> model;
  std::unique_ptr<Session> session;
  int threads = 0;
  bool allow_non_finite_input = false;
};

/// espnetv2.Error and espnetv2.SessionInUseError.
void bind_errors(py::module_& m);
/// espnetv2.Model and espnetv2.Session.
void bind_model_and_session(py::module_& m);
/// os.fspath(path) as a string (str or os.PathLike).
std::string fspath(py::handle path);
/// espnetv2.quantize.
void bind_quantize(py::module_& m);
/// A quantized model's plan as a dict (None for an fp32 model), and a session's PrecisionReport.
py::object quantization_dict(const Model& model);
py::dict precision_report_dict(const PrecisionReport& report);
/// decode_image, write_png and the task calls (the typed results are built in __init__.py).
void bind_tasks(py::module_& m);

}  // namespace espnet::python
