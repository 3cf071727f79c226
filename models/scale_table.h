// ESPNetv2's width multiplier s and the per-level channel counts it gives (upstream's
// EESPNet config: base 32, level i > 0 gets ceil(int(32 s) / 4) * 4 * 2^i, level 1 is capped at
// 32, and the final expansion is 1024 up to s = 1.5 and 1280 above).
#pragma once

#include <array>
#include <vector>

namespace espnet {

/// Channels of level1 .. level5 and the final 1x1 expansion.
using LevelChannels = std::array<int, 6>;

/// The scales with published weights and the channel table for each.
const std::vector<double>& supported_scales();
/// Channels for scale `s`; throws espnet::Error for an unsupported s.
LevelChannels level_channels(double s);
/// The scale whose level-2 width is `level2_channels` (0 when none matches).
double scale_from_level2_channels(int level2_channels);

/// Upstream constants: repetitions of EESP units at levels 2..5, receptive-field limits of the
/// five levels and the branch count K.
constexpr std::array<int, 4> kLevelRepetitions = {0, 3, 7, 3};
constexpr std::array<int, 5> kReceptiveLimits = {13, 11, 9, 7, 5};
constexpr int kBranches = 4;

}  // namespace espnet
