#include "available_memory.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <string>

namespace espnet::detail {
namespace {

// The first number of a one-line file ("max" and unreadable files give 0).
size_t read_number(const char* path) {
  std::ifstream in(path);
  unsigned long long value = 0;
  if (!(in >> value)) return 0;
  return static_cast<size_t>(value);
}

size_t meminfo_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  unsigned long long kb = 0;
  std::string unit;
  while (in >> key >> kb) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return static_cast<size_t>(kb) * 1024;
  }
  return 0;
}

// A limit file's allowance left: limit - usage (the "max" of v2 and v1's huge "no limit"
// values count as no limit).
size_t remaining(const std::string& limit_path, const std::string& usage_path) {
  std::ifstream probe(limit_path);
  if (!probe) return std::numeric_limits<size_t>::max();
  const size_t limit = read_number(limit_path.c_str());
  if (limit == 0 || limit >= (size_t{1} << 60)) return std::numeric_limits<size_t>::max();
  const size_t usage = read_number(usage_path.c_str());
  return limit > usage ? limit - usage : 0;
}

// This process's memory cgroup, v2 ("0::/path") or v1 ("N:memory:/path"), from
// /proc/self/cgroup; in a container whose cgroup folder is mounted as the root, the root's files.
size_t cgroup_remaining() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  size_t best = std::numeric_limits<size_t>::max();
  while (std::getline(in, line)) {
    std::string path;
    if (line.rfind("0::", 0) == 0) {
      path = line.substr(3);
      for (const std::string& folder : {"/sys/fs/cgroup" + path, std::string("/sys/fs/cgroup")})
        if (std::ifstream(folder + "/memory.max")) {
          best = std::min(best, remaining(folder + "/memory.max", folder + "/memory.current"));
          break;
        }
    } else if (line.find(":memory:") != std::string::npos) {
      path = line.substr(line.find(":memory:") + 8);
      for (const std::string& folder :
           {"/sys/fs/cgroup/memory" + path, std::string("/sys/fs/cgroup/memory")})
        if (std::ifstream(folder + "/memory.limit_in_bytes")) {
          best = std::min(best, remaining(folder + "/memory.limit_in_bytes",
                                          folder + "/memory.usage_in_bytes"));
          break;
        }
    }
  }
  return best;
}

}  // namespace

size_t available_memory_bytes() {
  const size_t meminfo = meminfo_available();
  if (meminfo == 0) return 0;
  return std::min(meminfo, cgroup_remaining());
}

size_t default_memory_limit_bytes(size_t reclaimable) {
  size_t available = available_memory_bytes();
  if (available == 0) return std::numeric_limits<size_t>::max();  // cannot tell: no limit
  available += reclaimable;
  const size_t margin = std::max(available / 8, size_t{256} << 20);
  return available > margin ? available - margin : 0;
}

}  // namespace espnet::detail
