#include "image/draw.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "espnet/error.h"

// stb_easy_font is header-only with every function static (v1.1), so no implementation #define
// is needed; some of its functions are unused here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace espnet {
namespace {

// Corners are widened to 64 bits so that x2 - x1, x + width and the like never overflow.
void fill_clipped(const Canvas& canvas, int64_t x1, int64_t y1, int64_t x2, int64_t y2,
                  Rgb colour) {
  if (x1 > x2) std::swap(x1, x2);
  if (y1 > y2) std::swap(y1, y2);
  x1 = std::max<int64_t>(x1, 0);
  y1 = std::max<int64_t>(y1, 0);
  x2 = std::min<int64_t>(x2, int64_t{canvas.width} - 1);
  y2 = std::min<int64_t>(y2, int64_t{canvas.height} - 1);
  for (int64_t y = y1; y <= y2; ++y) {
    uint8_t* p = canvas.pixels + y * canvas.row_stride + 3 * x1;
    for (int64_t x = x1; x <= x2; ++x, p += 3) {
      p[0] = colour.r;
      p[1] = colour.g;
      p[2] = colour.b;
    }
  }
}

void check_canvas(const Canvas& canvas) {
  if (canvas.width < 0 || canvas.height < 0 ||
      (canvas.width > 0 && canvas.height > 0 &&
       (!canvas.pixels || canvas.row_stride < 3 * int64_t{canvas.width})))
    throw Error("draw: invalid canvas (" + std::to_string(canvas.width) + "x" +
                std::to_string(canvas.height) + ", row stride " +
                std::to_string(canvas.row_stride) + ")");
}

void check_scale(int scale) {
  if (scale < 1 || scale > kMaxTextScale)
    throw Error("draw: text scale must be 1.." + std::to_string(kMaxTextScale) + ", got " +
                std::to_string(scale));
}

// Longer labels are cut: nobody reads them, and the quad buffer stays small.
constexpr size_t kMaxTextLength = 256;

// The font indexes its tables with (char - 32) over 95 glyphs; anything else would read out of
// bounds, so it becomes '?'.
std::string printable(const std::string& text) {
  std::string out = text.substr(0, kMaxTextLength);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126) c = '?';
  return out;
}

// One axis-aligned font quad in font pixels: [x0, x1) x [y0, y1).
struct Quad {
  int x0, y0, x1, y1;
};

std::vector<Quad> font_quads(std::string text) {
  // Each quad is 4 vertices of 16 bytes (x, y, z floats and 4 colour bytes); no glyph has more
  // than 32 segments, so 32 quads per character always suffice.
  std::vector<char> vertices(text.size() * 32 * 64 + 64);
  const int count = stb_easy_font_print(0, 0, text.data(), nullptr, vertices.data(),
                                        static_cast<int>(vertices.size()));
  std::vector<Quad> quads;
  quads.reserve(count);
  for (int q = 0; q < count; ++q) {
    float corner[2][2];  // vertex 0 (top-left) and vertex 2 (bottom-right)
    for (int v = 0; v < 2; ++v)
      std::memcpy(corner[v], vertices.data() + q * 64 + v * 32, 2 * sizeof(float));
    // Coordinates are whole numbers: the text starts at 0 and advances are integers.
    quads.push_back(
        {static_cast<int>(std::lround(corner[0][0])), static_cast<int>(std::lround(corner[0][1])),
         static_cast<int>(std::lround(corner[1][0])), static_cast<int>(std::lround(corner[1][1]))});
  }
  return quads;
}

}  // namespace

Canvas canvas_of(Image& image) {
  if (image.channels != 3 || image.width < 0 || image.height < 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error("draw: expected an RGB image with width * height * 3 bytes, got " +
                std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                std::to_string(image.channels) + " with " + std::to_string(image.pixels.size()) +
                " bytes");
  return Canvas{image.pixels.data(), image.width, image.height, int64_t{image.width} * 3};
}

void fill_rectangle(const Canvas& canvas, int x1, int y1, int x2, int y2, Rgb colour) {
  check_canvas(canvas);
  fill_clipped(canvas, x1, y1, x2, y2, colour);
}

void draw_rectangle(const Canvas& canvas, int x1, int y1, int x2, int y2, Rgb colour,
                    int thickness) {
  check_canvas(canvas);
  if (thickness < 1)
    throw Error("draw_rectangle: thickness must be at least 1, got " + std::to_string(thickness));
  int64_t left = std::min(x1, x2), right = std::max(x1, x2);
  int64_t top = std::min(y1, y2), bottom = std::max(y1, y2);
  const int64_t t = thickness - 1;
  fill_clipped(canvas, left, top, right, std::min(top + t, bottom), colour);     // top
  fill_clipped(canvas, left, std::max(bottom - t, top), right, bottom, colour);  // bottom
  fill_clipped(canvas, left, top, std::min(left + t, right), bottom, colour);    // left
  fill_clipped(canvas, std::max(right - t, left), top, right, bottom, colour);   // right
}

TextSize text_size(const std::string& text, int scale) {
  check_scale(scale);
  std::string s = printable(text);
  TextSize size;
  size.width = stb_easy_font_width(s.data()) * scale;
  int bottom = 0;
  for (const Quad& q : font_quads(s)) bottom = std::max(bottom, q.y1);
  size.height = bottom * scale;
  return size;
}

void draw_text(const Canvas& canvas, int x, int y, const std::string& text, Rgb colour, int scale) {
  check_canvas(canvas);
  check_scale(scale);
  for (const Quad& q : font_quads(printable(text)))
    fill_clipped(canvas, int64_t{x} + int64_t{q.x0} * scale, int64_t{y} + int64_t{q.y0} * scale,
                 int64_t{x} + int64_t{q.x1} * scale - 1, int64_t{y} + int64_t{q.y1} * scale - 1,
                 colour);
}

TextSize draw_label(const Canvas& canvas, int x, int y, const std::string& text, Rgb background,
                    Rgb foreground, int scale) {
  check_canvas(canvas);
  const TextSize inner = text_size(text, scale);
  const TextSize box{inner.width + 2 * scale, inner.height + 2 * scale};
  // Inside the canvas where it fits; the left / top edge wins when the label is the larger.
  int64_t left = std::min<int64_t>(x, int64_t{canvas.width} - box.width);
  int64_t top = std::min<int64_t>(y, int64_t{canvas.height} - box.height);
  left = std::max<int64_t>(left, 0);
  top = std::max<int64_t>(top, 0);
  fill_clipped(canvas, left, top, left + box.width - 1, top + box.height - 1, background);
  draw_text(canvas, static_cast<int>(left + scale), static_cast<int>(top + scale), text, foreground,
            scale);
  return box;
}

}  // namespace espnet
