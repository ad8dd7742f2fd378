#include "sagedb/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/utils/Heap.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "exact.h"
#include "fair_shared_mutex.h"
#include "file_io.h"
#include "kernels.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the SageDB index file format is little-endian; add byte swapping for this target"
#endif

namespace sagedb {

using FaissIdx = faiss::Index::idx_t;

namespace {

// ---------------------------------------------------------------------------------------------------------
// Threads

int readThreadsFromEnv() {
  const char* value = std::getenv("SAGE_DB_THREADS");
  if (value == nullptr || *value == '\0') return 1;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || n < 1) return 1;
  return static_cast<int>(std::min<long>(n, 256));
}

/// Sets this thread's OpenMP team size for the duration of a call (FAISS and OpenBLAS read it).
struct ThreadScope {
  ThreadScope() { omp_set_num_threads(VectorIndex::threadsPerCall()); }
};

faiss::MetricType faissMetric(Metric m) { return m == Metric::L2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT; }

inline bool bit(const uint8_t* bitmap, size_t label) { return (bitmap[label >> 3] >> (label & 7)) & 1; }

// ---------------------------------------------------------------------------------------------------------
// HNSW storage that reads the index's own float store instead of keeping a second copy of every vector.

class StoreDistanceComputer final : public faiss::FlatCodesDistanceComputer {
 public:
  StoreDistanceComputer(const float* base, size_t d, bool innerProduct)
      : faiss::FlatCodesDistanceComputer(reinterpret_cast<const uint8_t*>(base), d * sizeof(float)),
        base_(base),
        d_(d),
        ip_(innerProduct) {}
  void set_query(const float* x) override { q_ = x; }
  float distance_to_code(const uint8_t* code) override {
    const auto* y = reinterpret_cast<const float*>(code);
    return ip_ ? kernels::ip(q_, y, d_) : kernels::l2sqr(q_, y, d_);
  }
  float symmetric_dis(idx_t i, idx_t j) override {
    const float* x = base_ + size_t(i) * d_;
    const float* y = base_ + size_t(j) * d_;
    return ip_ ? kernels::ip(x, y, d_) : kernels::l2sqr(x, y, d_);
  }

 private:
  const float* base_;
  size_t d_;
  bool ip_;
  const float* q_ = nullptr;
};

/// An IndexFlat whose rows are the VectorIndex store. `add` only counts: the store already holds the rows.
/// Serialised as an empty IndexFlat (the store is its own section of the file) and replaced after reading.
class StoreBackedFlat final : public faiss::IndexFlat {
 public:
  StoreBackedFlat(int d, faiss::MetricType metric, const std::vector<float>* store, FaissIdx n)
      : faiss::IndexFlat(d, metric), store_(store) {
    ntotal = n;
  }
  void setStore(const std::vector<float>* store) { store_ = store; }
  void add(FaissIdx n, const float* /*x*/) override { ntotal += n; }
  void reset() override { ntotal = 0; }
  void reconstruct(FaissIdx key, float* out) const override {
    std::memcpy(out, store_->data() + size_t(key) * size_t(d), size_t(d) * sizeof(float));
  }
  void search(FaissIdx, const float*, FaissIdx, float*, FaissIdx*, const faiss::SearchParameters*) const override {
    FAISS_THROW_MSG("StoreBackedFlat is HNSW storage only");
  }
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override {
    return new StoreDistanceComputer(store_->data(), size_t(d), metric_type == faiss::METRIC_INNER_PRODUCT);
  }

 private:
  const std::vector<float>* store_;
};

/// HNSW keeps the smallest distances: inner products are searched negated (as IndexHNSW does).
class NegatedDistance final : public faiss::DistanceComputer {
 public:
  explicit NegatedDistance(std::unique_ptr<faiss::DistanceComputer> inner) : inner_(std::move(inner)) {}
  void set_query(const float* x) override { inner_->set_query(x); }
  float operator()(idx_t i) override { return -(*inner_)(i); }
  float symmetric_dis(idx_t i, idx_t j) override { return -inner_->symmetric_dis(i, j); }

 private:
  std::unique_ptr<faiss::DistanceComputer> inner_;
};

/// IndexHNSW::search without its per-call costs, which a single query feels: it allocates and zeroes a
/// visited table the size of the index (100 KB at 100k vectors) and opens an OpenMP region on every call.
/// Each thread keeps one table here (advancing its generation marker clears it), and queries run in turn:
/// batches are already spread over the search threads.
void searchHnsw(const faiss::IndexHNSW& index, const float* queries, size_t nq, size_t k, float* distances,
                FaissIdx* labels, const faiss::SearchParametersHNSW& params) {
  thread_local std::unique_ptr<faiss::VisitedTable> visited;
  if (!visited || visited->visited.size() < size_t(index.ntotal)) {
    visited = std::make_unique<faiss::VisitedTable>(int(index.ntotal));
  }
  std::unique_ptr<faiss::DistanceComputer> distance(index.storage->get_distance_computer());
  if (index.metric_type == faiss::METRIC_INNER_PRODUCT) distance = std::make_unique<NegatedDistance>(std::move(distance));
  for (size_t i = 0; i < nq; i++) {
    float* D = distances + i * k;
    FaissIdx* I = labels + i * k;
    distance->set_query(queries + i * size_t(index.d));
    faiss::maxheap_heapify(k, D, I);
    index.hnsw.search(*distance, int(k), I, D, *visited, &params);
    visited->advance();
    faiss::maxheap_reorder(k, D, I);
  }
  // Inner-product distances were negated so that the heap keeps the largest.
  if (index.metric_type == faiss::METRIC_INNER_PRODUCT) {
    for (size_t i = 0; i < nq * k; i++) distances[i] = -distances[i];
  }
}

/// Candidates of an ANN search: not tombstoned and, with a bitmap, allowed.
class LabelFilter final : public faiss::IDSelector {
 public:
  LabelFilter(const uint8_t* tomb, const uint8_t* allowed, size_t allowedBytes)
      : tomb_(tomb), allowed_(allowed), allowedBytes_(allowedBytes) {}
  bool is_member(idx_t id) const override {
    const auto label = size_t(id);
    if (tomb_ != nullptr && bit(tomb_, label)) return false;
    if (allowed_ != nullptr && ((label >> 3) >= allowedBytes_ || !bit(allowed_, label))) return false;
    return true;
  }

 private:
  const uint8_t* tomb_;
  const uint8_t* allowed_;
  size_t allowedBytes_;
};

/// FAISS 1.7.3 sizes the HNSW candidate heap by the index's `hnsw.efSearch` and only bounds the walk by
/// `SearchParametersHNSW::efSearch`, so a per-call efSearch above the index value is silently capped (and
/// one below it runs with a larger heap, which costs time: count_below is linear in the heap). The gate
/// lets concurrent searches share one `hnsw.efSearch` value and changes it only while no HNSW search is
/// running; threads wanting another value queue up, and new arrivals queue behind them (no starvation).
class EfGate {
 public:
  void enter(faiss::HNSW& hnsw, int ef) {
    std::unique_lock<std::mutex> lock(m_);
    if (!(active_ == 0 || (current_ == ef && waiting_ == 0))) {
      waiting_++;
      cv_.wait(lock, [&] { return active_ == 0 || current_ == ef; });
      waiting_--;
    }
    if (current_ != ef) {
      hnsw.efSearch = ef;
      current_ = ef;
    }
    active_++;
  }
  void leave() {
    std::lock_guard<std::mutex> lock(m_);
    if (--active_ == 0) cv_.notify_all();
  }
  /// After the index was replaced (caller holds the index lock exclusively: no search is running).
  void reset() {
    std::lock_guard<std::mutex> lock(m_);
    current_ = -1;
  }
  /// Runs `fn` while no search can change hnsw.efSearch (save copies the graph).
  template <class Fn>
  void hold(Fn&& fn) {
    std::lock_guard<std::mutex> lock(m_);
    fn();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int current_ = -1;
  int active_ = 0;
  int waiting_ = 0;
};

struct EfGateScope {
  EfGate& gate;
  EfGateScope(EfGate& g, faiss::HNSW& hnsw, int ef) : gate(g) { gate.enter(hnsw, ef); }
  ~EfGateScope() { gate.leave(); }
};

// With an allowed bitmap admitting at most this many live labels (or 2% of them), an exact scan over just
// those labels is both cheaper and exact; HNSW would mostly walk through excluded nodes.
constexpr size_t kSmallFilter = 2048;
// Vectors inserted into the ANN index per exclusive lock hold (~50-100 ms of HNSW insertion).
constexpr size_t kAnnAddChunk = 256;
// IVF-PQ scores are approximate: fetch this many times k candidates and re-rank them exactly.
constexpr size_t kPqRefine = 4;
// k-means wants this many training points per centroid (FAISS warns below it).
constexpr size_t kPointsPerCentroid = 39;

constexpr char kMagic[8] = {'S', 'A', 'G', 'E', 'D', 'B', 'V', 'I'};
constexpr uint32_t kHeaderBytes = 132;

size_t popcountAllowedLive(const uint8_t* allowed, size_t allowedBytes, const uint8_t* tomb, size_t n, size_t stopAt) {
  const size_t bytes = std::min(allowedBytes, (n + 7) / 8);
  size_t count = 0;
  for (size_t i = 0; i < bytes; i++) {
    uint8_t v = allowed[i] & static_cast<uint8_t>(~tomb[i]);
    if (i == (n >> 3)) v &= static_cast<uint8_t>((1u << (n & 7)) - 1);  // bits past the last label
    count += size_t(__builtin_popcount(v));
    if (count > stopAt) return count;
  }
  return count;
}

}  // namespace

// -------------------------------------------------------------------------------------------------------------
// Impl

struct VectorIndex::Impl {
  Settings s;
  size_t d = 0;

  // Guarded by mu (readers: searches, save) and storeMu (readers: vector()); written by the writer holding
  // writerMu, under both locks exclusively.
  std::vector<float> store;   // n * d floats; normalised for cosine
  std::vector<float> norms;   // n squared norms (l2 only: the sgemm path of exact search)
  std::vector<uint8_t> tomb;  // (n + 7) / 8 bytes
  std::atomic<size_t> n{0};
  std::atomic<size_t> live{0};
  std::atomic<size_t> tombCount{0};
  std::unique_ptr<faiss::Index> ann;
  StoreBackedFlat* annStorage = nullptr;  // owned by ann (HNSW only)
  std::atomic<ActiveIndex> active{ActiveIndex::Exact};
  std::atomic<int32_t> nlistTrained{0};

  mutable FairSharedMutex mu;
  mutable FairSharedMutex storeMu;
  std::mutex writerMu;
  mutable EfGate efGate;  // see EfGate

  explicit Impl(const Settings& settings) : s(settings), d(size_t(settings.dimension)) {}

  bool l2() const { return s.metric == Metric::L2; }

  /// Validates finiteness and, for cosine, normalises into `buf`. Returns the rows to use.
  const float* prepare(const float* x, size_t count, std::vector<float>& buf, const char* what) const {
    const size_t total = count * d;
    for (size_t i = 0; i < total; i++) {
      if (!std::isfinite(x[i])) {
        throw std::invalid_argument(std::string(what) + " " + std::to_string(i / d) + " has a non-finite component " +
                                    std::to_string(i % d) + " (" + std::to_string(x[i]) + ")");
      }
    }
    if (s.metric != Metric::Cosine) return x;
    buf.assign(x, x + total);
    for (size_t r = 0; r < count; r++) {
      float* row = buf.data() + r * d;
      const float norm = std::sqrt(kernels::ip(row, row, d));
      if (norm > 0.0f) {
        const float inv = 1.0f / norm;
        for (size_t j = 0; j < d; j++) row[j] *= inv;
      }
    }
    return buf.data();
  }

  /// Appends rows to the store. Caller holds mu exclusively.
  void append(const float* x, size_t count) {
    const size_t n0 = n.load();
    const size_t n1 = n0 + count;
    // Reserve first so that nothing is half-appended if memory runs out.
    std::vector<float> grownStore;
    const bool regrow = store.capacity() < n1 * d;
    if (regrow) {
      grownStore.reserve(std::max(n1 * d, store.capacity() + store.capacity() / 2));
      grownStore.assign(store.begin(), store.end());
    }
    if (l2()) norms.reserve(std::max(n1, norms.capacity() + norms.capacity() / 2));  // searches only: under mu

    std::unique_lock<FairSharedMutex> storeLock(storeMu);
    if (regrow) store.swap(grownStore);
    store.insert(store.end(), x, x + count * d);
    if (l2()) {
      for (size_t r = 0; r < count; r++) norms.push_back(kernels::ip(x + r * d, x + r * d, d));
    }
    tomb.resize((n1 + 7) / 8, 0);
    n.store(n1);
    live.fetch_add(count);
  }

  size_t trainThreshold() const {
    size_t minimum;
    if (s.params.nlist > 0) {
      minimum = kPointsPerCentroid * size_t(s.params.nlist);
    } else {
      // nlist = 4 * sqrt(n) needs n >= 39 * 4 * sqrt(n), i.e. n >= 156^2.
      minimum = (4 * kPointsPerCentroid) * (4 * kPointsPerCentroid);
    }
    if (s.kind == IndexKind::IVFPQ) minimum = std::max(minimum, kPointsPerCentroid * (size_t(1) << s.params.pqNbits));
    return minimum;
  }

  int32_t nlistFor(size_t liveCount) const {
    if (s.params.nlist > 0) return s.params.nlist;
    const auto byRule = static_cast<size_t>(std::lround(4.0 * std::sqrt(double(liveCount))));
    return static_cast<int32_t>(std::clamp<size_t>(byRule, 1, std::min<size_t>(65536, liveCount / kPointsPerCentroid)));
  }

  /// The index the collection should have at `liveCount` live vectors.
  ActiveIndex targetIndex(size_t liveCount) const {
    switch (s.kind) {
      case IndexKind::Flat: return ActiveIndex::Exact;
      case IndexKind::HNSW: return ActiveIndex::HNSW;
      case IndexKind::Auto:
        return liveCount >= size_t(s.params.autoThreshold) ? ActiveIndex::HNSW : ActiveIndex::Exact;
      case IndexKind::IVFFlat: return liveCount >= trainThreshold() ? ActiveIndex::IVFFlat : ActiveIndex::Exact;
      case IndexKind::IVFPQ: return liveCount >= trainThreshold() ? ActiveIndex::IVFPQ : ActiveIndex::Exact;
    }
    return ActiveIndex::Exact;
  }

  std::unique_ptr<faiss::IndexHNSWFlat> makeHnsw(const std::vector<float>* storeRef, StoreBackedFlat** storageOut) const {
    auto index = std::make_unique<faiss::IndexHNSWFlat>(int(d), s.params.M, faissMetric(s.metric));
    delete index->storage;
    auto* storage = new StoreBackedFlat(int(d), faissMetric(s.metric), storeRef, 0);
    index->storage = storage;
    index->own_fields = true;
    index->hnsw.efConstruction = s.params.efConstruction;
    index->hnsw.efSearch = s.params.efSearch;
    *storageOut = storage;
    return index;
  }

  /// Builds the ANN index of kind `target` over rows [0, count) of `rows` (tombstones per `tombBits`).
  /// Reads only; the caller holds writerMu so `rows` does not change.
  std::unique_ptr<faiss::Index> build(ActiveIndex target, const std::vector<float>& rows, const uint8_t* tombBits,
                                      size_t count, size_t liveCount, StoreBackedFlat** storageOut,
                                      int32_t* nlistOut) const {
    *storageOut = nullptr;
    *nlistOut = 0;
    if (target == ActiveIndex::Exact) return nullptr;
    if (target == ActiveIndex::HNSW) {
      auto index = makeHnsw(&rows, storageOut);
      // Every slot goes in (HNSW ids are positions); tombstones are filtered at search time.
      if (count > 0) index->add(FaissIdx(count), rows.data());
      return index;
    }
    const int32_t nl = nlistFor(liveCount);
    auto* quantizer = new faiss::IndexFlat(int(d), faissMetric(s.metric));
    std::unique_ptr<faiss::IndexIVF> index;
    try {
      if (target == ActiveIndex::IVFFlat) {
        index = std::make_unique<faiss::IndexIVFFlat>(quantizer, d, size_t(nl), faissMetric(s.metric));
      } else {
        index = std::make_unique<faiss::IndexIVFPQ>(quantizer, d, size_t(nl), size_t(s.params.pqM),
                                                    size_t(s.params.pqNbits), faissMetric(s.metric));
      }
    } catch (...) {
      delete quantizer;
      throw;
    }
    index->own_fields = true;
    index->cp.seed = 1234;  // deterministic training

    auto liveLabel = [&](size_t label) { return tombBits == nullptr || !bit(tombBits, label); };
    // Training sample: every live vector up to what k-means would use anyway, else an even stride.
    size_t cap = 256 * size_t(nl);
    if (target == ActiveIndex::IVFPQ) cap = std::max(cap, size_t(256) << s.params.pqNbits);
    const size_t stride = liveCount > cap ? (liveCount + cap - 1) / cap : 1;
    std::vector<float> sample;
    sample.reserve(std::min(liveCount, cap + 1) * d);
    size_t seen = 0;
    for (size_t label = 0; label < count; label++) {
      if (!liveLabel(label)) continue;
      if (seen++ % stride == 0) sample.insert(sample.end(), rows.begin() + label * d, rows.begin() + (label + 1) * d);
    }
    index->train(FaissIdx(sample.size() / d), sample.data());
    sample.clear();
    sample.shrink_to_fit();

    // Live rows only, under their labels.
    constexpr size_t kChunk = 8192;
    std::vector<float> chunk;
    std::vector<FaissIdx> ids;
    chunk.reserve(kChunk * d);
    ids.reserve(kChunk);
    for (size_t label = 0; label < count; label++) {
      if (liveLabel(label)) {
        chunk.insert(chunk.end(), rows.begin() + label * d, rows.begin() + (label + 1) * d);
        ids.push_back(FaissIdx(label));
      }
      if (ids.size() == kChunk || (label + 1 == count && !ids.empty())) {
        index->add_with_ids(FaissIdx(ids.size()), chunk.data(), ids.data());
        chunk.clear();
        ids.clear();
      }
    }
    *nlistOut = nl;
    return index;
  }

  /// Adds rows [first, first + count) of the store to the ANN index. Caller holds mu exclusively.
  void annAdd(size_t first, size_t count) {
    if (!ann || count == 0) return;
    const float* rows = store.data() + first * d;
    if (active.load() == ActiveIndex::HNSW) {
      ann->add(FaissIdx(count), rows);
      return;
    }
    std::vector<FaissIdx> ids(count);
    for (size_t i = 0; i < count; i++) ids[i] = FaissIdx(first + i);
    ann->add_with_ids(FaissIdx(count), rows, ids.data());
  }

  exact::Rows allRows(const uint8_t* allowed, size_t allowedBytes) const {
    exact::Rows r;
    r.store = store.data();
    r.norms = l2() ? norms.data() : nullptr;
    r.begin = 0;
    r.end = static_cast<uint32_t>(n.load());
    r.tomb = tombCount.load() > 0 ? tomb.data() : nullptr;
    r.allowed = allowed;
    r.allowedBytes = allowedBytes;
    return r;
  }

  exact::Rows listRows(const std::vector<uint32_t>& labels) const {
    exact::Rows r;
    r.store = store.data();
    r.norms = l2() ? norms.data() : nullptr;
    r.list = labels.data();
    r.listSize = labels.size();
    return r;
  }

  /// Live labels whose allowed bit is set (ascending).
  std::vector<uint32_t> allowedLabels(const uint8_t* allowed, size_t allowedBytes) const {
    std::vector<uint32_t> out;
    const size_t limit = std::min(n.load(), allowedBytes * 8);
    for (size_t label = 0; label < limit; label++) {
      if (bit(allowed, label) && !bit(tomb.data(), label)) out.push_back(static_cast<uint32_t>(label));
    }
    return out;
  }

  std::vector<QueryResult> annSearch(const float* q, size_t nq, size_t k, const SearchOptions& o) const {
    const size_t total = n.load();
    const bool needFilter = tombCount.load() > 0 || o.allowed != nullptr;
    LabelFilter filter(tombCount.load() > 0 ? tomb.data() : nullptr, o.allowed, o.allowedBytes);
    const ActiveIndex a = active.load();
    size_t kk = std::min(k, total);
    if (a == ActiveIndex::IVFPQ) kk = std::min(total, k * kPqRefine);

    std::vector<float> dist(nq * kk);
    std::vector<FaissIdx> ids(nq * kk);
    if (a == ActiveIndex::HNSW) {
      auto& hnsw = static_cast<faiss::IndexHNSW&>(*ann);
      faiss::SearchParametersHNSW p;
      p.efSearch = std::max<int>(o.efSearch > 0 ? o.efSearch : s.params.efSearch, int(std::min<size_t>(k, 1 << 30)));
      p.sel = needFilter ? const_cast<LabelFilter*>(&filter) : nullptr;
      EfGateScope gate(efGate, hnsw.hnsw, p.efSearch);
      searchHnsw(hnsw, q, nq, kk, dist.data(), ids.data(), p);
    } else {
      faiss::SearchParametersIVF p;
      const int32_t nprobe = o.nprobe > 0 ? o.nprobe : s.params.nprobe;
      p.nprobe = size_t(std::min(nprobe, std::max<int32_t>(1, nlistTrained.load())));
      p.sel = needFilter ? const_cast<LabelFilter*>(&filter) : nullptr;
      ann->search(FaissIdx(nq), q, FaissIdx(kk), dist.data(), ids.data(), &p);
    }

    std::vector<QueryResult> results(nq);
    const bool negate = l2();
    for (size_t qi = 0; qi < nq; qi++) {
      exact::TopK top(std::min(k, kk));
      for (size_t j = 0; j < kk; j++) {
        const FaissIdx id = ids[qi * kk + j];
        if (id < 0 || size_t(id) >= total) continue;
        const auto label = static_cast<uint32_t>(id);
        float score;
        if (a == ActiveIndex::IVFPQ) {
          // Re-rank the PQ candidates with exact scores from the store.
          const float* row = store.data() + size_t(label) * d;
          score = negate ? -kernels::l2sqr(q + qi * d, row, d) : kernels::ip(q + qi * d, row, d);
        } else {
          score = negate ? -dist[qi * kk + j] : dist[qi * kk + j];
        }
        top.push(score, label);
      }
      results[qi] = top.take();
    }
    return results;
  }

  void checkK(int64_t k) const {
    if (k < 0 || uint64_t(k) > kMaxLabels) {
      throw std::invalid_argument("k must be an integer in [0, 2^31), got " + std::to_string(k));
    }
  }
};

// -------------------------------------------------------------------------------------------------------------
// VectorIndex

VectorIndex::VectorIndex(const Settings& settings) {
  validateSettings(settings);
  impl_ = std::make_unique<Impl>(settings);
  if (settings.kind == IndexKind::HNSW) {
    impl_->ann = impl_->makeHnsw(&impl_->store, &impl_->annStorage);
    impl_->active = ActiveIndex::HNSW;
  }
}

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

VectorIndex::~VectorIndex() = default;

const Settings& VectorIndex::settings() const { return impl_->s; }
int32_t VectorIndex::dimension() const { return impl_->s.dimension; }
Metric VectorIndex::metric() const { return impl_->s.metric; }
IndexKind VectorIndex::kind() const { return impl_->s.kind; }
size_t VectorIndex::size() const { return impl_->live.load(); }
size_t VectorIndex::nextLabel() const { return impl_->n.load(); }
size_t VectorIndex::tombstones() const { return impl_->tombCount.load(); }
ActiveIndex VectorIndex::activeIndex() const { return impl_->active.load(); }
int32_t VectorIndex::nlist() const { return impl_->nlistTrained.load(); }

int VectorIndex::threadsPerCall() {
  static const int threads = readThreadsFromEnv();
  return threads;
}

const char* VectorIndex::simdLevel() { return kernels::level(); }

std::string VectorIndex::faissVersion() {
  return std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) + "." +
         std::to_string(FAISS_VERSION_PATCH);
}

uint32_t VectorIndex::add(const float* vectors, size_t count) {
  ThreadScope threads;
  Impl& m = *impl_;
  if (count > 0 && vectors == nullptr) throw std::invalid_argument("vectors must not be null");
  std::vector<float> buf;
  const float* rows = m.prepare(vectors, count, buf, "vector");

  std::lock_guard<std::mutex> writer(m.writerMu);
  const size_t first = m.n.load();
  if (count == 0) return static_cast<uint32_t>(first);
  if (first + count > kMaxLabels) {
    throw std::invalid_argument("cannot add " + std::to_string(count) + " vectors: an index holds at most " +
                                std::to_string(kMaxLabels) + " labels (compact to reclaim removed ones)");
  }
  const ActiveIndex target = m.targetIndex(m.live.load() + count);
  if (m.active.load() != ActiveIndex::Exact || target == ActiveIndex::Exact) {
    {
      std::unique_lock<FairSharedMutex> lock(m.mu);
      m.append(rows, count);
    }
    // Insert into the ANN index in chunks, releasing the lock in between so that searches keep running
    // during a large add (until its chunk is in, a vector is found by exact searches but not by the index).
    for (size_t done = 0; m.ann && done < count; done += kAnnAddChunk) {
      std::unique_lock<FairSharedMutex> lock(m.mu);
      m.annAdd(first + done, std::min(kAnnAddChunk, count - done));
    }
    return static_cast<uint32_t>(first);
  }

  // The index is due (auto reached its threshold, IVF has enough vectors to train): append, then build it
  // beside running searches (which stay exact meanwhile) and swap it in.
  {
    std::unique_lock<FairSharedMutex> lock(m.mu);
    m.append(rows, count);
  }
  StoreBackedFlat* storage = nullptr;
  int32_t nl = 0;
  const size_t total = m.n.load();
  auto index = m.build(target, m.store, m.tombCount.load() > 0 ? m.tomb.data() : nullptr, total, m.live.load(), &storage,
                       &nl);
  std::unique_lock<FairSharedMutex> lock(m.mu);
  m.ann = std::move(index);
  m.efGate.reset();
  m.annStorage = storage;
  m.nlistTrained = nl;
  m.active = target;
  return static_cast<uint32_t>(first);
}

size_t VectorIndex::remove(const uint32_t* labels, size_t count) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> writer(m.writerMu);
  std::unique_lock<FairSharedMutex> lock(m.mu);
  std::unique_lock<FairSharedMutex> storeLock(m.storeMu);
  const size_t total = m.n.load();
  size_t removed = 0;
  for (size_t i = 0; i < count; i++) {
    const uint32_t label = labels[i];
    if (label >= total || bit(m.tomb.data(), label)) continue;
    m.tomb[label >> 3] |= static_cast<uint8_t>(1u << (label & 7));
    removed++;
  }
  m.tombCount.fetch_add(removed);
  m.live.fetch_sub(removed);
  return removed;
}

bool VectorIndex::vector(uint32_t label, float* out) const {
  const Impl& m = *impl_;
  std::shared_lock<FairSharedMutex> storeLock(m.storeMu);
  if (label >= m.n.load() || bit(m.tomb.data(), label)) return false;
  std::memcpy(out, m.store.data() + size_t(label) * m.d, m.d * sizeof(float));
  return true;
}

std::vector<QueryResult> VectorIndex::search(const float* queries, size_t nq, int64_t k,
                                             const SearchOptions& options) const {
  ThreadScope threads;
  const Impl& m = *impl_;
  m.checkK(k);
  if (options.efSearch < 0 || options.nprobe < 0) throw std::invalid_argument("efSearch and nprobe must be >= 0");
  std::vector<float> buf;
  const float* q = m.prepare(queries, nq, buf, "query");

  std::shared_lock<FairSharedMutex> lock(m.mu);
  const size_t liveCount = m.live.load();
  if (k == 0 || nq == 0 || liveCount == 0) return std::vector<QueryResult>(nq);
  if (options.allowed != nullptr) {
    // A selective filter: scan exactly the admitted labels (cheaper than a filtered full scan or an HNSW
    // walk through mostly excluded nodes, and exact).
    const size_t small = std::max(kSmallFilter, liveCount / 50);
    const size_t allowedLive =
        popcountAllowedLive(options.allowed, options.allowedBytes, m.tomb.data(), m.n.load(), small);
    if (allowedLive <= small) {
      const std::vector<uint32_t> labels = m.allowedLabels(options.allowed, options.allowedBytes);
      return exact::search(q, nq, m.d, m.l2(), size_t(k), m.listRows(labels), threadsPerCall());
    }
  }
  if (m.active.load() == ActiveIndex::Exact) {
    return exact::search(q, nq, m.d, m.l2(), size_t(k), m.allRows(options.allowed, options.allowedBytes),
                         threadsPerCall());
  }
  return m.annSearch(q, nq, size_t(k), options);
}

std::vector<QueryResult> VectorIndex::searchExact(const float* queries, size_t nq, int64_t k, const uint8_t* allowed,
                                                  size_t allowedBytes) const {
  ThreadScope threads;
  const Impl& m = *impl_;
  m.checkK(k);
  std::vector<float> buf;
  const float* q = m.prepare(queries, nq, buf, "query");
  std::shared_lock<FairSharedMutex> lock(m.mu);
  if (k == 0 || nq == 0 || m.live.load() == 0) return std::vector<QueryResult>(nq);
  return exact::search(q, nq, m.d, m.l2(), size_t(k), m.allRows(allowed, allowedBytes), threadsPerCall());
}

std::vector<QueryResult> VectorIndex::searchSubset(const float* queries, size_t nq, int64_t k, const uint32_t* labels,
                                                   size_t nLabels) const {
  ThreadScope threads;
  const Impl& m = *impl_;
  m.checkK(k);
  std::vector<float> buf;
  const float* q = m.prepare(queries, nq, buf, "query");
  std::vector<uint32_t> list(labels, labels + nLabels);
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());

  std::shared_lock<FairSharedMutex> lock(m.mu);
  const size_t total = m.n.load();
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](uint32_t label) { return label >= total || bit(m.tomb.data(), label); }),
             list.end());
  if (k == 0 || nq == 0 || list.empty()) return std::vector<QueryResult>(nq);
  return exact::search(q, nq, m.d, m.l2(), size_t(k), m.listRows(list), threadsPerCall());
}

std::vector<int32_t> VectorIndex::compact() {
  ThreadScope threads;
  Impl& m = *impl_;
  std::lock_guard<std::mutex> writer(m.writerMu);
  const size_t total = m.n.load();
  std::vector<int32_t> remap(total);
  if (m.tombCount.load() == 0) {
    for (size_t i = 0; i < total; i++) remap[i] = static_cast<int32_t>(i);
    return remap;
  }
  // Build the compacted store and its index beside running searches (writerMu keeps the store still).
  const size_t liveCount = m.live.load();
  std::vector<float> newStore;
  std::vector<float> newNorms;
  newStore.reserve(liveCount * m.d);
  if (m.l2()) newNorms.reserve(liveCount);
  int32_t next = 0;
  for (size_t label = 0; label < total; label++) {
    if (bit(m.tomb.data(), label)) {
      remap[label] = -1;
      continue;
    }
    remap[label] = next++;
    newStore.insert(newStore.end(), m.store.begin() + label * m.d, m.store.begin() + (label + 1) * m.d);
    if (m.l2()) newNorms.push_back(m.norms[label]);
  }
  const ActiveIndex target = m.targetIndex(liveCount);
  StoreBackedFlat* storage = nullptr;
  int32_t nl = 0;
  auto index = m.build(target, newStore, nullptr, liveCount, liveCount, &storage, &nl);

  std::unique_lock<FairSharedMutex> lock(m.mu);
  std::unique_lock<FairSharedMutex> storeLock(m.storeMu);
  m.store.swap(newStore);
  m.norms.swap(newNorms);
  if (storage != nullptr) storage->setStore(&m.store);
  m.tomb.assign((liveCount + 7) / 8, 0);
  m.n = liveCount;
  m.live = liveCount;
  m.tombCount = 0;
  m.ann = std::move(index);
  m.efGate.reset();
  m.annStorage = storage;
  m.nlistTrained = nl;
  m.active = target;
  return remap;
}

// -------------------------------------------------------------------------------------------------------------
// File format (little-endian), version 1:
//   header (kHeaderBytes): magic "SAGEDBVI", u32 version, u32 header bytes, settings, state, counts,
//                          section sizes
//   store   n * d float32 (normalised for cosine)
//   tombs   (n + 7) / 8 bytes, bit label % 8 of byte label >> 3
//   index   faiss::write_index of the ANN index (empty when exact; HNSW with an empty flat storage, since its
//           rows are the store)
//   u32 CRC-32C of every preceding byte

namespace {

struct Header {
  uint32_t version = kFileFormatVersion;
  uint32_t headerBytes = kHeaderBytes;
  Settings settings;
  uint8_t active = 0;
  int32_t nlistTrained = 0;
  uint32_t faissVersion = 0;
  uint64_t n = 0;
  uint64_t live = 0;
  uint64_t tombCount = 0;
  uint64_t storeBytes = 0;
  uint64_t tombBytes = 0;
  uint64_t indexBytes = 0;
};

void writeHeader(fileio::AtomicFileWriter& w, const Header& h) {
  w.write(kMagic, sizeof kMagic);                         // 8
  w.put(h.version);                                       // 12
  w.put(h.headerBytes);                                   // 16
  w.put(h.settings.dimension);                            // 20
  w.put(static_cast<uint8_t>(h.settings.metric));         // 21
  w.put(static_cast<uint8_t>(h.settings.kind));           // 22
  w.put(h.active);                                        // 23
  w.put(uint8_t{0});                                      // 24
  const IndexParams& p = h.settings.params;
  for (int32_t v : {p.M, p.efConstruction, p.efSearch, p.nlist, p.nprobe, p.pqM, p.pqNbits}) w.put(v);  // 52
  w.put(p.autoThreshold);                                 // 60
  w.put(h.nlistTrained);                                  // 64
  w.put(h.faissVersion);                                  // 68
  w.put(uint32_t{0});                                     // 72 (reserved)
  for (uint64_t v : {h.n, h.live, h.tombCount, h.storeBytes, h.tombBytes, h.indexBytes}) w.put(v);  // 120
  for (int i = 0; i < 3; i++) w.put(uint32_t{0});         // 132 (reserved)
}

Header readHeader(fileio::FileReader& r) {
  Header h;
  h.version = r.get<uint32_t>();
  h.headerBytes = r.get<uint32_t>();
  h.settings.dimension = r.get<int32_t>();
  h.settings.metric = static_cast<Metric>(r.get<uint8_t>());
  h.settings.kind = static_cast<IndexKind>(r.get<uint8_t>());
  h.active = r.get<uint8_t>();
  (void)r.get<uint8_t>();
  IndexParams& p = h.settings.params;
  for (int32_t* f : {&p.M, &p.efConstruction, &p.efSearch, &p.nlist, &p.nprobe, &p.pqM, &p.pqNbits}) *f = r.get<int32_t>();
  p.autoThreshold = r.get<int64_t>();
  h.nlistTrained = r.get<int32_t>();
  h.faissVersion = r.get<uint32_t>();
  (void)r.get<uint32_t>();
  for (uint64_t* f : {&h.n, &h.live, &h.tombCount, &h.storeBytes, &h.tombBytes, &h.indexBytes}) *f = r.get<uint64_t>();
  for (int i = 0; i < 3; i++) (void)r.get<uint32_t>();
  return h;
}

[[noreturn]] void corrupt(const std::string& path, const std::string& why) {
  throw FileError(FileErrorKind::Corrupt, path, "index file " + path + " is corrupt: " + why);
}

/// The build-relevant settings that differ, e.g. "metric l2 (expected ip), M 32 (expected 16)".
std::string structuralDifferences(const Settings& file, const Settings& want) {
  std::string out;
  auto note = [&](const char* name, const std::string& got, const std::string& expected) {
    if (got == expected) return;
    if (!out.empty()) out += ", ";
    out += std::string(name) + " " + got + " (expected " + expected + ")";
  };
  const IndexParams& p = file.params;
  const IndexParams& q = want.params;
  note("dimension", std::to_string(file.dimension), std::to_string(want.dimension));
  note("metric", toString(file.metric), toString(want.metric));
  note("kind", toString(file.kind), toString(want.kind));
  note("M", std::to_string(p.M), std::to_string(q.M));
  note("efConstruction", std::to_string(p.efConstruction), std::to_string(q.efConstruction));
  note("nlist", std::to_string(p.nlist), std::to_string(q.nlist));
  note("pqM", std::to_string(p.pqM), std::to_string(q.pqM));
  note("pqNbits", std::to_string(p.pqNbits), std::to_string(q.pqNbits));
  note("autoThreshold", std::to_string(p.autoThreshold), std::to_string(q.autoThreshold));
  return out;
}

}  // namespace

void VectorIndex::save(const std::string& path) const {
  ThreadScope threads;
  Impl& m = *impl_;
  // writerMu: no add is half-way through its chunks; the shared lock lets searches continue meanwhile.
  std::lock_guard<std::mutex> writer(m.writerMu);
  std::shared_lock<FairSharedMutex> lock(m.mu);

  faiss::VectorIOWriter indexBytes;
  if (m.ann) {
    try {
      if (m.active.load() == ActiveIndex::HNSW) {
        const auto& hnsw = dynamic_cast<const faiss::IndexHNSWFlat&>(*m.ann);
        faiss::IndexFlat emptyStorage(int(m.d), hnsw.metric_type);
        faiss::IndexHNSWFlat shell;
        shell.d = hnsw.d;
        shell.metric_type = hnsw.metric_type;
        shell.ntotal = hnsw.ntotal;
        shell.is_trained = true;
        m.efGate.hold([&] { shell.hnsw = hnsw.hnsw; });  // a search may be changing hnsw.efSearch
        shell.storage = &emptyStorage;
        shell.own_fields = false;
        faiss::write_index(&shell, &indexBytes);
        shell.storage = nullptr;
      } else {
        faiss::write_index(m.ann.get(), &indexBytes);
      }
    } catch (const faiss::FaissException& e) {
      throw FileError(FileErrorKind::Io, path, std::string("cannot serialise the FAISS index: ") + e.what());
    }
  }

  Header h;
  h.settings = m.s;
  h.active = static_cast<uint8_t>(m.active.load());
  h.nlistTrained = m.nlistTrained.load();
  h.faissVersion = FAISS_VERSION_MAJOR * 10000 + FAISS_VERSION_MINOR * 100 + FAISS_VERSION_PATCH;
  h.n = m.n.load();
  h.live = m.live.load();
  h.tombCount = m.tombCount.load();
  h.storeBytes = h.n * m.d * sizeof(float);
  h.tombBytes = (h.n + 7) / 8;
  h.indexBytes = indexBytes.data.size();

  fileio::AtomicFileWriter w(path);
  writeHeader(w, h);
  w.write(m.store.data(), h.storeBytes);
  w.write(m.tomb.data(), h.tombBytes);
  w.write(indexBytes.data.data(), indexBytes.data.size());
  w.commit();
}

std::unique_ptr<VectorIndex> VectorIndex::load(const std::string& path, const Settings* expected) {
  ThreadScope threads;
  fileio::FileReader r(path);
  char magic[sizeof kMagic];
  if (!r.tryRead(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    throw FileError(FileErrorKind::NotAVectorIndexFile, path,
                    path + " is not a SageDB vector index file (no SAGEDBVI magic bytes)");
  }
  uint32_t version = 0;
  if (!r.tryRead(&version, sizeof version)) corrupt(path, "truncated header");
  if (version != kFileFormatVersion) {
    throw FileError(FileErrorKind::UnsupportedVersion, path,
                    "index file " + path + " has format version " + std::to_string(version) + "; this build reads " +
                        std::to_string(kFileFormatVersion) + (version > kFileFormatVersion ? " (written by a newer SageDB)" : ""));
  }
  if (r.fileSize() < kHeaderBytes + sizeof(uint32_t)) corrupt(path, "truncated header");
  // Re-read from the start so the checksum covers the magic and version too.
  fileio::FileReader body(path);
  body.read(magic, sizeof magic);
  Header h = readHeader(body);
  if (h.headerBytes != kHeaderBytes) corrupt(path, "unexpected header size " + std::to_string(h.headerBytes));

  // Sizes must agree with each other and with the file before anything is allocated.
  const uint64_t dim = h.settings.dimension > 0 ? uint64_t(h.settings.dimension) : 0;
  if (dim == 0 || dim > 65536 || h.n > kMaxLabels || h.storeBytes != h.n * dim * sizeof(float) ||
      h.tombBytes != (h.n + 7) / 8 || h.live + h.tombCount != h.n || h.indexBytes > r.fileSize()) {
    corrupt(path, "inconsistent header");
  }
  const uint64_t expectedSize = uint64_t(kHeaderBytes) + h.storeBytes + h.tombBytes + h.indexBytes + sizeof(uint32_t);
  if (r.fileSize() < expectedSize) {
    corrupt(path, "truncated (" + std::to_string(r.fileSize()) + " bytes, header announces " +
                      std::to_string(expectedSize) + ")");
  }
  if (r.fileSize() > expectedSize) corrupt(path, "trailing bytes after the checksum");

  auto impl = std::make_unique<Impl>(h.settings);
  impl->store.resize(h.n * dim);
  body.read(impl->store.data(), h.storeBytes);
  impl->tomb.resize(h.tombBytes);
  body.read(impl->tomb.data(), h.tombBytes);
  faiss::VectorIOReader indexBytes;
  indexBytes.data.resize(h.indexBytes);
  body.read(indexBytes.data.data(), h.indexBytes);
  const uint32_t computed = body.crc();
  uint32_t stored = 0;
  body.read(&stored, sizeof stored);
  if (computed != stored) corrupt(path, "checksum mismatch");

  // Checksummed from here on: content errors are ours or a foreign writer's, still reported as corrupt.
  try {
    validateSettings(h.settings);
  } catch (const std::invalid_argument& e) {
    corrupt(path, std::string("invalid settings: ") + e.what());
  }
  if (expected != nullptr) {
    const std::string differences = structuralDifferences(h.settings, *expected);
    if (!differences.empty()) {
      throw FileError(FileErrorKind::SettingsMismatch, path,
                      "index file " + path + " does not match the collection settings: " + differences);
    }
    impl->s.params.efSearch = expected->params.efSearch;
    impl->s.params.nprobe = expected->params.nprobe;
  }
  size_t tombs = 0;
  for (uint64_t label = 0; label < h.n; label++) tombs += bit(impl->tomb.data(), label);
  if (tombs != h.tombCount) corrupt(path, "tombstone count mismatch");
  if (h.active > static_cast<uint8_t>(ActiveIndex::IVFPQ)) corrupt(path, "unknown index state");

  const auto active = static_cast<ActiveIndex>(h.active);
  Impl& m = *impl;
  m.n = h.n;
  m.live = h.live;
  m.tombCount = h.tombCount;
  m.nlistTrained = h.nlistTrained;
  if (m.l2()) {
    m.norms.resize(h.n);
    for (size_t i = 0; i < h.n; i++) m.norms[i] = kernels::ip(m.store.data() + i * dim, m.store.data() + i * dim, dim);
  }
  const bool wantsIndex = active != ActiveIndex::Exact;
  if (wantsIndex != (h.indexBytes > 0)) corrupt(path, "index section does not match the index state");
  if (wantsIndex) {
    std::unique_ptr<faiss::Index> index;
    try {
      index.reset(faiss::read_index(&indexBytes));
    } catch (const std::exception& e) {
      corrupt(path, std::string("unreadable FAISS index: ") + e.what());
    }
    if (!index || index->d != int(dim) || index->metric_type != faissMetric(m.s.metric)) {
      corrupt(path, "FAISS index does not match the settings");
    }
    if (active == ActiveIndex::HNSW) {
      auto* hnsw = dynamic_cast<faiss::IndexHNSWFlat*>(index.get());
      if (hnsw == nullptr || uint64_t(hnsw->ntotal) != h.n || hnsw->hnsw.levels.size() != h.n ||
          hnsw->storage == nullptr || hnsw->storage->ntotal != 0) {
        corrupt(path, "HNSW section does not match the store");
      }
      if (hnsw->own_fields) delete hnsw->storage;
      auto* storage = new StoreBackedFlat(int(dim), hnsw->metric_type, &m.store, hnsw->ntotal);
      hnsw->storage = storage;
      hnsw->own_fields = true;
      m.annStorage = storage;
    } else {
      auto* ivf = dynamic_cast<faiss::IndexIVF*>(index.get());
      const bool typeOk = active == ActiveIndex::IVFFlat ? dynamic_cast<faiss::IndexIVFFlat*>(index.get()) != nullptr
                                                          : dynamic_cast<faiss::IndexIVFPQ*>(index.get()) != nullptr;
      if (ivf == nullptr || !typeOk || !ivf->is_trained || int64_t(ivf->nlist) != h.nlistTrained ||
          uint64_t(ivf->ntotal) > h.n) {
        corrupt(path, "IVF section does not match the settings");
      }
    }
    m.ann = std::move(index);
  }
  m.active = active;
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
}

}  // namespace sagedb
