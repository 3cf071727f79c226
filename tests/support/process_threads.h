// How many threads this process has now, to check that code leaves no worker behind.
#pragma once

#include <cstdio>

namespace espnet::test {

/// The process's thread count from /proc/self/status (Linux), or -1 where that cannot be read.
inline int process_threads() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  int threads = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "Threads: %d", &threads) == 1) break;
  std::fclose(f);
  return threads;
}

}  // namespace espnet::test
