// Between numpy arrays and the engine's types, for the Python module. Inputs are checked with
// errors naming what was expected (TypeError for a wrong type or dtype, ValueError for a wrong
// shape or layout); outputs are new arrays that own their memory (numpy frees it through a
// capsule when the last reference goes), so nothing returned to Python points into a Session.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <vector>

#include "espnet/image.h"
#include "espnet/tensor.h"

namespace espnet::python {

namespace py = pybind11;

/// A C-contiguous float32 N x 3 x H x W ndarray, checked; `what` names it in messages.
py::array checked_network_input(py::handle object, const char* what);

/// A Tensor over the array's memory (no copy); the array must outlive it and stay unchanged.
Tensor tensor_view_of(const py::array& input);

/// Any H x W x 3 uint8 ndarray (any strides: copied into the Image). `what` names it.
Image image_from_array(py::handle object, const char* what);

/// An H x W uint8 ndarray (any strides), copied row-major; its size goes to *height, *width.
std::vector<uint8_t> labels_from_array(py::handle object, const char* what, int* height,
                                       int* width);

/// Moves the tensor into a new float32 ndarray of its shape.
py::array array_from_tensor(Tensor&& tensor);

/// Moves the bytes into a new uint8 ndarray of `shape` (row-major; the sizes must match).
py::array array_from_bytes(std::vector<uint8_t>&& bytes, std::vector<py::ssize_t> shape);

/// Moves an image's pixels into a new H x W x 3 (or H x W for one channel) uint8 ndarray.
py::array array_from_image(Image&& image);

}  // namespace espnet::python
