#include "kernels.h"

#include <faiss/utils/distances.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SAGEDB_X86 1
#endif

namespace sagedb::kernels {
namespace {

using PairFn = float (*)(const float*, const float*, size_t);
using NyFn = void (*)(float*, const float*, const float*, size_t, size_t);

float genericL2(const float* x, const float* y, size_t d) { return faiss::fvec_L2sqr(x, y, d); }
float genericIp(const float* x, const float* y, size_t d) { return faiss::fvec_inner_product(x, y, d); }
void genericL2Ny(float* out, const float* x, const float* y, size_t d, size_t ny) {
  faiss::fvec_L2sqr_ny(out, x, y, d, ny);
}
void genericIpNy(float* out, const float* x, const float* y, size_t d, size_t ny) {
  faiss::fvec_inner_products_ny(out, x, y, d, ny);
}

#ifdef SAGEDB_X86
__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float avx2L2(const float* x, const float* y, size_t d) {
  __m256 a0 = _mm256_setzero_ps();
  __m256 a1 = _mm256_setzero_ps();
  size_t j = 0;
  for (; j + 16 <= d; j += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j));
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 8), _mm256_loadu_ps(y + j + 8));
    a0 = _mm256_fmadd_ps(d0, d0, a0);
    a1 = _mm256_fmadd_ps(d1, d1, a1);
  }
  if (j + 8 <= d) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j));
    a0 = _mm256_fmadd_ps(d0, d0, a0);
    j += 8;
  }
  float r = hsum(_mm256_add_ps(a0, a1));
  for (; j < d; j++) {
    const float t = x[j] - y[j];
    r += t * t;
  }
  return r;
}

__attribute__((target("avx2,fma"))) float avx2Ip(const float* x, const float* y, size_t d) {
  __m256 a0 = _mm256_setzero_ps();
  __m256 a1 = _mm256_setzero_ps();
  size_t j = 0;
  for (; j + 16 <= d; j += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + j + 8), _mm256_loadu_ps(y + j + 8), a1);
  }
  if (j + 8 <= d) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j), a0);
    j += 8;
  }
  float r = hsum(_mm256_add_ps(a0, a1));
  for (; j < d; j++) r += x[j] * y[j];
  return r;
}

__attribute__((target("avx2,fma"))) void avx2L2Ny(float* out, const float* x, const float* y, size_t d, size_t ny) {
  for (size_t i = 0; i < ny; i++) out[i] = avx2L2(x, y + i * d, d);
}

__attribute__((target("avx2,fma"))) void avx2IpNy(float* out, const float* x, const float* y, size_t d, size_t ny) {
  for (size_t i = 0; i < ny; i++) out[i] = avx2Ip(x, y + i * d, d);
}
#endif

struct Table {
  PairFn l2 = genericL2;
  PairFn ip = genericIp;
  NyFn l2Ny = genericL2Ny;
  NyFn ipNy = genericIpNy;
  const char* level = "generic";
  Table() {
#ifdef SAGEDB_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      l2 = avx2L2;
      ip = avx2Ip;
      l2Ny = avx2L2Ny;
      ipNy = avx2IpNy;
      level = "avx2";
    }
#endif
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

float l2sqr(const float* x, const float* y, size_t d) { return table().l2(x, y, d); }
float ip(const float* x, const float* y, size_t d) { return table().ip(x, y, d); }
void l2sqrNy(float* out, const float* x, const float* y, size_t d, size_t ny) { table().l2Ny(out, x, y, d, ny); }
void ipNy(float* out, const float* x, const float* y, size_t d, size_t ny) { table().ipNy(out, x, y, d, ny); }
const char* level() { return table().level; }

}  // namespace sagedb::kernels
