// Images and the task calls of espnet/tasks.h for Python. These return tuples, dicts and
// ndarrays; espnetv2/__init__.py turns them into the public dataclasses (which pickle, so results
// come back from process-pool workers as they are). The GIL is released during engine work.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>

#include "espnet/error.h"
#include "espnet/tasks.h"
#include "python/bindings.h"
#include "python/numpy_convert.h"

namespace espnet::python {
namespace {

py::array decode_image_any(py::handle source) {
  Image image;
  if (py::isinstance<py::bytes>(source) || py::isinstance<py::bytearray>(source) ||
      py::isinstance<py::memoryview>(source)) {
    // The encoded file in memory (an upload, a blob from a dataset): the buffer protocol gives
    // its bytes without a copy; the Python object is held for the duration.
    const py::buffer buffer = py::reinterpret_borrow<py::buffer>(source);
    const py::buffer_info info = buffer.request();
    if (info.ndim != 1 || info.itemsize != 1 || info.strides[0] != 1)
      throw py::value_error("decode_image: a memory buffer must be contiguous bytes");
    py::gil_scoped_release release;
    image = decode_image_memory(static_cast<const uint8_t*>(info.ptr),
                                static_cast<size_t>(info.size), "<bytes>");
  } else {
    const std::string path = fspath(source);
    py::gil_scoped_release release;
    image = decode_image(path);
  }
  return array_from_image(std::move(image));
}

void write_png_any(py::handle path_object, py::handle picture) {
  const std::string path = fspath(path_object);
  Image image;
  if (py::isinstance<py::array>(picture) &&
      py::reinterpret_borrow<py::array>(picture).ndim() == 2) {
    image.channels = 1;
    image.pixels = labels_from_array(picture, "image", &image.height, &image.width);
  } else {
    image = image_from_array(picture, "image");
  }
  py::gil_scoped_release release;
  write_png(path, image);
}

py::list classify_raw(PySession& session, py::handle rgb, int top_k) {
  if (top_k < 1) throw py::value_error("top_k must be at least 1, got " + std::to_string(top_k));
  const Image image = image_from_array(rgb, "rgb");
  std::vector<ClassScore> scores;
  {
    py::gil_scoped_release release;
    scores = classify(*session.session, image, top_k);
  }
  py::list result;
  for (const ClassScore& s : scores) result.append(py::make_tuple(s.index, s.name, s.probability));
  return result;
}

py::dict segment_raw(PySession& session, py::handle rgb, int width, int height, bool keep_logits) {
  const Image image = image_from_array(rgb, "rgb");
  SegmentationResult r;
  {
    py::gil_scoped_release release;
    SegmentOptions options;
    options.width = width;
    options.height = height;
    options.keep_logits = keep_logits;
    r = segment(*session.session, image, options);
  }
  py::list classes;
  for (const ClassShare& c : r.classes)
    classes.append(py::make_tuple(c.index, c.name, c.pixels, c.fraction));
  py::dict result;
  result["width"] = r.width;
  result["height"] = r.height;
  result["network_width"] = r.network_width;
  result["network_height"] = r.network_height;
  result["labels"] = array_from_bytes(std::move(r.labels), {r.height, r.width});
  result["network_labels"] =
      array_from_bytes(std::move(r.network_labels), {r.network_height, r.network_width});
  result["logits"] = keep_logits ? py::object(array_from_tensor(std::move(r.logits))) : py::none();
  result["classes"] = classes;
  return result;
}

py::list detect_raw(PySession& session, py::handle rgb, double score_threshold,
                    double iou_threshold, int top_k_per_class, int max_detections) {
  const Image image = image_from_array(rgb, "rgb");
  DetectOptions options;
  options.score_threshold = static_cast<float>(score_threshold);
  options.iou_threshold = static_cast<float>(iou_threshold);
  options.top_k_per_class = top_k_per_class;
  options.max_detections = max_detections;
  std::vector<Detection> found;
  {
    py::gil_scoped_release release;
    found = detect(*session.session, image, options);
  }
  py::list result;
  for (const Detection& d : found)
    result.append(py::make_tuple(d.x1, d.y1, d.x2, d.y2, d.score, d.label, d.name));
  return result;
}

py::array colorize_raw(py::handle labels, const PyModel& model) {
  SegmentationResult result;
  result.labels = labels_from_array(labels, "labels", &result.height, &result.width);
  Image colours;
  {
    py::gil_scoped_release release;
    colours = colorize(result, *model.model);
  }
  return array_from_image(std::move(colours));
}

py::array overlay_any(py::handle photo, py::handle colours, double alpha) {
  const Image a = image_from_array(photo, "photo"), b = image_from_array(colours, "colours");
  if (!(alpha >= 0.0 && alpha <= 1.0))
    throw py::value_error("alpha must be in [0, 1], got " + std::to_string(alpha));
  Image blended;
  {
    py::gil_scoped_release release;
    blended = overlay(a, b, static_cast<float>(alpha));
  }
  return array_from_image(std::move(blended));
}

// detections: (x1, y1, x2, y2, score, label, name) tuples, as detect_raw returns them.
py::array draw_detections_raw(py::handle photo, py::iterable detections) {
  const Image image = image_from_array(photo, "photo");
  std::vector<Detection> boxes;
  for (py::handle item : detections) {
    const py::tuple t = py::reinterpret_borrow<py::object>(item).cast<py::tuple>();
    if (t.size() != 7) throw py::value_error("a detection is (x1, y1, x2, y2, score, label, name)");
    boxes.push_back({t[0].cast<float>(), t[1].cast<float>(), t[2].cast<float>(), t[3].cast<float>(),
                     t[4].cast<float>(), t[5].cast<int>(), t[6].cast<std::string>()});
  }
  Image drawn;
  {
    py::gil_scoped_release release;
    drawn = draw_detections(image, boxes);
  }
  return array_from_image(std::move(drawn));
}

}  // namespace

void bind_tasks(py::module_& m) {
  m.def("decode_image", &decode_image_any, py::arg("source"), R"doc(
Decodes a JPEG, PNG, BMP, GIF, TGA or 8-bit PNM image, from a path or from bytes in memory, to
an H x W x 3 uint8 RGB ndarray (grey expanded, alpha dropped), as PIL's
Image.open(path).convert('RGB'). Raises espnetv2.Error naming the file when it is missing,
corrupt, unsupported or too large.)doc");
  m.def("write_png", &write_png_any, py::arg("path"), py::arg("image"), R"doc(
Writes an H x W x 3 (RGB) or H x W (grey) uint8 ndarray as a PNG file (atomically).)doc");
  m.def("overlay", &overlay_any, py::arg("photo"), py::arg("colours"), py::arg("alpha") = 0.7,
        R"doc(
The segmentation demo's overlay, PIL Image.blend(photo, colours, alpha): alpha 0 is the photo,
1 the colours. Both H x W x 3 uint8 of the same size; returns a new one.)doc");
  m.def("_classify", &classify_raw, py::arg("session"), py::arg("rgb"), py::arg("top_k"));
  m.def("_segment", &segment_raw, py::arg("session"), py::arg("rgb"), py::arg("width"),
        py::arg("height"), py::arg("keep_logits"));
  m.def("_detect", &detect_raw, py::arg("session"), py::arg("rgb"), py::arg("score_threshold"),
        py::arg("iou_threshold"), py::arg("top_k_per_class"), py::arg("max_detections"));
  m.def("_colorize", &colorize_raw, py::arg("labels"), py::arg("model"));
  m.def("_draw_detections", &draw_detections_raw, py::arg("photo"), py::arg("detections"));
}

}  // namespace espnet::python
