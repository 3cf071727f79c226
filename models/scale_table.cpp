#include "models/scale_table.h"

#include <cmath>
#include <string>

#include "espnet/error.h"

namespace espnet {

const std::vector<double>& supported_scales() {
  static const std::vector<double> scales = {0.5, 1.0, 1.25, 1.5, 2.0};
  return scales;
}

LevelChannels level_channels(double s) {
  bool known = false;
  for (double v : supported_scales()) known = known || std::fabs(v - s) < 1e-9;
  if (!known) throw Error("unsupported ESPNetv2 scale s=" + std::to_string(s));
  const int base = 32;
  int base_s = static_cast<int>(base * s);
  base_s = (base_s + kBranches - 1) / kBranches * kBranches;
  LevelChannels c{};
  c[0] = base_s > base ? base : base_s;
  for (int i = 1; i < 5; ++i) c[i] = base_s << i;
  c[5] = s <= 1.5 ? 1024 : 1280;
  return c;
}

double scale_from_level2_channels(int level2_channels) {
  for (double s : supported_scales())
    if (level_channels(s)[1] == level2_channels) return s;
  return 0.0;
}

}  // namespace espnet
