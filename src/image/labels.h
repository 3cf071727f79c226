// Label-map post-processing: resizing class-index maps and Cityscapes id conversion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace espnet {

/// PIL Image.resize(size, Image.NEAREST) of a w x h uint8 map (row-major): per axis
/// a = in / out, pos = 0.5 * a, source = (int)pos, pos += a, accumulated in double (the closed
/// form floor((i + 0.5) * a) differs at a few exact boundaries). Returns out_h * out_w labels.
std::vector<uint8_t> resize_labels_nearest(const uint8_t* labels, int w, int h, int out_w,
                                           int out_h);

/// cv2.resize(map, (2w, 2h), interpolation=cv2.INTER_NEAREST): every label becomes a 2x2 block.
std::vector<uint8_t> upscale_labels_2x(const uint8_t* labels, int w, int h);

/// Number of Cityscapes training ids including the background (19 classes + background).
constexpr int kCityscapesTrainIds = 20;

/// Cityscapes trainId (0..18, 19 = background) -> labelId, as the original repository's
/// gen_cityscapes.py writes them. Throws espnet::Error for ids outside 0..19.
uint8_t cityscapes_train_id_to_label_id(int train_id);

/// Converts a whole map of trainIds to labelIds; throws espnet::Error on an id above 19.
std::vector<uint8_t> cityscapes_train_ids_to_label_ids(const uint8_t* train_ids, size_t count);

}  // namespace espnet
