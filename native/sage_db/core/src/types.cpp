#include <stdexcept>
#include <string>

#include "sagedb/errors.h"
#include "sagedb/types.h"

namespace sagedb {

const char* toString(Metric metric) {
  switch (metric) {
    case Metric::L2: return "l2";
    case Metric::IP: return "ip";
    case Metric::Cosine: return "cosine";
  }
  return "?";
}

const char* toString(IndexKind kind) {
  switch (kind) {
    case IndexKind::Flat: return "flat";
    case IndexKind::HNSW: return "hnsw";
    case IndexKind::IVFFlat: return "ivf_flat";
    case IndexKind::IVFPQ: return "ivf_pq";
    case IndexKind::Auto: return "auto";
  }
  return "?";
}

const char* toString(ActiveIndex active) {
  switch (active) {
    case ActiveIndex::Exact: return "exact";
    case ActiveIndex::HNSW: return "hnsw";
    case ActiveIndex::IVFFlat: return "ivf_flat";
    case ActiveIndex::IVFPQ: return "ivf_pq";
  }
  return "?";
}

const char* toString(FileErrorKind kind) {
  switch (kind) {
    case FileErrorKind::NotAVectorIndexFile: return "NotAVectorIndexFile";
    case FileErrorKind::UnsupportedVersion: return "UnsupportedVersion";
    case FileErrorKind::Corrupt: return "Corrupt";
    case FileErrorKind::SettingsMismatch: return "SettingsMismatch";
    case FileErrorKind::Io: return "Io";
  }
  return "?";
}

Metric parseMetric(const std::string& name) {
  if (name == "l2") return Metric::L2;
  if (name == "ip") return Metric::IP;
  if (name == "cosine") return Metric::Cosine;
  throw std::invalid_argument("metric must be one of l2, ip, cosine, got \"" + name + "\"");
}

IndexKind parseIndexKind(const std::string& name) {
  if (name == "flat") return IndexKind::Flat;
  if (name == "hnsw") return IndexKind::HNSW;
  if (name == "ivf_flat") return IndexKind::IVFFlat;
  if (name == "ivf_pq") return IndexKind::IVFPQ;
  if (name == "auto") return IndexKind::Auto;
  throw std::invalid_argument("index kind must be one of flat, hnsw, ivf_flat, ivf_pq, auto, got \"" + name + "\"");
}

namespace {
void requireRange(const char* name, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    throw std::invalid_argument(std::string("index parameter ") + name + " must be an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(value));
  }
}
}  // namespace

void validateSettings(const Settings& s) {
  if (s.dimension < 1 || s.dimension > 65536) {
    throw std::invalid_argument("dimension must be an integer in [1, 65536], got " + std::to_string(s.dimension));
  }
  if (static_cast<uint8_t>(s.metric) > 2) throw std::invalid_argument("unknown metric");
  if (static_cast<uint8_t>(s.kind) > 4) throw std::invalid_argument("unknown index kind");
  const IndexParams& p = s.params;
  requireRange("M", p.M, 2, 512);
  requireRange("efConstruction", p.efConstruction, 1, 1 << 20);
  requireRange("efSearch", p.efSearch, 1, 1 << 20);
  requireRange("nlist", p.nlist, 0, 1 << 20);
  requireRange("nprobe", p.nprobe, 1, 1 << 20);
  requireRange("pqM", p.pqM, 1, 65536);
  requireRange("pqNbits", p.pqNbits, 1, 16);
  requireRange("autoThreshold", p.autoThreshold, 1, int64_t(kMaxLabels));
  if (s.kind == IndexKind::IVFPQ && s.dimension % p.pqM != 0) {
    throw std::invalid_argument("ivf_pq: pqM (" + std::to_string(p.pqM) + ") must divide the dimension (" +
                                std::to_string(s.dimension) + ")");
  }
}

}  // namespace sagedb
