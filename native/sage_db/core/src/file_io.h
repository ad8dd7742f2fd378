// Low-level file access for the index format: CRC-32C, a checksumming writer (temp file, fsync, rename,
// fsync of the directory) and a checksumming reader. Errors are sagedb::FileError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sagedb::fileio {

/// CRC-32C (Castagnoli), hardware-accelerated with SSE4.2 when available.
uint32_t crc32c(uint32_t crc, const void* data, size_t size);

class AtomicFileWriter {
 public:
  /// Opens `path + ".tmp"` for writing.
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();  // removes the temp file unless commit() succeeded
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t size);
  template <class T>
  void put(const T& value) {
    write(&value, sizeof(T));
  }
  uint32_t crc() const { return crc_; }
  /// Appends the checksum, flushes, fsyncs, renames over `path` and fsyncs the directory.
  void commit();

 private:
  void flush();
  std::string path_;
  std::string tmpPath_;
  int fd_ = -1;
  uint32_t crc_ = 0;
  std::vector<char> buffer_;
  bool committed_ = false;
};

class FileReader {
 public:
  explicit FileReader(std::string path);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  uint64_t fileSize() const { return size_; }
  uint64_t offset() const { return offset_; }
  const std::string& path() const { return path_; }
  /// Reads exactly `size` bytes (updating the checksum) or throws FileError(Corrupt, "truncated").
  void read(void* data, size_t size);
  /// Like read(), but returns false instead of throwing at end of file.
  bool tryRead(void* data, size_t size);
  template <class T>
  T get() {
    T value;
    read(&value, sizeof(T));
    return value;
  }
  uint32_t crc() const { return crc_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
  uint32_t crc_ = 0;
};

}  // namespace sagedb::fileio
