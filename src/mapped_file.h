// A whole file in memory without copying it: mapped read-only (the page cache's own pages, no
// zero-fill, no second copy), or, where mapping fails, read once into an uninitialised buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace espnet {

class MappedFile {
 public:
  /// Maps the regular file at `path` (at most `max_bytes`). Throws espnet::Error naming the path.
  /// The bytes are read-only; a mapped file that another program truncates in place while it is
  /// mapped can fault on access (our own writers replace files by rename, which is safe).
  static std::shared_ptr<const MappedFile> open(const std::string& path,
                                                uint64_t max_bytes = (1ull << 33));
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  void* mapping_ = nullptr;          // non-null when mapped
  std::unique_ptr<uint8_t[]> copy_;  // the fallback's buffer
};

}  // namespace espnet
