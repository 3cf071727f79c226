#include "checkpoint/zip_archive.h"

#include <zlib.h>

#include <array>

#include "espnet/error.h"
#include "parallel_crc32.h"

namespace espnet {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;

uint64_t le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

ZipArchive::ZipArchive(const uint8_t* data, size_t size, std::string source)
    : data_(data), size_(size), source_(std::move(source)) {
  auto fail = [&](const std::string& what) -> void {
    throw Error("checkpoint '" + source_ + "' (zip): " + what);
  };
  if (size_ < kEndSize) fail("only " + std::to_string(size_) + " bytes, too small for a ZIP");

  // End of central directory: the last signature whose comment runs exactly to the end.
  size_t end_at = SIZE_MAX;
  size_t lowest = size_ - kEndSize > 0xffff ? size_ - kEndSize - 0xffff : 0;
  for (size_t p = size_ - kEndSize + 1; p-- > lowest;) {
    if (le(data_ + p, 4) == kEndSignature && p + kEndSize + le(data_ + p + 20, 2) == size_) {
      end_at = p;
      break;
    }
  }
  if (end_at == SIZE_MAX)
    fail("no end-of-central-directory record (the file is truncated or not a ZIP)");
  const uint8_t* end = data_ + end_at;
  uint64_t disk = le(end + 4, 2), cd_disk = le(end + 6, 2);
  uint64_t disk_entries = le(end + 8, 2), count = le(end + 10, 2);
  uint64_t cd_size = le(end + 12, 4), cd_offset = le(end + 16, 4);
  uint64_t directory_end = end_at;  // where the central directory must stop
  if (disk == 0xffff || cd_disk == 0xffff || disk_entries == 0xffff || count == 0xffff ||
      cd_size == 0xffffffffu || cd_offset == 0xffffffffu) {
    // Saturated fields: the real values are in the ZIP64 end record, found via its locator.
    if (end_at < kZip64LocatorSize || le(end - kZip64LocatorSize, 4) != kZip64LocatorSignature)
      fail("the end record needs ZIP64 values but there is no ZIP64 locator");
    uint64_t z64_at = le(end - kZip64LocatorSize + 8, 8);
    if (z64_at > end_at - kZip64LocatorSize || end_at - kZip64LocatorSize - z64_at < kZip64EndSize)
      fail("ZIP64 end record offset " + std::to_string(z64_at) + " is out of range");
    const uint8_t* z = data_ + z64_at;
    if (le(z, 4) != kZip64EndSignature) fail("bad ZIP64 end record signature");
    disk = le(z + 16, 4);
    cd_disk = le(z + 20, 4);
    disk_entries = le(z + 24, 8);
    count = le(z + 32, 8);
    cd_size = le(z + 40, 8);
    cd_offset = le(z + 48, 8);
    directory_end = z64_at;
  }
  if (disk != 0 || cd_disk != 0 || disk_entries != count)
    fail("multi-disk archives are not supported");
  if (cd_offset > directory_end || cd_size > directory_end - cd_offset)
    fail("central directory (offset " + std::to_string(cd_offset) + ", " + std::to_string(cd_size) +
         " bytes) lies outside the file");
  if (count > cd_size / kCentralHeaderSize)
    fail("central directory claims " + std::to_string(count) + " entries in " +
         std::to_string(cd_size) + " bytes");

  entries_.reserve(count);
  uint64_t p = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    std::string where =
        "central directory entry " + std::to_string(i) + " at byte " + std::to_string(p);
    if (cd_end - p < kCentralHeaderSize) fail(where + " is truncated");
    const uint8_t* h = data_ + p;
    if (le(h, 4) != kCentralHeaderSignature) fail(where + " has a bad signature");
    uint64_t flags = le(h + 8, 2), method = le(h + 10, 2);
    uint32_t crc = static_cast<uint32_t>(le(h + 16, 4));
    uint64_t compressed = le(h + 20, 4), size_field = le(h + 24, 4);
    uint64_t name_len = le(h + 28, 2), extra_len = le(h + 30, 2), comment_len = le(h + 32, 2);
    uint64_t local_at = le(h + 42, 4);
    if (cd_end - p - kCentralHeaderSize < name_len + extra_len + comment_len)
      fail(where + " runs past the central directory");
    ZipEntry entry;
    entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);
    where = "entry '" + entry.name + "'";
    if (flags & 1) fail(where + " is encrypted");
    if (method != 0)
      fail(where + " is compressed (method " + std::to_string(method) +
           "); PyTorch checkpoints store entries uncompressed - re-save it with torch.save");
    // ZIP64 extra field: 8-byte values for exactly the saturated fields, in this order.
    if (size_field == 0xffffffffu || compressed == 0xffffffffu || local_at == 0xffffffffu) {
      const uint8_t* x = h + kCentralHeaderSize + name_len;
      const uint8_t* x_end = x + extra_len;
      bool found = false;
      while (x_end - x >= 4) {
        uint64_t id = le(x, 2), len = le(x + 2, 2);
        if (static_cast<uint64_t>(x_end - x - 4) < len)
          fail(where + " has a truncated extra field");
        if (id == kZip64ExtraId) {
          const uint8_t* v = x + 4;
          uint64_t left = len;
          for (uint64_t* field : {&size_field, &compressed, &local_at}) {
            if (*field != 0xffffffffu) continue;
            if (left < 8) fail(where + " has a short ZIP64 extra field");
            *field = le(v, 8);
            v += 8;
            left -= 8;
          }
          found = true;
          break;
        }
        x += 4 + len;
      }
      if (!found) fail(where + " has saturated sizes but no ZIP64 extra field");
    }
    if (compressed != size_field)
      fail(where + " is stored but its compressed and uncompressed sizes differ");
    // The data start after the LOCAL header's own name and extra field (torch pads the
    // local extra field to align data to 64 bytes; the central copy differs).
    if (local_at > cd_offset || cd_offset - local_at < kLocalHeaderSize)
      fail(where + " has its local header offset " + std::to_string(local_at) + " out of range");
    const uint8_t* lh = data_ + local_at;
    if (le(lh, 4) != kLocalHeaderSignature)
      fail(where + " has a bad local header signature at byte " + std::to_string(local_at));
    uint64_t local_name_len = le(lh + 26, 2), local_extra_len = le(lh + 28, 2);
    uint64_t data_at = local_at + kLocalHeaderSize + local_name_len + local_extra_len;
    if (data_at > cd_offset || cd_offset - data_at < size_field)
      fail(where + " (" + std::to_string(size_field) + " bytes at byte " + std::to_string(data_at) +
           ") runs past the central directory");
    if (local_name_len != name_len ||
        std::char_traits<char>::compare(reinterpret_cast<const char*>(lh + kLocalHeaderSize),
                                        entry.name.data(), name_len) != 0)
      fail(where + ": the local header names another file");
    entry.data_offset = data_at;
    entry.size = size_field;
    entry.crc32 = crc;
    if (!index_.emplace(entry.name, entries_.size()).second) fail(where + " appears twice");
    entries_.push_back(std::move(entry));
    p += kCentralHeaderSize + name_len + extra_len + comment_len;
  }
  if (p != cd_end)
    fail("central directory has " + std::to_string(cd_end - p) + " stray bytes at its end");
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

void ZipArchive::verify(const std::vector<const ZipEntry*>& entries) const {
  std::vector<ByteRange> ranges;
  for (const ZipEntry* e : entries)
    ranges.push_back({data_ + e->data_offset, static_cast<size_t>(e->size)});
  const std::vector<uint32_t> crcs = parallel_crc32(ranges);
  for (size_t e = 0; e < entries.size(); ++e)
    if (crcs[e] != entries[e]->crc32)
      throw Error("checkpoint '" + source_ + "' (zip): entry '" + entries[e]->name +
                  "' is corrupt (CRC-32 mismatch)");
}

const uint8_t* ZipArchive::entry_data(const ZipEntry& entry) const {
  const uint8_t* p = data_ + entry.data_offset;
  // zlib's CRC-32 (the ZIP one): crc32_z takes a size_t length.
  const uint32_t crc = static_cast<uint32_t>(crc32_z(0, p, static_cast<size_t>(entry.size)));
  if (crc != entry.crc32)
    throw Error("checkpoint '" + source_ + "' (zip): entry '" + entry.name +
                "' is corrupt (CRC-32 mismatch)");
  return p;
}

}  // namespace espnet
