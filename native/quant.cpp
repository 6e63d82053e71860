// Blockwise quantization with bitsandbytes' formats, bit for bit:
// - 4-bit NF4 / FP4: per block of `blocksize` consecutive elements (row-major), absmax =
//   max |x|; each element is scaled into [-1, 1] and mapped to the nearest of 16 code
//   values; two codes per byte, the first element in the HIGH nibble.
// - 8-bit blockwise with a sorted 256-entry code (the signed dynamic map), used for the
//   double quantization of 4-bit absmax values and for 8-bit optimizer states.
//
// The scaling and rounding follow bitsandbytes' reference ("default" backend) exactly:
// full blocks multiply by r = 1 / absmax rounded to float32, a trailing partial block
// divides, the result is clamped to [-1, 1], and the code index is the number of
// float32 midpoints strictly below the value (so a value on a midpoint takes the LOWER
// code, as searchsorted(side="left") / argmin's first match do).
#include <algorithm>
#include <cmath>
#include <cstring>

#include <vector>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

// The NF4 table is bitsandbytes' (quantiles of N(0, 1), create_normal_map(0.9677083)).
constexpr float kNf4[16] = {
    -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
    -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
    0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
    0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

// FP4 (1 sign, 2 exponent, 1 mantissa bits), in bit-pattern order, normalised by its max
// (12): the values bitsandbytes' get_4bit_type("fp4") returns.
struct Fp4Table {
  float code[16];
  float magnitude[8];    // sorted positive values
  uint8_t index_of[8];   // code index of magnitude[i]
  float mid[7];          // float32 midpoints between sorted magnitudes
  Fp4Table() {
    const float raw[8] = {0.f, 0.0625f, 8.f, 12.f, 4.f, 6.f, 2.f, 3.f};
    for (int i = 0; i < 8; ++i) {
      code[i] = raw[i] / 12.f;
      code[8 + i] = -raw[i] / 12.f;
    }
    const uint8_t order[8] = {0, 1, 6, 7, 4, 5, 2, 3};  // ascending magnitudes
    for (int i = 0; i < 8; ++i) index_of[i] = order[i], magnitude[i] = code[order[i]];
    for (int i = 0; i < 7; ++i) mid[i] = (magnitude[i] + magnitude[i + 1]) / 2.f;
  }
};
const Fp4Table& fp4() {
  static const Fp4Table t;
  return t;
}

struct Nf4Mid {
  float mid[15];
  Nf4Mid() {
    for (int i = 0; i < 15; ++i) mid[i] = (kNf4[i] + kNf4[i + 1]) / 2.f;
  }
};
const Nf4Mid& nf4_mid() {
  static const Nf4Mid t;
  return t;
}

// bitsandbytes' create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8):
// for exponent i in 0..6, 2^i values 10^(i-6) * (midpoints of linspace(0.1, 1, 2^i + 1)),
// both signs, plus 0 and 1, sorted. linspace, the midpoints and the product are float32
// tensor operations in the reference, so they are float32 here.
struct DynamicMap {
  float code[256];
  float mid[255];
  explicit DynamicMap(bool is_signed) {
    int n = 0;
    for (int i = 0; i < 7; ++i) {
      // signed: 2^i values per exponent and sign; unsigned: 2^(i+1) positive ones.
      const int items = (1 << (is_signed ? i : i + 1)) + 1;
      // torch.linspace(0.1, 1, items) in float32 as its AVX2 kernel computes it (the reference
      // values depend on it to the last bit): pairs of 8-wide vectors, each from a base
      // start + step*k (first half) or end - step*(items-1-k) (second half), evaluated with a
      // fused multiply-add, plus j*step per lane rounded twice; leftover elements use the
      // fused scalar formula.
      std::vector<float> b(items);
      const float start = 0.1f, end = 1.f;
      const float step = (end - start) / float(items - 1);
      const int halfway = items / 2;
      auto at = [&](int k) {
        return k < halfway ? std::fma(step, float(k), start) : std::fma(-step, float(items - 1 - k), end);
      };
      int k = 0;
      for (; k + 16 <= items; k += 16)
        for (int v = k; v < k + 16; v += 8) {
          const float base = at(v);
          for (int j = 0; j < 8; ++j) b[v + j] = base + float(j) * step;
        }
      for (; k < items; ++k) b[k] = at(k);
      const float scale = float(std::pow(10.0, double(i - 6)));
      for (int k = 0; k + 1 < items; ++k) {
        const float m = (b[k] + b[k + 1]) / 2.f;
        code[n++] = scale * m;
        if (is_signed) code[n++] = -(scale * m);
      }
    }
    code[n++] = 0.f;
    code[n++] = 1.f;
    std::sort(code, code + 256);
    for (int i = 0; i < 255; ++i) mid[i] = (code[i] + code[i + 1]) / 2.f;
  }
};

// Index of the first midpoint >= v, i.e. the number of midpoints < v (sorted mid, n of them).
inline int count_below(const float* mid, int n, float v) {
  int lo = 0, hi = n;
  while (lo < hi) {
    const int m = (lo + hi) / 2;
    if (mid[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

inline uint8_t encode_4bit(float s, QuantType t) {
  if (t == Q_NF4) return uint8_t(count_below(nf4_mid().mid, 15, s));
  const Fp4Table& f = fp4();
  const uint8_t sign = s < 0.f ? 8 : 0;
  return uint8_t(f.index_of[count_below(f.mid, 7, std::fabs(s))] | sign);
}

inline float f16_bits_to_f32(uint16_t h) {
  const float sign = h & 0x8000 ? -1.f : 1.f;
  const int e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e == 0) return sign * std::ldexp(float(f), -24);
  if (e == 31) return f ? NAN : sign * INFINITY;
  return sign * std::ldexp(float(1024 + f), e - 25);
}

inline float load_as_f32(const void* x, DType d, int64_t i) {
  switch (d) {
    case BF16: {
      uint32_t u = uint32_t(static_cast<const uint16_t*>(x)[i]) << 16;
      float f;
      std::memcpy(&f, &u, 4);
      return f;
    }
    case F16: return f16_bits_to_f32(static_cast<const uint16_t*>(x)[i]);
    default: return static_cast<const float*>(x)[i];
  }
}

// Scales x into [-1, 1] by its block's absmax as the reference does (see the file comment).
inline float scale_into_unit(float x, float absmax, float recip, bool partial) {
  const float s = partial ? x / std::max(absmax, 1e-38f) : x * recip;
  return std::min(1.f, std::max(-1.f, s));
}

// Rows per parallel task: blocks are independent, so any split gives the same bytes.
constexpr int64_t kBlocksPerTask = 64;

}  // namespace

const float* code_4bit(QuantType t) { return t == Q_NF4 ? kNf4 : fp4().code; }

const float* dynamic_code_8bit() {
  static const DynamicMap m(true);
  return m.code;
}

const float* dynamic_code_8bit_unsigned() {
  static const DynamicMap m(false);
  return m.code;
}

void adamw8bit_step(float* p, const float* g, uint8_t* q1, uint8_t* q2, float* absmax1,
                    float* absmax2, int64_t n, int64_t blocksize, float lr, float beta1,
                    float beta2, float eps, float weight_decay, float bc1, float bc2,
                    float grad_scale) {
  const float* c1 = dynamic_code_8bit();
  const float* c2 = dynamic_code_8bit_unsigned();
  float mid1[255], mid2[255];
  for (int i = 0; i < 255; ++i) mid1[i] = (c1[i] + c1[i + 1]) / 2.f, mid2[i] = (c2[i] + c2[i + 1]) / 2.f;
  const float decay = float(1.0 - double(lr) * weight_decay);
  const float step = float(double(lr) / bc1), bc2_sqrt = float(std::sqrt(double(bc2)));
  const int64_t blocks = (n + blocksize - 1) / blocksize;
  parallel_for(blocks, 16, [&](int, int64_t b0, int64_t b1) {
    std::vector<float> m(blocksize), v(blocksize);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t e0 = b * blocksize, len = std::min(n, e0 + blocksize) - e0;
      float am1 = 0.f, am2 = 0.f;
      for (int64_t i = 0; i < len; ++i) {
        const int64_t e = e0 + i;
        const float gi = g[e] * grad_scale;
        const float mi = beta1 * (c1[q1[e]] * absmax1[b]) + (1.f - beta1) * gi;
        const float vi = beta2 * (c2[q2[e]] * absmax2[b]) + (1.f - beta2) * gi * gi;
        p[e] = p[e] * decay - step * (mi / (std::sqrt(vi) / bc2_sqrt + eps));
        m[i] = mi, v[i] = vi;
        am1 = std::max(am1, std::fabs(mi)), am2 = std::max(am2, vi);
      }
      absmax1[b] = am1, absmax2[b] = am2;
      const float r1 = 1.f / std::max(am1, 1e-38f), r2 = 1.f / std::max(am2, 1e-38f);
      for (int64_t i = 0; i < len; ++i) {
        q1[e0 + i] = uint8_t(count_below(mid1, 255, std::min(1.f, std::max(-1.f, m[i] * r1))));
        q2[e0 + i] = uint8_t(count_below(mid2, 255, std::min(1.f, v[i] * r2)));
      }
    }
  });
}

void quantize_4bit(uint8_t* packed, float* absmax, const void* x, DType x_dtype, int64_t n,
                   int64_t blocksize, QuantType t) {
  const int64_t blocks = (n + blocksize - 1) / blocksize;
  if (blocksize % 2 != 0) return;  // the binding only allows even block sizes
  parallel_for(blocks, kBlocksPerTask, [&](int, int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t e0 = b * blocksize, e1 = std::min(n, e0 + blocksize);
      float am = 0.f;
      for (int64_t e = e0; e < e1; ++e) am = std::max(am, std::fabs(load_as_f32(x, x_dtype, e)));
      absmax[b] = am;
      const bool partial = e1 - e0 < blocksize;
      const float recip = 1.f / std::max(am, 1e-38f);
      for (int64_t e = e0; e < e1; e += 2) {
        const uint8_t hi = encode_4bit(scale_into_unit(load_as_f32(x, x_dtype, e), am, recip, partial), t);
        // An odd n pads the last byte with the code of 0.0 (bitsandbytes pads with a 0 value).
        const uint8_t lo = e + 1 < e1
            ? encode_4bit(scale_into_unit(load_as_f32(x, x_dtype, e + 1), am, recip, partial), t)
            : encode_4bit(0.f, t);
        packed[e / 2] = uint8_t(hi << 4 | lo);
      }
    }
  });
}

void dequantize_4bit(float* out, const uint8_t* packed, const float* absmax, int64_t n,
                     int64_t blocksize, QuantType t) {
  Quant4Matrix q;
  q.packed = packed, q.n = n, q.blocksize = blocksize, q.type = t, q.absmax = absmax;
  parallel_for(n, kGrain, [&](int, int64_t b, int64_t e) { decode_4bit(out + b, q, b, e - b); });
}

void quantize_blockwise_8bit(uint8_t* q, float* absmax, const float* x, const float* code,
                             int64_t n, int64_t blocksize) {
  float mid[255];
  for (int i = 0; i < 255; ++i) mid[i] = (code[i] + code[i + 1]) / 2.f;
  const int64_t blocks = (n + blocksize - 1) / blocksize;
  parallel_for(blocks, kBlocksPerTask, [&](int, int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t e0 = b * blocksize, e1 = std::min(n, e0 + blocksize);
      float am = 0.f;
      for (int64_t e = e0; e < e1; ++e) am = std::max(am, std::fabs(x[e]));
      absmax[b] = am;
      const bool partial = e1 - e0 < blocksize;
      const float recip = 1.f / std::max(am, 1e-38f);
      for (int64_t e = e0; e < e1; ++e)
        q[e] = uint8_t(count_below(mid, 255, scale_into_unit(x[e], am, recip, partial)));
    }
  });
}

void dequantize_blockwise_8bit(float* out, const uint8_t* q, const float* absmax,
                               const float* code, int64_t n, int64_t blocksize, float offset) {
  parallel_for(n, kGrain, [&](int, int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = code[q[i]] * absmax[i / blocksize] + offset;
  });
}

float block_scale_4bit(const Quant4Matrix& q, int64_t block) {
  if (q.absmax) return q.absmax[block];
  return q.nested_code[q.absmax_q[block]] * q.nested_absmax[block / q.nested_blocksize] +
         q.offset;
}

namespace {

// bitsandbytes scales int8 codes by float32(1.0 / 127.0) (a Python double cast to float32).
const float kInv127 = float(1.0 / 127.0);

void decode_int8(float* out, const Quant4Matrix& q, int64_t begin, int64_t len) {
  int64_t e = begin;
  const int64_t end = begin + len;
  while (e < end) {
    const int64_t row = e / q.row_len, stop = std::min(end, (row + 1) * q.row_len);
    if (q.int8_unscaled) {
      for (; e < stop; ++e) *out++ = float(q.int8_codes[e]);
    } else {
      const float s = q.row_absmax[row] * kInv127;
      for (; e < stop; ++e) *out++ = float(q.int8_codes[e]) * s;
    }
  }
}

// The float16 value nearest to f (ties to even), as float32: what x.to(torch.float16) keeps.
inline float round_to_f16(float f) {
  if (!std::isfinite(f)) return f;
  const float a = std::fabs(f);
  if (a >= 65520.f) return std::copysign(INFINITY, f);  // past 65504 + half an ulp
  int e;
  std::frexp(a, &e);  // a in [2^(e-1), 2^e): 11 significant bits, subnormals a 2^-24 quantum
  const int quantum = std::max(e - 11, -24);
  return std::copysign(std::ldexp(std::nearbyint(std::ldexp(a, -quantum)), quantum), f);
}

}  // namespace

void quantize_int8_rows(int8_t* codes, float* row_absmax, const void* x, DType x_dtype,
                        int64_t rows, int64_t cols) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, cols)), [&](int, int64_t r0, int64_t r1) {
    std::vector<float> h(cols);
    for (int64_t r = r0; r < r1; ++r) {
      float am = 0.f;
      for (int64_t c = 0; c < cols; ++c) {
        h[c] = round_to_f16(load_as_f32(x, x_dtype, r * cols + c));
        am = std::max(am, std::fabs(h[c]));
      }
      row_absmax[r] = am;
      // torch: 127.0 / absmax is absmax.reciprocal() * 127 (Tensor.__rtruediv__).
      const float s = (1.f / am) * 127.f;
      for (int64_t c = 0; c < cols; ++c) {
        const float v = std::nearbyint(h[c] * s);  // an all-zero row gives 0 * inf = NaN: code 0
        codes[r * cols + c] = std::isnan(v) ? 0 : int8_t(std::min(127.f, std::max(-128.f, v)));
      }
    }
  });
}

void decode_4bit(float* out, const Quant4Matrix& q, int64_t begin, int64_t len) {
  if (q.int8_codes) return decode_int8(out, q, begin, len);
  const float* code = code_4bit(q.type);
  const uint8_t* p = q.packed;
  int64_t e = begin;
  const int64_t end = begin + len;
  while (e < end) {
    const int64_t block = e / q.blocksize;
    const int64_t stop = std::min(end, (block + 1) * q.blocksize);
    const float s = block_scale_4bit(q, block);
    if (e & 1) *out++ = code[p[e >> 1] & 15] * s, ++e;
    for (; e + 1 < stop; e += 2, out += 2) {
      const uint8_t byte = p[e >> 1];
      out[0] = code[byte >> 4] * s;
      out[1] = code[byte & 15] * s;
    }
    if (e < stop) *out++ = code[p[e >> 1] >> 4] * s, ++e;
  }
  if (q.round_bf16) {
    for (float* o = out - len; o < out; ++o) {
      uint32_t u;
      std::memcpy(&u, o, 4);
      u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000u;  // round to nearest even (no NaN here)
      std::memcpy(o, &u, 4);
    }
  }
}

}  // namespace tl

// ---- paged state (file-backed memory) ---------------------------------------------------
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace tl {

void* map_state_file(const char* path, int64_t bytes) {
  const int fd = ::open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return nullptr;
  void* p = nullptr;
  // Reserve the blocks now: a sparse file on a full disk would fail later, as SIGBUS on a
  // store in the middle of a step, instead of as an error here.
  const int err = ::posix_fallocate(fd, 0, bytes);
  if (err != 0) errno = err;
  if (err == 0) {
    p = ::mmap(nullptr, size_t(bytes), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) p = nullptr;
  }
  const int failure = errno;  // close/unlink must not hide why it failed
  ::close(fd);
  ::unlink(path);
  if (!p) errno = failure;
  return p;
}

void unmap_state_file(void* ptr, int64_t bytes) {
  if (ptr) ::munmap(ptr, size_t(bytes));
}

}  // namespace tl
