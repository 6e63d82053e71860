// Strided copies (making a view contiguous), dtype casts and fill.
//
// Casts: bf16 and f16 are produced by round-to-nearest-even; NaN stays NaN (quietened,
// sign and top payload bits kept); f16 overflow gives inf and f16 subnormals are exact.
// float -> int truncates toward zero; NaN gives 0 and out-of-range values saturate for
// i32. float -> u8 truncates to an integer and wraps modulo 256, as PyTorch does on x86
// (-1.0 -> 255); i32 -> u8 wraps too. i32 -> bf16/f16 goes through f32, so integers above
// 2^24 are rounded twice.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

#if defined(__x86_64__)
#define TL_F16C __attribute__((target("avx2,fma,f16c")))
#endif

namespace tl {
namespace {

constexpr int64_t kGrainBytes = 64 * 1024;  // per thread, for memory-bound copies
constexpr int kMaxDims = 8;

// ---------------------------------------------------------------------------------------
// Scalar conversions (the reference for the vector paths).

inline uint32_t bits_of(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
inline float float_of(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

inline uint16_t f32_to_bf16(float f) {
  uint32_t u = bits_of(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}
inline float bf16_to_f32(uint16_t h) { return float_of(uint32_t(h) << 16); }

inline uint16_t f32_to_f16(float f) {
  const uint32_t u = bits_of(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return sign | 0x7e00 | static_cast<uint16_t>((a >> 13) & 0x3ffu);
  if (a >= 0x477ff000u) return sign | 0x7c00;  // >= 65520 rounds to inf (65504 is odd)
  if (a >= 0x38800000u) {                      // normal f16: rebias, round 13 bits away
    uint32_t v = a - (112u << 23);
    v += 0xfffu + ((v >> 13) & 1u);
    return sign | static_cast<uint16_t>(v >> 13);
  }
  // Subnormal f16: a multiple of 2^-24; the scaling is exact and nearbyint rounds to even.
  // 1024 (the carry into the smallest normal) encodes correctly as it is.
  const float m = std::nearbyint(float_of(a) * 16777216.f);
  return sign | static_cast<uint16_t>(m);
}
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0) return float_of(sign | bits_of(float(m) * 5.9604644775390625e-8f));  // m 2^-24
  if (e == 31) return float_of(sign | 0x7f800000u | (m << 13));
  return float_of(sign | ((e + 112u) << 23) | (m << 13));
}

inline int32_t f32_to_i32(float f) {
  if (!(f == f)) return 0;
  if (f >= 2147483648.f) return INT32_MAX;
  if (f <= -2147483648.f) return INT32_MIN;
  return static_cast<int32_t>(f);
}
inline uint8_t f32_to_u8(float f) { return static_cast<uint8_t>(f32_to_i32(f)); }

float load_as_f32(const void* x, DType d, int64_t i) {
  switch (d) {
    case F32: return static_cast<const float*>(x)[i];
    case BF16: return bf16_to_f32(static_cast<const uint16_t*>(x)[i]);
    case F16: return f16_to_f32(static_cast<const uint16_t*>(x)[i]);
    case I32: return static_cast<float>(static_cast<const int32_t*>(x)[i]);
    case U8: return static_cast<float>(static_cast<const uint8_t*>(x)[i]);
  }
  return 0.f;
}
void store_f32(void* out, DType d, int64_t i, float v) {
  switch (d) {
    case F32: static_cast<float*>(out)[i] = v; break;
    case BF16: static_cast<uint16_t*>(out)[i] = f32_to_bf16(v); break;
    case F16: static_cast<uint16_t*>(out)[i] = f32_to_f16(v); break;
    case I32: static_cast<int32_t*>(out)[i] = f32_to_i32(v); break;
    case U8: static_cast<uint8_t*>(out)[i] = f32_to_u8(v); break;
  }
}

int64_t dtype_size(DType d) { return d == F32 || d == I32 ? 4 : (d == U8 ? 1 : 2); }

// ---------------------------------------------------------------------------------------
// Vector casts for the pairs a training step uses (weights and activations between f32
// and the 16-bit formats). Results are bit-identical to the scalar forms.
#if defined(__x86_64__)
TL_AVX2 inline __m256i bf16_round8(__m256 x) {
  const __m256i u = _mm256_castps_si256(x);
  __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
  __m256i r = _mm256_srli_epi32(
      _mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7fff)), lsb), 16);
  __m256i nan = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(0x40));
  return _mm256_blendv_epi8(r, nan, _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q)));
}

TL_AVX2 void f32_to_bf16_avx2(uint16_t* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i lo = bf16_round8(_mm256_loadu_ps(x + i));
    __m256i hi = bf16_round8(_mm256_loadu_ps(x + i + 8));
    // packus interleaves 128-bit lanes; the permute puts them back in order.
    __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), 0xD8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), packed);
  }
  for (; i < n; ++i) out[i] = f32_to_bf16(x[i]);
}

TL_AVX2 void bf16_to_f32_avx2(float* out, const uint16_t* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i));
    __m256i u = _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16);
    _mm256_storeu_ps(out + i, _mm256_castsi256_ps(u));
  }
  for (; i < n; ++i) out[i] = bf16_to_f32(x[i]);
}

TL_F16C void f32_to_f16_f16c(uint16_t* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = f32_to_f16(x[i]);
}

TL_F16C void f16_to_f32_f16c(float* out, const uint16_t* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))));
  for (; i < n; ++i) out[i] = f16_to_f32(x[i]);
}
#endif

// out[begin, end) = x[begin, end) converted; the portable reference for every pair.
void cast_range_portable(void* out, DType od, const void* x, DType xd, int64_t begin,
                         int64_t end) {
  if (xd == I32 && od == U8) {  // integer to integer: no detour through float
    for (int64_t i = begin; i < end; ++i)
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(static_cast<const int32_t*>(x)[i]);
  } else if (xd == U8 && od == I32) {
    for (int64_t i = begin; i < end; ++i)
      static_cast<int32_t*>(out)[i] = static_cast<const uint8_t*>(x)[i];
  } else {
    for (int64_t i = begin; i < end; ++i) store_f32(out, od, i, load_as_f32(x, xd, i));
  }
}

bool cast_range_simd(void* out, DType od, const void* x, DType xd, int64_t b, int64_t e) {
#if defined(__x86_64__)
  if (!use_avx2()) return false;
  auto* o16 = static_cast<uint16_t*>(out) + b;
  auto* of = static_cast<float*>(out) + b;
  const auto* x16 = static_cast<const uint16_t*>(x) + b;
  const auto* xf = static_cast<const float*>(x) + b;
  const bool f16c = cpu_features().f16c;
  if (xd == F32 && od == BF16) return f32_to_bf16_avx2(o16, xf, e - b), true;
  if (xd == BF16 && od == F32) return bf16_to_f32_avx2(of, x16, e - b), true;
  if (xd == F32 && od == F16 && f16c) return f32_to_f16_f16c(o16, xf, e - b), true;
  if (xd == F16 && od == F32 && f16c) return f16_to_f32_f16c(of, x16, e - b), true;
#else
  (void)out; (void)od; (void)x; (void)xd; (void)b; (void)e;
#endif
  return false;
}

// ---------------------------------------------------------------------------------------
// Strided copy: dims are coalesced (size-1 dims dropped, neighbours merged when x steps
// through them contiguously) so that a copy of a contiguous slice becomes one memcpy run,
// and a permutation that keeps the innermost dim (attention's (B, T, H, D) -> (B, H, T, D))
// becomes memcpy runs of D elements.
struct Layout {
  int ndim = 0;
  int64_t shape[kMaxDims];
  int64_t stride[kMaxDims];
};

Layout coalesce(const int64_t* shape, const int64_t* strides, int64_t ndim) {
  Layout l;
  for (int64_t d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    if (l.ndim > 0 && l.stride[l.ndim - 1] == strides[d] * shape[d]) {
      l.shape[l.ndim - 1] *= shape[d];
      l.stride[l.ndim - 1] = strides[d];
    } else {
      l.shape[l.ndim] = shape[d];
      l.stride[l.ndim] = strides[d];
      ++l.ndim;
    }
  }
  if (l.ndim == 0) {
    l.ndim = 1;
    l.shape[0] = 1;
    l.stride[0] = 1;
  }
  return l;
}

// Copies output elements [begin, end) run by run along the last dim.
template <class T>
void copy_range(T* out, const T* x, const Layout& l, int64_t begin, int64_t end) {
  const int last = l.ndim - 1;
  const int64_t inner = l.shape[last], step = l.stride[last];
  int64_t idx[kMaxDims], off = 0, rem = begin;
  for (int d = last; d >= 0; --d) {
    idx[d] = rem % l.shape[d];
    rem /= l.shape[d];
    off += idx[d] * l.stride[d];
  }
  for (int64_t pos = begin; pos < end;) {
    const int64_t len = std::min(inner - idx[last], end - pos);
    if (step == 1) {
      std::memcpy(out + pos, x + off, len * sizeof(T));
    } else {
      const T* src = x + off;
      for (int64_t i = 0; i < len; ++i) out[pos + i] = src[i * step];
    }
    pos += len;
    idx[last] += len;
    off += len * step;
    for (int d = last; d > 0 && idx[d] == l.shape[d]; --d) {
      off += l.stride[d - 1] - idx[d] * l.stride[d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

// ---------------------------------------------------------------------------------------
// Transposing copies. When the last dim steps through x with a stride and another dim d
// steps by 1, copy_range reads one element per cache line and revisits every line once per
// row: ~30x slower than a copy. Then the view is a batch (the other dims) of 2-D transposes
//   out[r * out_rs + c] = x[r + c * x_cs],  r < rows (dim d), c < cols (the last dim),
// copied tile by tile. 4-byte elements go through AVX2 register transposes in 128 x 128
// tiles (the tile only amortizes the walk: blocks inside it do not reuse lines), the rest
// through a scalar loop in 32 x 32 tiles, which must keep its lines in L1.
// (1 thread, (3072, 1024) from (1024, 3072) floats: 23 ms before, 2.1 ms tiled; a plain
// copy of the same size is 0.9 ms.)
int64_t transpose_tile_size(int64_t elem_size) {
  return elem_size == 4 && use_avx2() ? 128 : 32;
}

struct TransposePlan {
  int d = -1;                      // the unit-stride dim of x, < l.ndim - 1
  int64_t rows = 0, cols = 0;      // sizes of d and of the last dim
  int64_t out_rs = 0, x_cs = 0;    // out stride of d, x stride of the last dim
  int nb = 0;                      // batch dims: every other dim, in order
  int64_t bshape[kMaxDims], bx[kMaxDims], bout[kMaxDims];
  int64_t batch = 1;
};

// A plan when the layout is a transpose worth tiling (rows and cols >= 4), else d = -1.
TransposePlan plan_transpose(const Layout& l) {
  TransposePlan p;
  const int last = l.ndim - 1;
  if (l.ndim < 2 || l.stride[last] == 1 || l.stride[last] == 0) return p;
  for (int k = last - 1; k >= 0; --k)
    if (l.stride[k] == 1) { p.d = k; break; }
  if (p.d < 0 || l.shape[p.d] < 4 || l.shape[last] < 4) return TransposePlan{};
  int64_t out_stride[kMaxDims];
  out_stride[last] = 1;
  for (int k = last - 1; k >= 0; --k) out_stride[k] = out_stride[k + 1] * l.shape[k + 1];
  p.rows = l.shape[p.d];
  p.cols = l.shape[last];
  p.out_rs = out_stride[p.d];
  p.x_cs = l.stride[last];
  for (int k = 0; k < last; ++k) {
    if (k == p.d) continue;
    p.bshape[p.nb] = l.shape[k];
    p.bx[p.nb] = l.stride[k];
    p.bout[p.nb] = out_stride[k];
    p.batch *= l.shape[k];
    ++p.nb;
  }
  return p;
}

template <class T>
void transpose_tile_portable(T* out, const T* x, int64_t nr, int64_t nc, int64_t out_rs,
                             int64_t x_cs) {
  for (int64_t r = 0; r < nr; ++r)
    for (int64_t c = 0; c < nc; ++c) out[r * out_rs + c] = x[r + c * x_cs];
}

#if defined(__x86_64__)
// One tile: 16 x 16 blocks (four 8 x 8 transposes), so each cache line on either side is
// read or written whole within a block and never revisited: with strides that are
// multiples of 4 KiB all the lines of a tile fall in one L1 set, and reuse across blocks
// would miss. The edges go by 8 x 8 blocks, then element by element.
TL_AVX2 void transpose_tile_avx2(uint32_t* out_u, const uint32_t* x_u, int64_t nr, int64_t nc,
                                 int64_t out_rs, int64_t x_cs) {
  float* out = reinterpret_cast<float*>(out_u);
  const float* x = reinterpret_cast<const float*>(x_u);
  const int64_t nr16 = nr & ~int64_t(15), nc16 = nc & ~int64_t(15);
  for (int64_t r = 0; r < nr16; r += 16)
    for (int64_t c = 0; c < nc16; c += 16) {
      float* dst = out + r * out_rs + c;
      const float* src = x + r + c * x_cs;
      transpose8x8(dst, out_rs, src, x_cs);
      transpose8x8(dst + 8 * out_rs, out_rs, src + 8, x_cs);
      transpose8x8(dst + 8, out_rs, src + 8 * x_cs, x_cs);
      transpose8x8(dst + 8 * out_rs + 8, out_rs, src + 8 * x_cs + 8, x_cs);
    }
  // Edge strips: columns [nc16, nc) of rows [0, nr16), then rows [nr16, nr).
  auto strip = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    const int64_t r8 = r0 + ((r1 - r0) & ~int64_t(7)), c8 = c0 + ((c1 - c0) & ~int64_t(7));
    for (int64_t r = r0; r < r8; r += 8)
      for (int64_t c = c0; c < c8; c += 8)
        transpose8x8(out + r * out_rs + c, out_rs, x + r + c * x_cs, x_cs);
    transpose_tile_portable(out_u + r0 * out_rs + c8, x_u + r0 + c8 * x_cs, r8 - r0, c1 - c8,
                            out_rs, x_cs);
    transpose_tile_portable(out_u + r8 * out_rs + c0, x_u + r8 + c0 * x_cs, r1 - r8, c1 - c0,
                            out_rs, x_cs);
  };
  strip(0, nr16, nc16, nc);
  strip(nr16, nr, 0, nc);
}
#endif

template <class T>
void transpose_tiles(T* out, const T* x, const TransposePlan& p, int64_t tile, int64_t begin,
                     int64_t end) {
  const int64_t rt = (p.rows + tile - 1) / tile, ct = (p.cols + tile - 1) / tile;
  for (int64_t item = begin; item < end; ++item) {
    int64_t b = item / (rt * ct), rem = item % (rt * ct);
    const int64_t r0 = (rem / ct) * tile, c0 = (rem % ct) * tile;
    int64_t xo = r0 + c0 * p.x_cs, oo = r0 * p.out_rs + c0;
    for (int k = p.nb - 1; k >= 0; --k) {
      const int64_t i = b % p.bshape[k];
      b /= p.bshape[k];
      xo += i * p.bx[k];
      oo += i * p.bout[k];
    }
    const int64_t nr = std::min(tile, p.rows - r0), nc = std::min(tile, p.cols - c0);
#if defined(__x86_64__)
    if constexpr (sizeof(T) == 4) {
      if (use_avx2()) {
        transpose_tile_avx2(out + oo, x + xo, nr, nc, p.out_rs, p.x_cs);
        continue;
      }
    }
#endif
    transpose_tile_portable(out + oo, x + xo, nr, nc, p.out_rs, p.x_cs);
  }
}

void copy_transposed(void* out, const void* x, const TransposePlan& p, int64_t elem_size) {
  const int64_t tile = transpose_tile_size(elem_size);
  const int64_t items = p.batch * ((p.rows + tile - 1) / tile) * ((p.cols + tile - 1) / tile);
  const int64_t grain = std::max<int64_t>(1, kGrainBytes / elem_size / (tile * tile));
  parallel_for(items, grain, [&](int, int64_t b, int64_t e) {
    switch (elem_size) {
      case 1: return transpose_tiles(static_cast<uint8_t*>(out), static_cast<const uint8_t*>(x), p, tile, b, e);
      case 2: return transpose_tiles(static_cast<uint16_t*>(out), static_cast<const uint16_t*>(x), p, tile, b, e);
      case 4: return transpose_tiles(static_cast<uint32_t*>(out), static_cast<const uint32_t*>(x), p, tile, b, e);
      default: return;
    }
  });
}

}  // namespace

void copy_strided(void* out, const void* x, const int64_t* shape, const int64_t* strides,
                  int64_t ndim, int64_t elem_size) {
  int64_t n = 1;
  for (int64_t d = 0; d < ndim; ++d) n *= shape[d];
  if (n == 0) return;
  const Layout l = coalesce(shape, strides, ndim);
  const TransposePlan plan = plan_transpose(l);
  if (plan.d >= 0 && (elem_size == 1 || elem_size == 2 || elem_size == 4))
    return copy_transposed(out, x, plan, elem_size);
  parallel_for(n, kGrainBytes / elem_size, [&](int, int64_t b, int64_t e) {
    switch (elem_size) {
      case 1: return copy_range(static_cast<uint8_t*>(out), static_cast<const uint8_t*>(x), l, b, e);
      case 2: return copy_range(static_cast<uint16_t*>(out), static_cast<const uint16_t*>(x), l, b, e);
      case 4: return copy_range(static_cast<uint32_t*>(out), static_cast<const uint32_t*>(x), l, b, e);
      default: return;  // other sizes are not in the contract
    }
  });
}

void cast(void* out, DType out_dtype, const void* x, DType x_dtype, int64_t n) {
  if (n <= 0) return;
  if (out_dtype == x_dtype) {
    const int64_t size = dtype_size(x_dtype);
    parallel_for(n, kGrainBytes / size, [&](int, int64_t b, int64_t e) {
      std::memcpy(static_cast<char*>(out) + b * size, static_cast<const char*>(x) + b * size,
                  (e - b) * size);
    });
    return;
  }
  parallel_for(n, kGrainBytes / 4, [&](int, int64_t b, int64_t e) {
    if (!cast_range_simd(out, out_dtype, x, x_dtype, b, e))
      cast_range_portable(out, out_dtype, x, x_dtype, b, e);
  });
}

void fill(float* out, float value, int64_t n) {
  parallel_for(n, kGrainBytes / 4, [&](int, int64_t b, int64_t e) {
    std::fill(out + b, out + e, value);
  });
}

}  // namespace tl
