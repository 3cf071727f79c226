#include "python/numpy_convert.h"

#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace espnet::python {
namespace {

std::string shape_text(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t i = 0; i < array.ndim(); ++i) {
    if (i) text += ", ";
    text += std::to_string(array.shape(i));
  }
  return text + (array.ndim() == 1 ? ",)" : ")");
}

std::string dtype_text(const py::array& array) {
  return py::str(array.dtype()).cast<std::string>();
}

std::string type_text(py::handle object) {
  return py::str(py::type::handle_of(object).attr("__name__")).cast<std::string>();
}

// The object as an ndarray of element type T, or a TypeError naming the expected type.
template <typename T>
py::array typed_array(py::handle object, const char* what, const char* dtype_name) {
  if (!py::isinstance<py::array>(object))
    throw py::type_error(std::string(what) + " must be a numpy.ndarray of " + dtype_name +
                         ", got " + type_text(object));
  py::array array = py::reinterpret_borrow<py::array>(object);
  if (!py::isinstance<py::array_t<T>>(array))
    throw py::type_error(std::string(what) + " must have dtype " + dtype_name + ", got " +
                         dtype_text(array) + " (convert it with .astype(numpy." + dtype_name +
                         "))");
  return array;
}

// Keeps a heap object alive for as long as numpy holds the array built over it.
template <typename Owner>
py::capsule owning_capsule(Owner* owner) {
  return py::capsule(owner, [](void* p) { delete static_cast<Owner*>(p); });
}

}  // namespace

py::array checked_network_input(py::handle object, const char* what) {
  py::array array = typed_array<float>(object, what, "float32");
  if (array.ndim() != 4 || array.shape(1) != 3 || array.shape(0) < 1)
    throw py::value_error(std::string(what) + " must be N x 3 x H x W (NCHW, N >= 1), got shape " +
                          shape_text(array));
  if (!(array.flags() & py::array::c_style))
    throw py::value_error(std::string(what) +
                          " must be C-contiguous (it is used in place, not copied); pass "
                          "numpy.ascontiguousarray(x)");
  return array;
}

Tensor tensor_view_of(const py::array& input) {
  Shape shape;
  for (py::ssize_t i = 0; i < input.ndim(); ++i) shape.push_back(input.shape(i));
  // The engine only reads its input (Session::run takes it const); a read-only array is fine.
  return Tensor::view(static_cast<float*>(const_cast<void*>(input.data())), shape);
}

Image image_from_array(py::handle object, const char* what) {
  py::array array = typed_array<uint8_t>(object, what, "uint8");
  if (array.ndim() != 3 || array.shape(2) != 3)
    throw py::value_error(std::string(what) + " must be an H x W x 3 RGB image, got shape " +
                          shape_text(array));
  if (array.shape(0) > std::numeric_limits<int>::max() ||
      array.shape(1) > std::numeric_limits<int>::max())
    throw py::value_error(std::string(what) + " is too large: shape " + shape_text(array));
  auto packed = py::array_t<uint8_t, py::array::c_style>::ensure(array);
  if (!packed) throw py::error_already_set();
  Image image;
  image.height = static_cast<int>(array.shape(0));
  image.width = static_cast<int>(array.shape(1));
  image.channels = 3;
  image.pixels.assign(packed.data(), packed.data() + packed.size());
  return image;
}

std::vector<uint8_t> labels_from_array(py::handle object, const char* what, int* height,
                                       int* width) {
  py::array array = typed_array<uint8_t>(object, what, "uint8");
  if (array.ndim() != 2)
    throw py::value_error(std::string(what) + " must be an H x W label map, got shape " +
                          shape_text(array));
  if (array.shape(0) > std::numeric_limits<int>::max() ||
      array.shape(1) > std::numeric_limits<int>::max())
    throw py::value_error(std::string(what) + " is too large: shape " + shape_text(array));
  auto packed = py::array_t<uint8_t, py::array::c_style>::ensure(array);
  if (!packed) throw py::error_already_set();
  *height = static_cast<int>(array.shape(0));
  *width = static_cast<int>(array.shape(1));
  return std::vector<uint8_t>(packed.data(), packed.data() + packed.size());
}

py::array array_from_tensor(Tensor&& tensor) {
  auto* owner = new Tensor(std::move(tensor));
  py::capsule base = owning_capsule(owner);
  std::vector<py::ssize_t> shape(owner->shape().begin(), owner->shape().end());
  return py::array_t<float>(shape, owner->data(), base);
}

py::array array_from_bytes(std::vector<uint8_t>&& bytes, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<uint8_t>(std::move(bytes));
  py::capsule base = owning_capsule(owner);
  return py::array_t<uint8_t>(std::move(shape), owner->data(), base);
}

py::array array_from_image(Image&& image) {
  std::vector<py::ssize_t> shape = {image.height, image.width};
  if (image.channels != 1) shape.push_back(image.channels);
  return array_from_bytes(std::move(image.pixels), std::move(shape));
}

}  // namespace espnet::python
