// Broadcasting binary ops, ops with a scalar operand, and where (unary ops are in
// unary.cpp).
//
// Operands are read through strides; dims are coalesced first, so the common cases (same
// shape, a bias row, a per-row or global scalar) collapse into long runs along one dim with
// operand strides of 1 or 0, which the run kernels below vectorise with AVX2 when
// use_avx2() says so. pow calls the C library in every path.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr int kMaxDims = 8;

struct Strided {
  int ndim = 0;
  int64_t shape[kMaxDims];
  int64_t stride[3][kMaxDims];  // [operand][dim]
  int nops = 0;
};

// Drops size-1 dims and merges each dim into the previous one when every operand steps
// through both as through one. Leaves at least one dim.
Strided coalesce(const int64_t* shape, int64_t ndim, const int64_t* const* strides,
                 int nops) {
  Strided s;
  s.nops = nops;
  for (int64_t d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    bool merge = s.ndim > 0;
    for (int k = 0; merge && k < nops; ++k)
      merge = s.stride[k][s.ndim - 1] == strides[k][d] * shape[d];
    if (merge) {
      s.shape[s.ndim - 1] *= shape[d];
      for (int k = 0; k < nops; ++k) s.stride[k][s.ndim - 1] = strides[k][d];
    } else {
      s.shape[s.ndim] = shape[d];
      for (int k = 0; k < nops; ++k) s.stride[k][s.ndim] = strides[k][d];
      ++s.ndim;
    }
  }
  if (s.ndim == 0) {
    s.ndim = 1;
    s.shape[0] = 1;
    for (int k = 0; k < nops; ++k) s.stride[k][0] = 0;
  }
  return s;
}

int64_t numel(const int64_t* shape, int64_t ndim) {
  int64_t n = 1;
  for (int64_t d = 0; d < ndim; ++d) n *= shape[d];
  return n;
}

// Calls fn(pos, off, len) for each run of output positions [pos, pos + len) within
// [begin, end) that lies along the last dim; off[k] is operand k's element offset at pos.
template <class F>
void for_each_run(const Strided& s, int64_t begin, int64_t end, F&& fn) {
  const int last = s.ndim - 1;
  int64_t idx[kMaxDims], off[3] = {0, 0, 0};
  int64_t rem = begin;
  for (int d = last; d >= 0; --d) {
    idx[d] = rem % s.shape[d];
    rem /= s.shape[d];
    for (int k = 0; k < s.nops; ++k) off[k] += idx[d] * s.stride[k][d];
  }
  for (int64_t pos = begin; pos < end;) {
    const int64_t len = std::min(s.shape[last] - idx[last], end - pos);
    fn(pos, off, len);
    pos += len;
    idx[last] += len;
    for (int k = 0; k < s.nops; ++k) off[k] += len * s.stride[k][last];
    for (int d = last; d > 0 && idx[d] == s.shape[d]; --d) {
      for (int k = 0; k < s.nops; ++k) off[k] += s.stride[k][d - 1] - idx[d] * s.stride[k][d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

// Binary ops: a scalar form (the reference) and an 8-lane form with identical results.
// max/min propagate NaN as torch.maximum does; comparisons give 1.0f or 0.0f.
#if defined(__x86_64__)
#define TL_VEC_OP(body) TL_AVX2 static __m256 v(__m256 a, __m256 b) { body }
#else
#define TL_VEC_OP(body)
#endif
#define TL_CMP_OP(Name, expr, pred)                                               \
  struct Name {                                                                   \
    static float s(float a, float b) { return (expr) ? 1.f : 0.f; }               \
    TL_VEC_OP(return _mm256_and_ps(_mm256_cmp_ps(a, b, pred), _mm256_set1_ps(1.f));) \
  };
struct AddOp { static float s(float a, float b) { return a + b; } TL_VEC_OP(return _mm256_add_ps(a, b);) };
struct SubOp { static float s(float a, float b) { return a - b; } TL_VEC_OP(return _mm256_sub_ps(a, b);) };
struct MulOp { static float s(float a, float b) { return a * b; } TL_VEC_OP(return _mm256_mul_ps(a, b);) };
struct DivOp { static float s(float a, float b) { return a / b; } TL_VEC_OP(return _mm256_div_ps(a, b);) };
struct PowOp {
  static float s(float a, float b) { return std::pow(a, b); }
  TL_VEC_OP(alignas(32) float x[8]; alignas(32) float y[8];
            _mm256_store_ps(x, a); _mm256_store_ps(y, b);
            for (int k = 0; k < 8; ++k) x[k] = std::pow(x[k], y[k]);
            return _mm256_load_ps(x);)
};
struct MaxOp {
  static float s(float a, float b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
  TL_VEC_OP(return _mm256_blendv_ps(_mm256_max_ps(a, b), _mm256_add_ps(a, b),
                                    _mm256_cmp_ps(a, b, _CMP_UNORD_Q));)
};
struct MinOp {
  static float s(float a, float b) { return (a != a || b != b) ? a + b : (a < b ? a : b); }
  TL_VEC_OP(return _mm256_blendv_ps(_mm256_min_ps(a, b), _mm256_add_ps(a, b),
                                    _mm256_cmp_ps(a, b, _CMP_UNORD_Q));)
};
TL_CMP_OP(EqOp, a == b, _CMP_EQ_OQ)
TL_CMP_OP(NeOp, a != b, _CMP_NEQ_UQ)
TL_CMP_OP(LtOp, a < b, _CMP_LT_OQ)
TL_CMP_OP(LeOp, a <= b, _CMP_LE_OQ)
TL_CMP_OP(GtOp, a > b, _CMP_GT_OQ)
TL_CMP_OP(GeOp, a >= b, _CMP_GE_OQ)
#undef TL_CMP_OP
#undef TL_VEC_OP

// out (n) = a[i*sa] op b[i*sb]; strides of 1 and 0 take the tight loops.
using RunFn = void (*)(float*, const float*, int64_t, const float*, int64_t, int64_t);

template <class Op>
void run_portable(float* out, const float* a, int64_t sa, const float* b, int64_t sb,
                  int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::s(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = Op::s(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = Op::s(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::s(a[i * sa], b[i * sb]);
  }
}

#if defined(__x86_64__)
template <class Op>
TL_AVX2 void run_avx2(float* out, const float* a, int64_t sa, const float* b, int64_t sb,
                      int64_t n) {
  int64_t i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(out + i, Op::v(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  } else if (sa == 1 && sb == 0) {
    const __m256 bv = _mm256_set1_ps(*b);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, Op::v(_mm256_loadu_ps(a + i), bv));
  } else if (sa == 0 && sb == 1) {
    const __m256 av = _mm256_set1_ps(*a);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, Op::v(av, _mm256_loadu_ps(b + i)));
  }
  run_portable<Op>(out + i, a + i * sa, sa, b + i * sb, sb, n - i);
}
#endif

template <class Op>
RunFn pick(bool avx2) {
#if defined(__x86_64__)
  if (avx2) return run_avx2<Op>;
#endif
  (void)avx2;
  return run_portable<Op>;
}

RunFn binary_run(BinaryOp op) {
  const bool v = use_avx2();
  switch (op) {
    case B_ADD: return pick<AddOp>(v);
    case B_SUB: return pick<SubOp>(v);
    case B_MUL: return pick<MulOp>(v);
    case B_DIV: return pick<DivOp>(v);
    case B_POW: return pick<PowOp>(false);
    case B_MAX: return pick<MaxOp>(v);
    case B_MIN: return pick<MinOp>(v);
    case B_EQ: return pick<EqOp>(v);
    case B_NE: return pick<NeOp>(v);
    case B_LT: return pick<LtOp>(v);
    case B_LE: return pick<LeOp>(v);
    case B_GT: return pick<GtOp>(v);
    case B_GE: return pick<GeOp>(v);
  }
  return pick<AddOp>(v);
}

int64_t binary_grain(BinaryOp op) { return op == B_POW ? kSlowGrain : kGrain; }

}  // namespace

void binary_forward(BinaryOp op, float* out, const int64_t* shape, int64_t ndim,
                    const float* a, const int64_t* a_strides,
                    const float* b, const int64_t* b_strides) {
  const int64_t n = numel(shape, ndim);
  if (n == 0) return;
  const int64_t* strides[2] = {a_strides, b_strides};
  const Strided s = coalesce(shape, ndim, strides, 2);
  const RunFn run = binary_run(op);
  const int64_t sa = s.stride[0][s.ndim - 1], sb = s.stride[1][s.ndim - 1];
  parallel_for(n, binary_grain(op), [&](int, int64_t begin, int64_t end) {
    for_each_run(s, begin, end, [&](int64_t pos, const int64_t* off, int64_t len) {
      run(out + pos, a + off[0], sa, b + off[1], sb, len);
    });
  });
}

void scalar_forward(BinaryOp op, float* out, const float* x, float s, bool scalar_first,
                    int64_t n) {
  const RunFn run = binary_run(op);
  parallel_for(n, binary_grain(op), [&](int, int64_t b, int64_t e) {
    if (scalar_first) run(out + b, &s, 0, x + b, 1, e - b);
    else run(out + b, x + b, 1, &s, 0, e - b);
  });
}

void where_forward(float* out, const int64_t* shape, int64_t ndim,
                   const uint8_t* cond, const int64_t* c_strides,
                   const float* a, const int64_t* a_strides,
                   const float* b, const int64_t* b_strides) {
  const int64_t n = numel(shape, ndim);
  if (n == 0) return;
  const int64_t* strides[3] = {c_strides, a_strides, b_strides};
  const Strided s = coalesce(shape, ndim, strides, 3);
  const int last = s.ndim - 1;
  const int64_t sc = s.stride[0][last], sa = s.stride[1][last], sb = s.stride[2][last];
  parallel_for(n, kGrain, [&](int, int64_t begin, int64_t end) {
    for_each_run(s, begin, end, [&](int64_t pos, const int64_t* off, int64_t len) {
      const uint8_t* c = cond + off[0];
      const float* ap = a + off[1];
      const float* bp = b + off[2];
      float* o = out + pos;
      for (int64_t i = 0; i < len; ++i) o[i] = c[i * sc] ? ap[i * sa] : bp[i * sb];
    });
  });
}

}  // namespace tl
