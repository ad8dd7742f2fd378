// sagedb_bench: HNSW build rate, single-thread query rate and recall, exact scan speed.
//   build/sagedb_bench [n=100000] [d=128] [nq=1000] [clustered|uniform]
// Data: a Gaussian mixture (1000 centres, the "random-ish clustered" data of the README numbers) or
// uniform random vectors (much harder for HNSW).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "test_util.h"

using Clock = std::chrono::steady_clock;

static double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? size_t(std::atol(argv[1])) : 100000;
  const size_t d = argc > 2 ? size_t(std::atol(argv[2])) : 128;
  const size_t nq = argc > 3 ? size_t(std::atol(argv[3])) : 1000;
  const bool uniform = argc > 4 && std::string(argv[4]) == "uniform";
  const size_t k = 10;
  std::printf("sagedb_bench n=%zu d=%zu nq=%zu data=%s threads/call=%d simd=%s faiss=%s\n", n, d, nq,
              uniform ? "uniform" : "clustered",
              sagedb::VectorIndex::threadsPerCall(), sagedb::VectorIndex::simdLevel(),
              sagedb::VectorIndex::faissVersion().c_str());
  const auto data = uniform ? testutil::uniform(n, d, 12345) : testutil::clustered(n, d, 12345, 1000, 0.15f);
  const auto queries = uniform ? testutil::uniform(nq, d, 777) : testutil::clustered(nq, d, 777, 1000, 0.15f);

  sagedb::VectorIndex flat(testutil::settings(int(d), sagedb::Metric::L2, sagedb::IndexKind::Flat));
  flat.add(data.data(), n);
  // Exact, one query at a time.
  auto t0 = Clock::now();
  const size_t singles = std::min<size_t>(nq, 200);
  for (size_t q = 0; q < singles; q++) flat.search(queries.data() + q * d, 1, k);
  double t = ms(t0, Clock::now()) / double(singles);
  std::printf("exact single query: %.3f ms  (%.1f GB/s over %.1f MB)\n", t, double(n * d * 4) / (t * 1e6),
              double(n * d * 4) / 1e6);
  t0 = Clock::now();
  const auto truth = flat.search(queries.data(), nq, k);
  t = ms(t0, Clock::now());
  std::printf("exact batch of %zu: %.1f ms (%.0f queries/s)\n", nq, t, double(nq) * 1000 / t);

  auto s = testutil::settings(int(d), sagedb::Metric::L2, sagedb::IndexKind::HNSW);
  s.params.M = 32;
  s.params.efConstruction = 200;
  sagedb::VectorIndex hnsw(s);
  t0 = Clock::now();
  hnsw.add(data.data(), n);
  t = ms(t0, Clock::now());
  std::printf("hnsw M=32 efC=200 build: %.1f s (%.0f vectors/s)\n", t / 1000, double(n) * 1000 / t);
  for (int ef : {16, 32, 64, 128, 256}) {
    sagedb::SearchOptions o;
    o.efSearch = ef;
    std::vector<sagedb::QueryResult> got;
    got.reserve(nq);
    t0 = Clock::now();
    for (size_t q = 0; q < nq; q++) got.push_back(hnsw.search(queries.data() + q * d, 1, k, o)[0]);
    t = ms(t0, Clock::now());
    size_t hit = 0;
    for (size_t q = 0; q < nq; q++) {
      std::set<uint32_t> e(truth[q].labels.begin(), truth[q].labels.end());
      for (uint32_t l : got[q].labels) hit += e.count(l);
    }
    t0 = Clock::now();
    hnsw.search(queries.data(), nq, k, o);
    const double batch = ms(t0, Clock::now());
    std::printf("hnsw efSearch=%3d: %7.0f queries/s single-thread one per call, %7.0f in one batch, recall@10 %.4f\n",
                ef, double(nq) * 1000 / t, double(nq) * 1000 / batch, double(hit) / double(nq * k));
  }
  return 0;
}
