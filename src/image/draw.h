// Drawing on 8-bit RGB pixels: filled and outlined rectangles and one-line text labels, all
// clipped to the picture, for the detection output.
//
// Coordinates are pixel indices (x right, y down); rectangles take inclusive corners, as
// cv2.rectangle does. Any int is accepted: a shape partly or wholly outside the picture is
// clipped, never written out of bounds.
#pragma once

#include <cstdint>
#include <string>

#include "image/image.h"

namespace espnet {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

/// A window onto RGB pixels (3 bytes per pixel, channel fastest) that drawing may write: row y
/// starts at pixels + y * row_stride. Only [0, width) x [0, height) is ever touched, so a canvas
/// can sit inside a larger buffer (the tests surround it with guard bytes).
struct Canvas {
  uint8_t* pixels = nullptr;
  int width = 0, height = 0;
  int64_t row_stride = 0;  // bytes, >= 3 * width
};

/// The whole of `image` as a canvas. Throws espnet::Error unless it has 3 channels and a pixel
/// buffer of width * height * 3 bytes.
Canvas canvas_of(Image& image);

/// Fills the pixels (x, y) with x1 <= x <= x2 and y1 <= y <= y2 (corners in either order).
void fill_rectangle(const Canvas& canvas, int x1, int y1, int x2, int y2, Rgb colour);

/// The outline of the same rectangle, `thickness` pixels wide measured inwards from its edges (a
/// rectangle thinner than 2 * thickness comes out filled). Throws espnet::Error for thickness < 1.
void draw_rectangle(const Canvas& canvas, int x1, int y1, int x2, int y2, Rgb colour,
                    int thickness);

struct TextSize {
  int width = 0, height = 0;
};

/// Largest text scale accepted (each font pixel becomes scale x scale pixels).
constexpr int kMaxTextScale = 64;

/// Pixels covered by `text` drawn by draw_text at `scale` (1..kMaxTextScale): from its top-left
/// corner to the right end of the widest advance and the bottom of the lowest glyph.
TextSize text_size(const std::string& text, int scale);

/// One line of text with its top-left corner at (x, y), in stb_easy_font's bitmap font enlarged
/// `scale` times. Bytes outside printable ASCII (32..126) are drawn as '?'; a newline is not a
/// line break. Throws espnet::Error for a scale outside 1..kMaxTextScale.
void draw_text(const Canvas& canvas, int x, int y, const std::string& text, Rgb colour, int scale);

/// A filled box of `background` holding `text` in `foreground` with a margin of `scale` pixels,
/// its top-left corner at (x, y) but moved inside the canvas when it would stick out (so the
/// label of a box at the border stays readable). Returns the box's size.
TextSize draw_label(const Canvas& canvas, int x, int y, const std::string& text, Rgb background,
                    Rgb foreground, int scale);

}  // namespace espnet
