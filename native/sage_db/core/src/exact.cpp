#include "exact.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"

extern "C" {
// Fortran BLAS (OpenBLAS, LP64), the same symbol FAISS links against.
int sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
           const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
           const int* ldc);
}

namespace sagedb::exact {
namespace {

inline bool better(const TopK::Entry& a, const TopK::Entry& b) {
  return a.score > b.score || (a.score == b.score && a.label < b.label);
}

inline bool bit(const uint8_t* bitmap, uint32_t label) { return (bitmap[label >> 3] >> (label & 7)) & 1; }

// Queries at or above this count use sgemm (BLAS) instead of one SIMD pass per query.
constexpr size_t kGemmMinQueries = 8;
constexpr size_t kQueryBlock = 128;

struct Ctx {
  const float* queries;
  size_t nq;
  size_t d;
  bool l2;
  size_t k;
  const Rows* rows;
  bool gemm;
  size_t blockRows;
  std::vector<float> queryNorms;
};

void scanSlice(const Ctx& c, size_t lo, size_t hi, std::vector<TopK>& heaps) {
  const Rows& r = *c.rows;
  const size_t d = c.d;
  const bool listMode = r.list != nullptr;
  const bool filter = !listMode && (r.tomb != nullptr || r.allowed != nullptr);
  std::vector<float> gathered(listMode ? c.blockRows * d : 0);
  std::vector<float> gatheredNorms(listMode && c.gemm && c.l2 ? c.blockRows : 0);
  std::vector<float> dist(c.gemm ? c.blockRows * std::min(c.nq, kQueryBlock) : c.blockRows);

  auto passes = [&](uint32_t label) {
    if (r.tomb != nullptr && bit(r.tomb, label)) return false;
    if (r.allowed != nullptr && ((label >> 3) >= r.allowedBytes || !bit(r.allowed, label))) return false;
    return true;
  };

  for (size_t b = lo; b < hi; b += c.blockRows) {
    const size_t nb = std::min(c.blockRows, hi - b);
    const float* rowsPtr;
    const uint32_t* labels = nullptr;
    const float* rowNorms = nullptr;
    uint32_t base = 0;
    if (listMode) {
      labels = r.list + b;
      for (size_t i = 0; i < nb; i++) {
        std::memcpy(gathered.data() + i * d, r.store + size_t(labels[i]) * d, d * sizeof(float));
        if (!gatheredNorms.empty()) gatheredNorms[i] = r.norms[labels[i]];
      }
      rowsPtr = gathered.data();
      rowNorms = gatheredNorms.empty() ? nullptr : gatheredNorms.data();
    } else {
      base = static_cast<uint32_t>(r.begin + b);
      rowsPtr = r.store + size_t(base) * d;
      rowNorms = r.norms != nullptr ? r.norms + base : nullptr;
    }

    auto consume = [&](size_t q, const float* values, bool negate) {
      TopK& heap = heaps[q];
      float thr = heap.threshold();
      for (size_t i = 0; i < nb; i++) {
        const float s = negate ? -values[i] : values[i];
        if (s < thr) continue;
        const uint32_t label = listMode ? labels[i] : base + static_cast<uint32_t>(i);
        if (filter && !passes(label)) continue;
        heap.push(s, label);
        thr = heap.threshold();
      }
    };

    if (!c.gemm) {
      for (size_t q = 0; q < c.nq; q++) {
        const float* x = c.queries + q * d;
        if (c.l2) {
          kernels::l2sqrNy(dist.data(), x, rowsPtr, d, nb);
        } else {
          kernels::ipNy(dist.data(), x, rowsPtr, d, nb);
        }
        consume(q, dist.data(), c.l2);
      }
      continue;
    }

    for (size_t q0 = 0; q0 < c.nq; q0 += kQueryBlock) {
      const size_t nqb = std::min(kQueryBlock, c.nq - q0);
      const int m = static_cast<int>(nb), n = static_cast<int>(nqb), kk = static_cast<int>(d);
      const float one = 1.0f, zero = 0.0f;
      // dist[j * nb + i] = <row i, query q0 + j>
      sgemm_("T", "N", &m, &n, &kk, &one, rowsPtr, &kk, c.queries + q0 * d, &kk, &zero, dist.data(), &m);
      for (size_t j = 0; j < nqb; j++) {
        float* col = dist.data() + j * nb;
        if (c.l2) {
          const float qn = c.queryNorms[q0 + j];
          for (size_t i = 0; i < nb; i++) col[i] = std::max(0.0f, qn + rowNorms[i] - 2.0f * col[i]);
        }
        consume(q0 + j, col, c.l2);
      }
    }
  }
}

}  // namespace

float TopK::threshold() const {
  return heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().score;
}

void TopK::push(float score, uint32_t label) {
  if (k_ == 0) return;
  const Entry e{score, label};
  if (heap_.size() < k_) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), better);
    return;
  }
  if (!better(e, heap_.front())) return;
  std::pop_heap(heap_.begin(), heap_.end(), better);
  heap_.back() = e;
  std::push_heap(heap_.begin(), heap_.end(), better);
}

QueryResult TopK::take() {
  std::sort(heap_.begin(), heap_.end(), better);
  QueryResult out;
  out.labels.reserve(heap_.size());
  out.scores.reserve(heap_.size());
  for (const Entry& e : heap_) {
    out.labels.push_back(e.label);
    out.scores.push_back(e.score);
  }
  heap_.clear();
  return out;
}

std::vector<QueryResult> search(const float* queries, size_t nq, size_t d, bool l2, size_t k, const Rows& rows,
                                int threads) {
  std::vector<QueryResult> results(nq);
  const size_t count = rows.list != nullptr ? rows.listSize : size_t(rows.end - rows.begin);
  if (nq == 0 || k == 0 || count == 0) return results;
  k = std::min(k, count);  // the heaps reserve k entries

  Ctx c;
  c.queries = queries;
  c.nq = nq;
  c.d = d;
  c.l2 = l2;
  c.k = k;
  c.rows = &rows;
  // sgemm needs row norms for L2; the store keeps them, so this only fails for callers that pass none.
  c.gemm = nq >= kGemmMinQueries && (!l2 || rows.norms != nullptr);
  // ~128 KiB of rows per block: stays in L2 while every query of the batch passes over it.
  c.blockRows = std::max<size_t>(32, std::min<size_t>(4096, (128 * 1024) / (d * sizeof(float))));
  if (c.gemm && l2) {
    c.queryNorms.resize(nq);
    for (size_t q = 0; q < nq; q++) c.queryNorms[q] = kernels::ip(queries + q * d, queries + q * d, d);
  }

  const size_t slices = threads > 1 ? std::min<size_t>(size_t(threads), (count + c.blockRows - 1) / c.blockRows) : 1;
  std::vector<std::vector<TopK>> perSlice(slices, std::vector<TopK>(nq, TopK(k)));
  if (slices == 1) {
    scanSlice(c, 0, count, perSlice[0]);
  } else {
    const size_t blocks = (count + c.blockRows - 1) / c.blockRows;
#pragma omp parallel for num_threads(static_cast<int>(slices)) schedule(static, 1)
    for (size_t s = 0; s < slices; s++) {
      const size_t lo = (blocks * s / slices) * c.blockRows;
      const size_t hi = std::min(count, (blocks * (s + 1) / slices) * c.blockRows);
      if (lo < hi) scanSlice(c, lo, hi, perSlice[s]);
    }
    for (size_t s = 1; s < slices; s++) {
      for (size_t q = 0; q < nq; q++) {
        for (const TopK::Entry& e : perSlice[s][q].entries()) perSlice[0][q].push(e.score, e.label);
      }
    }
  }

  for (size_t q = 0; q < nq; q++) {
    results[q] = perSlice[0][q].take();
    if (c.gemm && l2) {
      // ||x||^2 + ||y||^2 - 2<x, y> loses precision: report exact distances and re-rank the k found.
      QueryResult& res = results[q];
      TopK exactTop(res.labels.size());
      for (size_t i = 0; i < res.labels.size(); i++) {
        const uint32_t label = res.labels[i];
        exactTop.push(-kernels::l2sqr(queries + q * d, rows.store + size_t(label) * d, d), label);
      }
      res = exactTop.take();
    }
  }
  return results;
}

}  // namespace sagedb::exact
