// Drawing primitives: every drawn pixel against a brute-force model of the shape, on a canvas
// surrounded by guard bytes so that any write outside it is caught; text and labels stay inside
// their reported size; the detection picture uses the class colours.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "detection/draw_detections.h"
#include "espnet/error.h"
#include "image/draw.h"

namespace espnet {
namespace {

constexpr uint8_t kGuard = 0xAB;

// A width x height canvas inside a buffer with `margin` guard pixels on every side (and so a row
// stride larger than the canvas row).
class GuardedCanvas {
 public:
  GuardedCanvas(int width, int height, int margin = 8)
      : width_(width),
        height_(height),
        margin_(margin),
        stride_(3 * int64_t{width + 2 * margin}),
        buffer_(static_cast<size_t>(stride_ * (height + 2 * margin)), kGuard) {
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < 3 * width; ++x) row(y)[x] = 0;
  }

  Canvas canvas() { return Canvas{row(0), width_, height_, stride_}; }
  uint8_t* row(int y) { return buffer_.data() + (y + margin_) * stride_ + 3 * margin_; }
  Rgb pixel(int x, int y) {
    const uint8_t* p = row(y) + 3 * x;
    return Rgb{p[0], p[1], p[2]};
  }
  bool coloured(int x, int y, Rgb c) {
    Rgb p = pixel(x, y);
    return p.r == c.r && p.g == c.g && p.b == c.b;
  }
  bool blank(int x, int y) { return coloured(x, y, Rgb{0, 0, 0}); }

  // Counts guard bytes that were overwritten.
  int64_t damaged_guards() const {
    int64_t damaged = 0;
    for (int64_t i = 0; i < static_cast<int64_t>(buffer_.size()); ++i) {
      const int64_t y = i / stride_ - margin_, x = (i % stride_) / 3 - margin_;
      const bool inside = y >= 0 && y < height_ && x >= 0 && x < width_;
      if (!inside && buffer_[i] != kGuard) ++damaged;
    }
    return damaged;
  }

 private:
  int width_, height_, margin_;
  int64_t stride_;
  std::vector<uint8_t> buffer_;
};

bool in_outline(int64_t x, int64_t y, int64_t l, int64_t t, int64_t r, int64_t b, int64_t th) {
  if (x < l || x > r || y < t || y > b) return false;
  return x - l < th || r - x < th || y - t < th || b - y < th;
}

const Rgb kRed{200, 10, 20};

TEST(Draw, RectangleOutlineMatchesModelWithClipping) {
  const unsigned seed = 20240611;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  const int extremes[] = {INT_MIN, INT_MIN + 1, -1000000, -3,      -1,          0,      1,
                          30,      31,          32,       1000000, INT_MAX - 1, INT_MAX};
  std::uniform_int_distribution<int> coord(-20, 60), pick(0, 12), thick(1, 6), mode(0, 3);
  for (int iter = 0; iter < 2000; ++iter) {
    const int w = 1 + iter % 31, h = 1 + (iter * 7) % 29;
    GuardedCanvas gc(w, h);
    int c[4];
    for (int& v : c) v = mode(rng) == 0 ? extremes[pick(rng)] : coord(rng);
    const int th = thick(rng);
    draw_rectangle(gc.canvas(), c[0], c[1], c[2], c[3], kRed, th);
    ASSERT_EQ(gc.damaged_guards(), 0) << "iteration " << iter;
    const int64_t l = std::min(c[0], c[2]), r = std::max(c[0], c[2]);
    const int64_t t = std::min(c[1], c[3]), b = std::max(c[1], c[3]);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const bool expected = in_outline(x, y, l, t, r, b, th);
        ASSERT_EQ(gc.coloured(x, y, kRed), expected)
            << "iteration " << iter << " pixel " << x << "," << y << " box " << c[0] << "," << c[1]
            << "," << c[2] << "," << c[3] << " thickness " << th;
        if (!expected) {
          ASSERT_TRUE(gc.blank(x, y));
        }
      }
  }
}

TEST(Draw, FilledRectangleAndSmallCases) {
  GuardedCanvas gc(10, 8);
  fill_rectangle(gc.canvas(), 7, 6, 2, 3, kRed);  // corners in either order
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 10; ++x)
      EXPECT_EQ(gc.coloured(x, y, kRed), x >= 2 && x <= 7 && y >= 3 && y <= 6) << x << "," << y;
  // A zero-size box is one pixel; wholly outside, nothing.
  GuardedCanvas dot(5, 5);
  draw_rectangle(dot.canvas(), 2, 3, 2, 3, kRed, 2);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_EQ(dot.coloured(x, y, kRed), x == 2 && y == 3);
  GuardedCanvas none(5, 5);
  draw_rectangle(none.canvas(), -9, -9, -1, -1, kRed, 3);
  draw_rectangle(none.canvas(), 5, 0, 9, 4, kRed, 3);
  fill_rectangle(none.canvas(), INT_MAX, INT_MAX, INT_MAX, INT_MAX, kRed);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_TRUE(none.blank(x, y));
  EXPECT_EQ(none.damaged_guards(), 0);
  // An empty canvas accepts anything and writes nothing.
  GuardedCanvas empty(0, 0);
  draw_rectangle(empty.canvas(), -5, -5, 5, 5, kRed, 2);
  draw_label(empty.canvas(), 0, 0, "person: 0.9", kRed, Rgb{255, 255, 255}, 1);
  EXPECT_EQ(empty.damaged_guards(), 0);
}

TEST(Draw, BadArgumentsAreErrors) {
  GuardedCanvas gc(4, 4);
  EXPECT_THROW(draw_rectangle(gc.canvas(), 0, 0, 3, 3, kRed, 0), Error);
  EXPECT_THROW(draw_text(gc.canvas(), 0, 0, "a", kRed, 0), Error);
  EXPECT_THROW(text_size("a", kMaxTextScale + 1), Error);
  Canvas bad = gc.canvas();
  bad.row_stride = 3;  // shorter than a row
  EXPECT_THROW(fill_rectangle(bad, 0, 0, 1, 1, kRed), Error);
  Image grey{4, 4, 1, std::vector<uint8_t>(16)};
  EXPECT_THROW(canvas_of(grey), Error);
  Image short_buffer{4, 4, 3, std::vector<uint8_t>(47)};
  EXPECT_THROW(canvas_of(short_buffer), Error);
}

// The pixels set by draw_text, as a list of (x, y).
std::vector<std::pair<int, int>> text_pixels(GuardedCanvas& gc, int w, int h) {
  std::vector<std::pair<int, int>> set;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (!gc.blank(x, y)) set.push_back({x, y});
  return set;
}

TEST(Draw, TextStaysInsideItsSizeAndScales) {
  const std::string text = "person: 0.873 Qgjy|";
  const TextSize s1 = text_size(text, 1), s3 = text_size(text, 3);
  EXPECT_GT(s1.width, 6 * static_cast<int>(text.size()) - 20);
  EXPECT_GE(s1.height, 7);
  EXPECT_LE(s1.height, 12);
  EXPECT_EQ(s3.width, 3 * s1.width);
  EXPECT_EQ(s3.height, 3 * s1.height);
  const int w = 400, h = 60;
  GuardedCanvas a(w, h), b(w, h);
  draw_text(a.canvas(), 5, 7, text, kRed, 1);
  draw_text(b.canvas(), 5, 7, text, kRed, 3);
  std::vector<std::pair<int, int>> pa = text_pixels(a, w, h), pb = text_pixels(b, w, h);
  ASSERT_GT(pa.size(), 100u);
  EXPECT_EQ(pb.size(), 9 * pa.size());
  int max_x = 0, max_y = 0;
  for (auto [x, y] : pa) {
    EXPECT_TRUE(a.coloured(x, y, kRed));
    EXPECT_GE(x, 5);
    EXPECT_GE(y, 7);
    max_x = std::max(max_x, x);
    max_y = std::max(max_y, y);
  }
  EXPECT_LT(max_x, 5 + s1.width);
  EXPECT_EQ(max_y, 7 + s1.height - 1);  // the lowest glyph reaches the reported height
}

TEST(Draw, TextOutsidePrintableAsciiIsDrawnAsQuestionMarks) {
  const int w = 120, h = 20;
  GuardedCanvas a(w, h), b(w, h);
  const std::string odd = std::string("a\x01\x7f") + "\xc3\xa9\n" + "b";  // control, DEL, UTF-8
  draw_text(a.canvas(), 1, 1, odd, kRed, 1);
  draw_text(b.canvas(), 1, 1, "a?????b", kRed, 1);
  EXPECT_EQ(text_pixels(a, w, h), text_pixels(b, w, h));
  EXPECT_EQ(text_size(odd, 1).width, text_size("a?????b", 1).width);
}

TEST(Draw, TextAndLabelsAreClippedAtTheBorders) {
  const unsigned seed = 77;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pos(-150, 150), scale(1, 4);
  for (int iter = 0; iter < 300; ++iter) {
    GuardedCanvas gc(37 + iter % 50, 11 + iter % 23);
    draw_text(gc.canvas(), pos(rng), pos(rng), "bicycle: 0.5", kRed, scale(rng));
    draw_label(gc.canvas(), pos(rng), pos(rng), "dog: 1.000", kRed, Rgb{255, 255, 255}, scale(rng));
    ASSERT_EQ(gc.damaged_guards(), 0) << "iteration " << iter;
  }
  GuardedCanvas gc(10, 10);
  draw_text(gc.canvas(), INT_MAX, INT_MIN, "x", kRed, kMaxTextScale);
  draw_text(gc.canvas(), INT_MIN, INT_MAX, "x", kRed, kMaxTextScale);
  EXPECT_EQ(gc.damaged_guards(), 0);
}

TEST(Draw, LabelIsMovedInsideTheCanvas) {
  const int w = 200, h = 100;
  GuardedCanvas gc(w, h);
  const Rgb bg{10, 200, 30}, fg{255, 255, 255};
  const TextSize box = draw_label(gc.canvas(), w - 5, h - 3, "person: 0.873", bg, fg, 1);
  ASSERT_LT(box.width, w);
  ASSERT_LT(box.height, h);
  // Moved so that its bottom-right corner is the canvas's: the background reaches it, and the
  // label's top-left corner is at (w - width, h - height).
  EXPECT_TRUE(gc.coloured(w - 1, h - 1, bg));
  EXPECT_TRUE(gc.coloured(w - box.width, h - box.height, bg));
  EXPECT_TRUE(gc.blank(w - box.width - 1, h - box.height));
  EXPECT_TRUE(gc.blank(w - box.width, h - box.height - 1));
  int text = 0;
  for (int y = h - box.height; y < h; ++y)
    for (int x = w - box.width; x < w; ++x) {
      EXPECT_TRUE(gc.coloured(x, y, bg) || gc.coloured(x, y, fg)) << x << "," << y;
      text += gc.coloured(x, y, fg);
    }
  EXPECT_GT(text, 50);
}

TEST(DrawDetections, BoxesInClassColoursWithLabels) {
  EXPECT_EQ(detection_colour(15).r, 192);  // VOC colour map: person (192, 128, 128)
  EXPECT_EQ(detection_colour(15).g, 128);
  EXPECT_EQ(detection_colour(15).b, 128);
  EXPECT_EQ(detection_colour(1).r, 128);
  EXPECT_EQ(detection_colour(1).g, 0);
  Image photo{120, 90, 3, std::vector<uint8_t>(120 * 90 * 3, 0)};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Detection> dets = {{20.7f, 30.2f, 100.9f, 80.5f, 0.9f, 15},
                                 {-50.f, -60.f, 1e30f, 5e9f, 0.4f, 1},
                                 {nan, 1.f, 2.f, 3.f, 0.5f, 2},
                                 {1.f, 1.f, INFINITY, 3.f, 0.5f, 2}};
  DetectionStyle style;  // thickness 2, scale 1
  Image out = draw_detections(photo, dets, {"background", "a", "b"}, style);
  ASSERT_EQ(out.pixels.size(), photo.pixels.size());
  auto at = [&](int x, int y) {
    const uint8_t* p = &out.pixels[(y * 120 + x) * 3];
    return Rgb{p[0], p[1], p[2]};
  };
  auto is = [](Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; };
  const Rgb person = detection_colour(15), one = detection_colour(1);
  // Box 0 truncated to (20, 30)-(100, 80), 2 pixels thick; its label covers the top-left
  // corner, so check the other edges.
  EXPECT_TRUE(is(at(100, 80), person));
  EXPECT_TRUE(is(at(99, 79), person));
  EXPECT_TRUE(is(at(98, 78), Rgb{}));
  EXPECT_TRUE(is(at(20, 79), person));
  EXPECT_TRUE(is(at(21, 70), person));
  EXPECT_TRUE(is(at(22, 70), Rgb{}));
  EXPECT_TRUE(is(at(101, 80), Rgb{}));
  // Box 1 covers the whole photo: its outline is clipped away except the left and top edges,
  // which are outside too, so only its label (moved to the top-left corner) shows.
  EXPECT_TRUE(is(at(0, 0), one));
  EXPECT_TRUE(is(at(119, 89), Rgb{}));
  // The label of box 0 sits at its top-left corner in the class colour.
  EXPECT_TRUE(is(at(20, 30), person));
  // The boxes with a non-finite corner (class 2) are skipped, label included.
  for (int y = 0; y < 90; ++y)
    for (int x = 0; x < 120; ++x) ASSERT_FALSE(is(at(x, y), detection_colour(2))) << x << "," << y;
  // The input photo is untouched.
  EXPECT_EQ(photo.pixels, std::vector<uint8_t>(120 * 90 * 3, 0));
}

TEST(DrawDetections, StyleGrowsWithThePhoto) {
  EXPECT_EQ(detection_style_for(750, 400).text_scale, 1);
  EXPECT_EQ(detection_style_for(750, 400).thickness, 2);
  EXPECT_EQ(detection_style_for(1920, 1080).text_scale, 3);
  EXPECT_EQ(detection_style_for(1920, 1080).thickness, 3);
  EXPECT_EQ(detection_style_for(0, 0).text_scale, 1);
  EXPECT_EQ(detection_style_for(INT_MAX, INT_MAX).text_scale, kMaxTextScale);
}

}  // namespace
}  // namespace espnet
