// Typed errors of the index file reader/writer. Argument errors are std::invalid_argument.
#pragma once

#include <stdexcept>
#include <string>

namespace sagedb {

enum class FileErrorKind {
  NotAVectorIndexFile,  // wrong magic bytes or shorter than the magic: some other file
  UnsupportedVersion,   // our magic, a format version this build cannot read
  Corrupt,              // checksum mismatch, truncated, inconsistent sizes or an unreadable FAISS section
  SettingsMismatch,     // a valid file whose settings differ from the ones the caller expected
  Io,                   // the operating system refused (missing file, permissions, disk full)
};

const char* toString(FileErrorKind kind);

class FileError : public std::runtime_error {
 public:
  FileError(FileErrorKind kind, const std::string& path, const std::string& message)
      : std::runtime_error(message), kind_(kind), path_(path) {}
  FileErrorKind kind() const noexcept { return kind_; }
  const std::string& path() const noexcept { return path_; }

 private:
  FileErrorKind kind_;
  std::string path_;
};

}  // namespace sagedb
