// A minimal reader for the uncompressed ZIP archives written by torch.save (format >= 1.6).
//
// It reads the end-of-central-directory record (and its ZIP64 form when the plain one is
// saturated), the central directory and every entry's local header, and refuses anything a
// PyTorch checkpoint never contains: compressed or encrypted entries, multi-disk archives,
// duplicate names. Every offset and size is checked against the archive length. Entries are
// not copied: their bytes are views into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace espnet {

struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;  // first byte of the stored data, from the local header
  uint64_t size = 0;
  uint32_t crc32 = 0;
};

class ZipArchive {
 public:
  /// Parses the directory of data[0, size), which must outlive the archive. `source` names
  /// the file in error messages. Throws espnet::Error on anything malformed or unsupported.
  ZipArchive(const uint8_t* data, size_t size, std::string source);

  /// In central-directory order.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// nullptr when there is no entry of that name.
  const ZipEntry* find(const std::string& name) const;
  /// The entry's bytes (entry.size of them), after checking their CRC-32.
  const uint8_t* entry_data(const ZipEntry& entry) const;
  /// Checks the CRC-32 of several entries at once, on the OpenMP threads (a checkpoint's
  /// storages are most of its bytes); an espnet::Error naming the first corrupt entry. Then
  /// verified_data() hands out their bytes.
  void verify(const std::vector<const ZipEntry*>& entries) const;
  /// The bytes of an entry that verify() has checked.
  const uint8_t* verified_data(const ZipEntry& entry) const { return data_ + entry.data_offset; }

 private:
  const uint8_t* data_;
  size_t size_;
  std::string source_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace espnet
