#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "espnet/error.h"

namespace espnet {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path, uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw Error("'" + path + "' is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    throw Error("'" + path + "' is too large (" + std::to_string(st.st_size) + " bytes)");
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->size_ = static_cast<size_t>(st.st_size);
  if (file->size_ == 0) return file;
  // MAP_POPULATE maps every page now, in one call, instead of one fault per page later: the
  // loader reads every byte anyway (the checksum).
  void* p = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p != MAP_FAILED) {
    file->mapping_ = p;
    file->data_ = static_cast<const uint8_t*>(p);
    return file;
  }
  // Not mappable (some special file systems): one read into a buffer that is not zero-filled.
  file->copy_.reset(new uint8_t[file->size_]);
  size_t got = 0;
  while (got < file->size_) {
    const ssize_t n = ::read(fd, file->copy_.get() + got, file->size_ - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("short read from '" + path + "'");
    got += static_cast<size_t>(n);
  }
  file->data_ = file->copy_.get();
  return file;
}

MappedFile::~MappedFile() {
  if (mapping_) ::munmap(mapping_, size_);
}

}  // namespace espnet
