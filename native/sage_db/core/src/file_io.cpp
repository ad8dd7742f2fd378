#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sagedb/errors.h"

namespace sagedb::fileio {
namespace {

std::string osError(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

struct CrcTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  bool hw = false;
  CrcTables() {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int j = 0; j < 8; j++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
      for (int s = 1; s < 8; s++) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    hw = __builtin_cpu_supports("sse4.2");
#endif
  }
};

const CrcTables& tables() {
  static const CrcTables t;
  return t;
}

uint32_t crcSoftware(uint32_t crc, const uint8_t* p, size_t n) {
  const auto& t = tables().t;
  while (n >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc;
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][hi & 0xFF] ^
          t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xFF];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crcHardware(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}
#endif

constexpr size_t kBufferSize = 1 << 20;

}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  if (tables().hw) return ~crcHardware(crc, p, size);
#endif
  return ~crcSoftware(crc, p, size);
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)), tmpPath_(path_ + ".tmp") {
  fd_ = ::open(tmpPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FileError(FileErrorKind::Io, path_, osError("cannot create", tmpPath_));
  buffer_.reserve(kBufferSize);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmpPath_.c_str());
}

void AtomicFileWriter::write(const void* data, size_t size) {
  crc_ = crc32c(crc_, data, size);
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + size <= kBufferSize) {
    buffer_.insert(buffer_.end(), p, p + size);
    return;
  }
  flush();
  while (size > 0) {
    const ssize_t w = ::write(fd_, p, size);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw FileError(FileErrorKind::Io, path_, osError("cannot write", tmpPath_));
    }
    p += w;
    size -= size_t(w);
  }
}

void AtomicFileWriter::flush() {
  const char* p = buffer_.data();
  size_t size = buffer_.size();
  while (size > 0) {
    const ssize_t w = ::write(fd_, p, size);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw FileError(FileErrorKind::Io, path_, osError("cannot write", tmpPath_));
    }
    p += w;
    size -= size_t(w);
  }
  buffer_.clear();
}

void AtomicFileWriter::commit() {
  const uint32_t checksum = crc_;
  write(&checksum, sizeof checksum);
  flush();
  if (::fsync(fd_) != 0) throw FileError(FileErrorKind::Io, path_, osError("cannot fsync", tmpPath_));
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw FileError(FileErrorKind::Io, path_, osError("cannot close", tmpPath_));
  }
  fd_ = -1;
  if (::rename(tmpPath_.c_str(), path_.c_str()) != 0) {
    throw FileError(FileErrorKind::Io, path_, osError("cannot rename " + tmpPath_ + " to", path_));
  }
  committed_ = true;
  const size_t slash = path_.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0 && errno != EINVAL) throw FileError(FileErrorKind::Io, path_, osError("cannot fsync directory", dir));
  }
}

FileReader::FileReader(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw FileError(FileErrorKind::Io, path_, osError("cannot open", path_));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    throw FileError(FileErrorKind::Io, path_, osError("cannot stat", path_));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw FileError(FileErrorKind::Io, path_, path_ + " is not a regular file");
  }
  size_ = uint64_t(st.st_size);
}

FileReader::~FileReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileReader::tryRead(void* data, size_t size) {
  char* p = static_cast<char*>(data);
  size_t left = size;
  while (left > 0) {
    const ssize_t r = ::read(fd_, p, left);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw FileError(FileErrorKind::Io, path_, osError("cannot read", path_));
    }
    if (r == 0) return false;
    p += r;
    left -= size_t(r);
  }
  crc_ = crc32c(crc_, data, size);
  offset_ += size;
  return true;
}

void FileReader::read(void* data, size_t size) {
  if (!tryRead(data, size)) {
    throw FileError(FileErrorKind::Corrupt, path_,
                    "index file " + path_ + " is truncated (ends inside a section at byte " + std::to_string(offset_) +
                        ")");
  }
}

}  // namespace sagedb::fileio
