// The compiled part of the `espnetv2` Python package (espnetv2._core): the engine's Model,
// Session, images and task calls. espnetv2/__init__.py re-exports it with typed results.
#include <pybind11/pybind11.h>

#include "python/bindings.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "ESPNetv2 CPU inference engine (the compiled part of the espnetv2 package).";
  m.attr("__version__") = ESPNET_VERSION;
  espnet::python::bind_errors(m);
  espnet::python::bind_model_and_session(m);
  espnet::python::bind_tasks(m);
  espnet::python::bind_quantize(m);
}
