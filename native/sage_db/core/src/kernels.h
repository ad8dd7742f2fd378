// Distance kernels with runtime dispatch: AVX2+FMA when the CPU has it (compiled with target attributes,
// so the library itself stays generic x86-64), FAISS's generic kernels otherwise.
#pragma once

#include <cstddef>

namespace sagedb::kernels {

/// Squared L2 distance between two vectors of `d` floats.
float l2sqr(const float* x, const float* y, size_t d);
/// Inner product.
float ip(const float* x, const float* y, size_t d);
/// out[i] = l2sqr(x, y + i * d) for i < ny (y contiguous).
void l2sqrNy(float* out, const float* x, const float* y, size_t d, size_t ny);
/// out[i] = ip(x, y + i * d).
void ipNy(float* out, const float* x, const float* y, size_t d, size_t ny);

/// "avx2" or "generic".
const char* level();

}  // namespace sagedb::kernels
