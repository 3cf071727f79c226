// Whole-file reading and atomic writing, with errors that name the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace espnet {

/// Reads a whole file; refuses files larger than `max_bytes`.
std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes = (1ull << 33));

/// Writes `size` bytes to `path` through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file. Refuses a missing directory with a clear message.
void write_file_atomic(const std::string& path, const void* data, size_t size);

/// True when `path` names an existing regular file or directory.
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

}  // namespace espnet
