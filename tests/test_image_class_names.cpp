// Class-name lists: counts, ends and well-known indices.
#include <gtest/gtest.h>

#include <set>

#include "image/class_names.h"

namespace espnet {
namespace {

TEST(ClassNames, ImageNet) {
  const auto& n = imagenet_class_names();
  ASSERT_EQ(n.size(), 1000u);
  EXPECT_EQ(n[0], "tench");
  EXPECT_EQ(n[1], "goldfish");
  EXPECT_EQ(n[2], "great white shark");
  EXPECT_EQ(n[151], "Chihuahua");
  EXPECT_EQ(n[207], "golden retriever");
  EXPECT_EQ(n[281], "tabby");
  EXPECT_EQ(n[291], "lion");
  EXPECT_EQ(n[340], "zebra");
  EXPECT_EQ(n[409], "analog clock");
  EXPECT_EQ(n[817], "sports car");
  EXPECT_EQ(n[950], "orange");
  EXPECT_EQ(n[954], "banana");
  EXPECT_EQ(n[998], "ear");
  EXPECT_EQ(n[999], "toilet tissue");
  // ImageNet has two "crane" (bird and machine) and two "maillot" classes; the rest are unique.
  EXPECT_EQ(n[134], "crane");
  EXPECT_EQ(n[517], "crane");
  EXPECT_EQ(std::set<std::string>(n.begin(), n.end()).size(), 998u);
  for (const auto& name : n) EXPECT_EQ(name.find('_'), std::string::npos) << name;
}

TEST(ClassNames, Voc) {
  const auto& n = voc_class_names();
  ASSERT_EQ(n.size(), 21u);
  EXPECT_EQ(n[0], "background");
  EXPECT_EQ(n[1], "aeroplane");
  EXPECT_EQ(n[8], "cat");
  EXPECT_EQ(n[12], "dog");
  EXPECT_EQ(n[15], "person");
  EXPECT_EQ(n[20], "tv/monitor");
}

TEST(ClassNames, Cityscapes) {
  const auto& n = cityscapes_class_names();
  ASSERT_EQ(n.size(), 20u);
  EXPECT_EQ(n[0], "road");
  EXPECT_EQ(n[11], "person");
  EXPECT_EQ(n[13], "car");
  EXPECT_EQ(n[18], "bicycle");
  EXPECT_EQ(n[19], "background");
}

TEST(ClassNames, Coco) {
  const auto& n = coco_class_names();
  ASSERT_EQ(n.size(), 81u);
  EXPECT_EQ(n[0], "background");
  EXPECT_EQ(n[1], "person");
  EXPECT_EQ(n[3], "car");
  EXPECT_EQ(n[17], "dog");
  EXPECT_EQ(n[62], "toilet");
  EXPECT_EQ(n[80], "toothbrush");
  EXPECT_EQ(std::set<std::string>(n.begin(), n.end()).size(), 81u);
}

}  // namespace
}  // namespace espnet
