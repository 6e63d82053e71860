// Tests for the element-wise, copy/cast, reduction, softmax, norm, embedding, random and
// AdamW kernels. Each kernel is checked against a plain reference loop written here (in
// double where rounding matters), under every SIMD level and with 1 and 2 threads, with
// sentinels around outputs; backward kernels are also checked against central finite
// differences of the double reference.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "check.h"
#include "kernels.h"
#include "thread_pool.h"

using namespace tl;
using check::Guarded;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int64_t kBig = 1000003;  // odd, > threads x grain, not a multiple of any width

struct Config {
  int simd, threads;
};

// Resizes the pool only when the count changes (a resize joins and respawns workers).
void use_threads(int n) {
  if (num_threads() == n) return;
  set_num_threads(n);
}

// Runs fn(config) under each SIMD level (portable, AVX2, AVX-512; levels the machine lacks
// fall back) with 1 and 2 threads, then restores automatic SIMD selection.
template <class F>
void for_each_config(F&& fn) {
  for (int threads : {1, 2})
    for (int simd : {1, 2, 3}) {
      set_simd_level(simd);
      use_threads(threads);
      fn(Config{simd, threads});
    }
  set_simd_level(0);
}

// max_i |a - ref| / max(|ref|, floor); a NaN where ref has none (or the reverse) is inf.
double err_vs(const float* a, const double* ref, int64_t n, double floor = 1.0) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(ref[i])) {
      if (std::isnan(a[i]) != std::isnan(ref[i])) return INFINITY;
      continue;
    }
    if (std::isinf(ref[i]) || std::isinf(a[i])) {
      if (double(a[i]) != ref[i]) return INFINITY;
      continue;
    }
    worst = std::max(worst, std::fabs(a[i] - ref[i]) / std::max(std::fabs(ref[i]), floor));
  }
  return worst;
}
double err_vs(const float* a, const std::vector<double>& ref, double floor = 1.0) {
  return err_vs(a, ref.data(), int64_t(ref.size()), floor);
}

bool same_bits(const void* a, const void* b, int64_t bytes) {
  return bytes == 0 || std::memcmp(a, b, bytes) == 0;
}
// Equal as floats, with NaN equal to NaN.
bool same_values(const float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

std::vector<float> uniform(int64_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

// ---------------------------------------------------------------------------------------
// Unary ops: double references and input domains.

const UnaryOp kUnaryOps[] = {U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_TANH, U_SIGMOID, U_RELU,
                             U_GELU_ERF, U_GELU_TANH, U_SILU, U_ABS, U_SQUARE, U_RECIPROCAL,
                             U_SIN, U_COS};

double unary_ref(UnaryOp op, double x) {
  const double k = std::sqrt(2.0 / M_PI);
  switch (op) {
    case U_NEG: return -x;
    case U_EXP: return std::exp(x);
    case U_LOG: return std::log(x);
    case U_SQRT: return std::sqrt(x);
    case U_RSQRT: return 1.0 / std::sqrt(x);
    case U_TANH: return std::tanh(x);
    case U_SIGMOID: return 1.0 / (1.0 + std::exp(-x));
    case U_RELU: return x < 0 ? 0.0 : x;  // NaN stays NaN
    case U_GELU_ERF: return x * 0.5 * std::erfc(-x / std::sqrt(2.0));
    case U_GELU_TANH:  // 0.5 x (1 + tanh(u)) written as x sigmoid(2u): no cancellation
      return x / (1.0 + std::exp(-2.0 * k * (x + 0.044715 * x * x * x)));
    case U_SILU: return x / (1.0 + std::exp(-x));
    case U_ABS: return std::fabs(x);
    case U_SQUARE: return x * x;
    case U_RECIPROCAL: return 1.0 / x;
    case U_SIN: return std::sin(x);
    case U_COS: return std::cos(x);
  }
  return 0;
}

bool reads_y(UnaryOp op) {
  return op == U_EXP || op == U_SQRT || op == U_RSQRT || op == U_TANH || op == U_SIGMOID ||
         op == U_RECIPROCAL;
}

// Inputs inside each op's domain, away from the kinks of relu and abs (for differences).
std::vector<float> unary_inputs(UnaryOp op, int64_t n, uint32_t seed) {
  std::vector<float> x = (op == U_LOG || op == U_SQRT || op == U_RSQRT)
                             ? uniform(n, seed, 0.05f, 20.f)
                             : check::randn(n, seed, 3.f);
  for (auto& v : x) {
    if (op == U_RECIPROCAL && std::fabs(v) < 0.1f) v = v < 0 ? v - 0.1f : v + 0.1f;
    if ((op == U_RELU || op == U_ABS) && std::fabs(v) < 1e-2f) v += 0.05f;
  }
  return x;
}

TEST(unary_forward_matches_reference) {
  for (UnaryOp op : kUnaryOps) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(1000), kBig}) {
      const std::vector<float> x = unary_inputs(op, n, 11 + op);
      std::vector<double> ref(n);
      for (int64_t i = 0; i < n; ++i) ref[i] = unary_ref(op, x[i]);
      std::vector<float> first;
      for_each_config([&](Config c) {
        Guarded out(n);
        unary_forward(op, out.data(), x.data(), n);
        CHECK(out.intact());
        const double e = err_vs(out.data(), ref, 1e-3);
        if (!(e <= 2e-6)) std::printf("  op %d n %lld simd %d: err %g\n", op, (long long)n, c.simd, e);
        CHECK(e <= 2e-6);
        if (c.threads == 1 && c.simd == 1) first.assign(out.data(), out.data() + n);
        if (c.simd == 1) CHECK(same_bits(out.data(), first.data(), n * 4));  // portable: exact
        std::vector<float> again(n);
        unary_forward(op, again.data(), x.data(), n);
        CHECK(same_bits(out.data(), again.data(), n * 4));
      });
    }
  }
}

// Relative accuracy of the vector approximations over their useful range (results above
// FLT_MIN), against double-precision functions; exp also down through the subnormals.
struct Sweep {
  UnaryOp op;
  float lo, hi, tol;
};

TEST(unary_vector_math_accuracy) {
  const Sweep sweeps[] = {
      {U_EXP, -104.f, 89.f, 2.5e-7f},    {U_TANH, -20.f, 20.f, 4e-7f},
      {U_SIGMOID, -87.f, 40.f, 5e-7f},   {U_SILU, -80.f, 100.f, 5e-7f},
      {U_GELU_ERF, -12.5f, 14.f, 5e-7f}, {U_GELU_TANH, -4.f, 10.f, 1.5e-6f},
  };
  for (int simd : {1, 2, 3}) {
    set_simd_level(simd);
    for (const Sweep& s : sweeps) {
      const int64_t n = 400001;
      std::vector<float> x(n), y(n);
      for (int64_t i = 0; i < n; ++i) x[i] = s.lo + (s.hi - s.lo) * float(i) / float(n - 1);
      unary_forward(s.op, y.data(), x.data(), n);
      double worst = 0, worst_x = 0;
      int64_t bad = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double r = unary_ref(s.op, x[i]);
        if (std::isinf(float(r))) {  // overflows float
          bad += double(y[i]) != double(float(r));
        } else if (std::fabs(r) < FLT_MIN) {  // subnormal: within one subnormal step
          bad += !(std::fabs(y[i] - r) <= 1.5 * std::ldexp(1.0, -149));
        } else {
          const double e = std::fabs(y[i] - r) / std::fabs(r);
          if (e > worst) worst = e, worst_x = x[i];
        }
      }
      std::printf("  info simd %d op %d: max rel err %.3g at x=%g\n", simd, s.op, worst, worst_x);
      CHECK(bad == 0);
      CHECK(worst <= s.tol);
    }
    // GELU (tanh form) further into the left tail: the sigmoid's argument v ~ x^3 is rounded,
    // and the value's relative error grows like |v| ulp; still far below PyTorch's own
    // 0.5x(1 + tanh) form, whose 1 + tanh cancels there.
    {
      const std::vector<float> x = uniform(10000, 5, -9.f, -4.f);
      std::vector<float> y(10000);
      unary_forward(U_GELU_TANH, y.data(), x.data(), 10000);
      double worst = 0;
      for (int i = 0; i < 10000; ++i) {
        const double r = unary_ref(U_GELU_TANH, x[i]);
        const double v = std::fabs(2 * std::sqrt(2 / M_PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i]));
        worst = std::max(worst, std::fabs(y[i] - r) / (std::fabs(r) * v));
      }
      std::printf("  info simd %d gelu_tanh tail: max rel err / |v| %.3g\n", simd, worst);
      CHECK(worst <= 3e-7);
    }
    const float specials[] = {kInf, -kInf, kNaN, 0.f, -0.f, 88.72f, -87.33f, 1e-30f, -1e-30f};
    for (UnaryOp op : {U_EXP, U_TANH, U_SIGMOID, U_SILU, U_GELU_ERF, U_GELU_TANH, U_RELU}) {
      float y[9];
      unary_forward(op, y, specials, 9);
      for (int i = 0; i < 9; ++i) {
        double r = unary_ref(op, specials[i]);
        if (std::isinf(specials[i]) && (op == U_SILU || op == U_GELU_ERF || op == U_GELU_TANH))
          r = specials[i] > 0 ? INFINITY : NAN;  // x * (1 or 0): the double formula gives NaN
        const bool ok = std::isnan(r) ? std::isnan(y[i])
                        : std::isinf(r) ? double(y[i]) == r
                                        : std::fabs(y[i] - r) <= 1e-6 * std::fabs(r) + 1e-44;
        if (!ok) std::printf("  op %d x=%g: got %g want %g\n", op, specials[i], y[i], r);
        CHECK(ok);
      }
    }
  }
  set_simd_level(0);
}

// Central differences of the double reference, scaled by dy.
std::vector<double> unary_fd(UnaryOp op, const std::vector<float>& x, const std::vector<float>& dy) {
  std::vector<double> g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double h = 1e-4 * std::max(1.0, std::fabs(double(x[i])));
    g[i] = dy[i] * (unary_ref(op, x[i] + h) - unary_ref(op, x[i] - h)) / (2 * h);
  }
  return g;
}

TEST(unary_backward_finite_differences) {
  for (UnaryOp op : kUnaryOps) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(333), kBig}) {
      std::vector<float> x = unary_inputs(op, n, 21 + op);
      if (op == U_EXP) for (auto& v : x) v = std::min(v, 60.f);
      const std::vector<float> dy = check::randn(n, 99);
      std::vector<float> y(n);
      unary_forward(op, y.data(), x.data(), n);
      const std::vector<double> fd = unary_fd(op, x, dy);
      for_each_config([&](Config) {
        Guarded dx(n);
        // The contract: ops whose derivative reads y get y (x may be null), others get x.
        if (reads_y(op)) unary_backward(op, dx.data(), dy.data(), nullptr, y.data(), n);
        else unary_backward(op, dx.data(), dy.data(), x.data(), nullptr, n);
        CHECK(dx.intact());
        const double e = err_vs(dx.data(), fd);
        if (!(e <= 2e-5)) std::printf("  op %d n %lld: fd err %g\n", op, (long long)n, e);
        CHECK(e <= 2e-5);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Binary, scalar and where: float results must equal a plain float loop bit for bit.

const BinaryOp kBinaryOps[] = {B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN,
                               B_EQ,  B_NE,  B_LT,  B_LE,  B_GT,  B_GE};

float binary_ref(BinaryOp op, float a, float b) {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return std::pow(a, b);
    case B_MAX: return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
    case B_MIN: return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
  }
  return 0;
}

// Element offset of flat output index i under strides.
int64_t strided_offset(int64_t i, const std::vector<int64_t>& shape,
                       const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    off += (i % shape[d]) * strides[d];
    i /= shape[d];
  }
  return off;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

// Smallest buffer length that covers every offset the strides reach.
int64_t span(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t m = 0;
  for (size_t d = 0; d < shape.size(); ++d) m += (shape[d] - 1) * strides[d];
  return numel(shape) == 0 ? 0 : m + 1;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> st(shape.size());
  int64_t s = 1;
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) st[d] = s, s *= shape[d];
  return st;
}

struct BroadcastCase {
  const char* name;
  std::vector<int64_t> shape, a_strides, b_strides;
};

std::vector<BroadcastCase> broadcast_cases() {
  std::vector<BroadcastCase> cases = {
      {"same shape", {kBig}, {1}, {1}},
      {"bias row", {513, 77}, {77, 1}, {0, 1}},
      {"per-row scalar", {513, 77}, {77, 1}, {1, 0}},
      {"scalar b", {3, 5, 700}, {3500, 700, 1}, {0, 0, 0}},
      {"broadcast a", {300, 129}, {0, 1}, {129, 1}},
      {"transposed a", {67, 45}, {1, 67}, {45, 1}},
      {"empty", {4, 0, 3}, {0, 3, 1}, {0, 3, 1}},
      {"0-dim", {}, {}, {}},
      {"one", {1}, {1}, {0}},
      {"seven", {7}, {1}, {1}},
  };
  // 8 dims with random sizes, random broadcast and one reversed-order operand.
  std::mt19937 gen(3);
  BroadcastCase c{"8-dim", {}, {}, {}};
  for (int d = 0; d < 8; ++d) c.shape.push_back(1 + gen() % 4);
  c.a_strides = contiguous_strides(c.shape);
  c.b_strides = contiguous_strides(c.shape);
  std::reverse(c.b_strides.begin(), c.b_strides.end());  // a permuted, non-contiguous view
  for (int d = 0; d < 8; ++d) {
    if (gen() % 3 == 0) c.a_strides[d] = 0;
    if (gen() % 3 == 0) c.b_strides[d] = 0;
  }
  cases.push_back(c);
  return cases;
}

TEST(binary_forward_broadcasts) {
  for (const BroadcastCase& c : broadcast_cases()) {
    const int64_t n = numel(c.shape);
    std::vector<float> a = check::randn(span(c.shape, c.a_strides), 1);
    std::vector<float> b = check::randn(span(c.shape, c.b_strides), 2);
    if (a.size() > 3) a[3] = kNaN;
    if (b.size() > 5) b[5] = kNaN, b[4] = a.size() > 4 ? a[4] : 0.f;  // NaN and a tie
    for (BinaryOp op : kBinaryOps) {
      std::vector<float> aa = a;
      if (op == B_POW) for (auto& v : aa) v = std::fabs(v) + 0.5f;
      std::vector<float> ref(n);
      for (int64_t i = 0; i < n; ++i)
        ref[i] = binary_ref(op, aa[strided_offset(i, c.shape, c.a_strides)],
                            b[strided_offset(i, c.shape, c.b_strides)]);
      for_each_config([&](Config) {
        Guarded out(n);
        binary_forward(op, out.data(), c.shape.data(), int64_t(c.shape.size()), aa.data(),
                       c.a_strides.data(), b.data(), c.b_strides.data());
        CHECK(out.intact());
        const bool ok = same_values(out.data(), ref.data(), n);
        if (!ok) std::printf("  case %s op %d differs\n", c.name, op);
        CHECK(ok);
      });
    }
  }
}

TEST(scalar_forward_both_orders) {
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), kBig}) {
    std::vector<float> x = check::randn(n, 4);
    if (n > 2) x[2] = kNaN;
    for (BinaryOp op : kBinaryOps) {
      for (bool first : {false, true}) {
        std::vector<float> xx = x;
        if (op == B_POW) for (auto& v : xx) v = std::fabs(v) + 0.5f;
        const float s = op == B_POW ? 1.7f : -0.75f;
        std::vector<float> ref(n);
        for (int64_t i = 0; i < n; ++i)
          ref[i] = first ? binary_ref(op, s, xx[i]) : binary_ref(op, xx[i], s);
        for_each_config([&](Config) {
          Guarded out(n);
          scalar_forward(op, out.data(), xx.data(), s, first, n);
          CHECK(out.intact());
          CHECK(same_values(out.data(), ref.data(), n));
        });
      }
    }
  }
}

TEST(where_forward_broadcasts) {
  const std::vector<int64_t> shape = {37, 1001};
  const std::vector<int64_t> cs = {1, 0}, as = {1001, 1}, bs = {0, 0};  // per-row cond, scalar b
  std::vector<uint8_t> cond(37);
  for (int i = 0; i < 37; ++i) cond[i] = uint8_t(i % 3 == 0 ? 0 : i);  // any nonzero is true
  const std::vector<float> a = check::randn(37 * 1001, 5);
  const float b = 2.5f;
  for_each_config([&](Config) {
    Guarded out(37 * 1001);
    where_forward(out.data(), shape.data(), 2, cond.data(), cs.data(), a.data(), as.data(), &b,
                  bs.data());
    CHECK(out.intact());
    bool ok = true;
    for (int64_t i = 0; i < 37 * 1001; ++i)
      ok &= out[i] == (cond[i / 1001] ? a[i] : b);
    CHECK(ok);
  });
  float one = 0;
  const uint8_t t = 1;
  where_forward(&one, nullptr, 0, &t, nullptr, &b, nullptr, a.data(), nullptr);  // 0-dim
  CHECK(one == b);
}

// ---------------------------------------------------------------------------------------
// Copies, casts, fill.

template <class T>
void check_copy(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  const int64_t n = numel(shape), m = std::max<int64_t>(span(shape, strides), 1);
  std::vector<T> x(m);
  for (int64_t i = 0; i < m; ++i) x[i] = T(i * 2654435761u);
  std::vector<T> ref(n);
  for (int64_t i = 0; i < n; ++i) ref[i] = x[strided_offset(i, shape, strides)];
  for_each_config([&](Config) {
    std::vector<T> out(n + 16, T(0x5a));
    copy_strided(out.data(), x.data(), shape.data(), strides.data(), int64_t(shape.size()),
                 sizeof(T));
    CHECK(same_bits(out.data(), ref.data(), n * int64_t(sizeof(T))));
    bool tail = true;
    for (int k = 0; k < 16; ++k) tail &= out[n + k] == T(0x5a);
    CHECK(tail);
  });
}

TEST(copy_strided_all_elem_sizes) {
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cases = {
      {{kBig}, {1}},                         // contiguous
      {{64, 33, 40}, {1, 64 * 40, 64}},      // permuted (transpose-like)
      // Tiled transposes: partial 8 x 8 blocks and 64 x 64 tiles, batch dims on either side
      // of the unit-stride dim, enough tiles for both threads.
      {{70, 45}, {1, 70}},                   // 2-D: (45, 70) -> (70, 45)
      {{300, 203}, {1, 300}},
      {{3, 130, 37}, {37 * 130, 1, 130}},    // batched: (3, 37, 130) -> (3, 130, 37)
      {{2, 66, 5, 9}, {2970, 1, 66, 330}},   // (2, 9, 5, 66) permuted (0, 3, 2, 1)
      {{5, 4}, {1, 5}},                      // smallest tiled case
      {{3, 40}, {1, 3}},                     // 3 rows: the row-run path
      {{4, 6, 32, 8}, {6 * 32 * 8, 8, 6 * 8, 1}},  // (B, T, H, D) -> (B, H, T, D)
      {{100, 70}, {200, 1}},                 // slice of rows: contiguous inner
      {{50, 3, 80}, {80, 0, 1}},             // broadcast (expand)
      {{7}, {3}},                            // strided 1-d
      {{1}, {1}},
      {{3, 0}, {1, 1}},                      // empty
      {{}, {}},                              // 0-dim
  };
  for (const auto& [shape, strides] : cases) {
    check_copy<uint8_t>(shape, strides);
    check_copy<uint16_t>(shape, strides);
    check_copy<uint32_t>(shape, strides);
  }
}

float f32_of(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

// f16 -> f32 written from the format's definition.
double f16_value(uint16_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  const double sign = (h & 0x8000) ? -1 : 1;
  if (e == 31) return m ? NAN : sign * INFINITY;
  if (e == 0) return sign * std::ldexp(m, -24);
  return sign * std::ldexp(1024 + m, e - 25);
}

// Nearest f16 to a float, ties to even, by search over all finite f16 values.
uint16_t f16_nearest(float f) {
  if (std::isnan(f)) return 0x7e00;
  const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  const double a = std::fabs(double(f));
  if (a >= 65520.0) return sign | 0x7c00;
  uint16_t lo = 0, hi = 0x7bff;  // largest finite
  while (lo < hi) {              // first code with value >= a
    uint16_t mid = uint16_t((lo + hi) / 2);
    if (f16_value(mid) >= a) hi = mid; else lo = uint16_t(mid + 1);
  }
  uint16_t best = lo;
  if (lo > 0) {
    const double up = f16_value(lo) - a, down = a - f16_value(uint16_t(lo - 1));
    if (down < up || (down == up && ((lo - 1) & 1) == 0)) best = uint16_t(lo - 1);
  }
  return sign | best;
}

// Nearest bf16, ties to even, from the two candidates around f.
uint16_t bf16_nearest(float f) {
  if (std::isnan(f)) return 0x7fc0;
  const uint32_t u = bits(f);
  if (std::isinf(f)) return uint16_t(u >> 16);
  const uint16_t down = uint16_t(u >> 16), up = uint16_t(down + 1);
  // Past the largest finite bf16, "up" stands for 2^128 (which rounds to inf).
  auto value = [](uint16_t h) {
    return (h & 0x7fff) == 0x7f80 ? std::copysign(std::ldexp(1.0, 128), (h & 0x8000) ? -1.0 : 1.0)
                                  : double(f32_of(uint32_t(h) << 16));
  };
  const double d_down = std::fabs(double(f) - value(down));
  const double d_up = std::fabs(double(f) - value(up));
  if (d_down < d_up || (d_down == d_up && (down & 1) == 0)) return down;
  return up;
}

TEST(cast_half_formats_round_to_nearest_even) {
  // Floats from every exponent, plus ties, subnormal edges, overflow edges and specials.
  std::vector<float> x;
  std::mt19937 gen(6);
  for (int i = 0; i < 200000; ++i) {
    float f = f32_of(gen());
    if (!std::isnan(f)) x.push_back(f);
  }
  for (int i = 0; i < 100000; ++i) x.push_back(std::ldexp(float(int(gen() % 200001) - 100000), -int(gen() % 40)));
  for (float f : {0.f, -0.f, kInf, -kInf, 65504.f, 65519.99f, 65520.f, 70000.f, 1e-8f, 2.98e-8f,
                  2.9802322e-8f, 5.96e-8f, 6.1035156e-5f, 6.09e-5f, 1.f + 1.f / 2048,
                  1.f + 3.f / 2048, f32_of(0x3f808000), f32_of(0x3f818000), 3.4e38f})
    x.push_back(f);
  const int64_t n = int64_t(x.size());
  std::vector<uint16_t> want16(n), wantb(n);
  for (int64_t i = 0; i < n; ++i) want16[i] = f16_nearest(x[i]), wantb[i] = bf16_nearest(x[i]);
  for_each_config([&](Config) {
    std::vector<uint16_t> h(n), b(n);
    cast(h.data(), F16, x.data(), F32, n);
    cast(b.data(), BF16, x.data(), F32, n);
    CHECK(same_bits(h.data(), want16.data(), n * 2));
    CHECK(same_bits(b.data(), wantb.data(), n * 2));
  });
  // NaN stays NaN (quiet), with its sign.
  const float nans[3] = {kNaN, -kNaN, f32_of(0x7f800001)};  // the last is signalling
  for_each_config([&](Config) {
    uint16_t h[3], b[3];
    cast(h, F16, nans, F32, 3);
    cast(b, BF16, nans, F32, 3);
    for (int i = 0; i < 3; ++i) {
      CHECK((h[i] & 0x7c00) == 0x7c00 && (h[i] & 0x3ff) != 0 && (h[i] & 0x200));
      CHECK((b[i] & 0x7f80) == 0x7f80 && (b[i] & 0x7f) != 0 && (b[i] & 0x40));
      CHECK(bool(h[i] & 0x8000) == std::signbit(nans[i]));
    }
  });
}

TEST(cast_half_formats_exhaustive_round_trip) {
  std::vector<uint16_t> all(65536);
  for (int i = 0; i < 65536; ++i) all[i] = uint16_t(i);
  for_each_config([&](Config) {
    std::vector<float> f(65536), fb(65536);
    std::vector<uint16_t> back(65536), backb(65536);
    cast(f.data(), F32, all.data(), F16, 65536);
    cast(fb.data(), F32, all.data(), BF16, 65536);
    cast(back.data(), F16, f.data(), F32, 65536);
    cast(backb.data(), BF16, fb.data(), F32, 65536);
    int64_t bad = 0;
    for (int i = 0; i < 65536; ++i) {
      const double v = f16_value(uint16_t(i));
      bad += std::isnan(v) ? !std::isnan(f[i]) : double(f[i]) != v;
      bad += std::isnan(v) ? (back[i] & 0x7fff) <= 0x7c00 : back[i] != i;
      const float vb = f32_of(uint32_t(i) << 16);
      bad += std::isnan(vb) ? !std::isnan(fb[i]) : bits(fb[i]) != bits(vb);
      bad += std::isnan(vb) ? (backb[i] & 0x7fff) <= 0x7f80 : backb[i] != i;
    }
    CHECK(bad == 0);
  });
}

TEST(cast_integer_pairs) {
  const float xf[] = {-2.7f, 2.7f, -0.5f, 255.9f, 300.5f, -1.f, kNaN, 3e9f, -3e9f, 0.f};
  const int32_t want_i32[] = {-2, 2, 0, 255, 300, -1, 0, INT32_MAX, INT32_MIN, 0};
  const uint8_t want_u8[] = {254, 2, 0, 255, 44, 255, 0, 255, 0, 0};
  for_each_config([&](Config) {
    int32_t i32[10];
    uint8_t u8[10];
    cast(i32, I32, xf, F32, 10);
    cast(u8, U8, xf, F32, 10);
    CHECK(same_bits(i32, want_i32, sizeof(i32)));
    CHECK(same_bits(u8, want_u8, 8));  // the saturated i32 wraps to whatever: not pinned
    const int32_t xi[] = {257, -1, 16777217, 3};
    uint8_t u[4];
    float f[4];
    uint16_t h[4], b[4];
    cast(u, U8, xi, I32, 4);
    cast(f, F32, xi, I32, 4);
    cast(h, F16, xi, I32, 4);
    cast(b, BF16, xi, I32, 4);
    CHECK(u[0] == 1 && u[1] == 255 && u[3] == 3);
    CHECK(f[0] == 257.f && f[1] == -1.f && f[2] == 16777216.f && f[3] == 3.f);
    CHECK(h[3] == 0x4200 && b[3] == 0x4040 && h[1] == 0xbc00);
    const uint8_t xu[] = {0, 7, 255};
    int32_t ii[3];
    float ff[3];
    uint16_t hb[3];
    cast(ii, I32, xu, U8, 3);
    cast(ff, F32, xu, U8, 3);
    cast(hb, BF16, xu, U8, 3);
    CHECK(ii[2] == 255 && ff[1] == 7.f && hb[2] == 0x437f);
    // f16 <-> bf16 go through f32: 1 + 2^-10 (f16) rounds to 1 in bf16, ties to even.
    const uint16_t one_plus = 0x3c01, bf_third = 0x3eab;
    uint16_t to_b, to_h;
    cast(&to_b, BF16, &one_plus, F16, 1);
    cast(&to_h, F16, &bf_third, BF16, 1);
    CHECK(to_b == 0x3f80);
    CHECK(to_h == f16_nearest(f32_of(uint32_t(bf_third) << 16)));
    int32_t same[3] = {1, -2, 3}, copy[3];
    cast(copy, I32, same, I32, 3);
    CHECK(same_bits(copy, same, 12));
  });
}

TEST(cast_vector_paths_agree_at_every_length) {
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(17), kBig}) {
    const std::vector<float> x = check::randn(n, 8, 100.f);
    std::vector<uint16_t> h1(n), b1(n);
    std::vector<float> fh1(n), fb1(n);
    set_simd_level(1);
    cast(h1.data(), F16, x.data(), F32, n);
    cast(b1.data(), BF16, x.data(), F32, n);
    cast(fh1.data(), F32, h1.data(), F16, n);
    cast(fb1.data(), F32, b1.data(), BF16, n);
    for_each_config([&](Config) {
      std::vector<uint16_t> h(n + 8, 0xdead), b(n + 8, 0xdead);
      Guarded fh(n), fb(n);
      cast(h.data(), F16, x.data(), F32, n);
      cast(b.data(), BF16, x.data(), F32, n);
      cast(fh.data(), F32, h.data(), F16, n);
      cast(fb.data(), F32, b.data(), BF16, n);
      CHECK(same_bits(h.data(), h1.data(), n * 2) && h[n] == 0xdead);
      CHECK(same_bits(b.data(), b1.data(), n * 2) && b[n] == 0xdead);
      CHECK(same_bits(fh.data(), fh1.data(), n * 4) && fh.intact());
      CHECK(same_bits(fb.data(), fb1.data(), n * 4) && fb.intact());
    });
  }
}

TEST(fill_writes_exactly_n) {
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), kBig}) {
    for_each_config([&](Config) {
      Guarded out(n);
      fill(out.data(), -3.25f, n);
      CHECK(out.intact());
      bool ok = true;
      for (int64_t i = 0; i < n; ++i) ok &= out[i] == -3.25f;
      CHECK(ok);
    });
  }
}

// ---------------------------------------------------------------------------------------
// Reductions.

double reduce_ref(ReduceOp op, const std::vector<float>& x, int64_t o, int64_t R, int64_t inner,
                  int64_t c) {
  double acc = op == R_MAX ? -INFINITY : (op == R_MIN ? INFINITY : 0.0);
  for (int64_t r = 0; r < R; ++r) {
    const double v = x[(o * R + r) * inner + c];
    if (std::isnan(v)) return NAN;
    acc = op == R_MAX ? std::max(acc, v) : op == R_MIN ? std::min(acc, v) : acc + v;
  }
  return op == R_MEAN ? acc / double(R) : acc;
}

struct ReduceShape {
  int64_t outer, R, inner;
};
const ReduceShape kReduceShapes[] = {
    {1, kBig, 1},     // one long row: split across threads
    {3, 100003, 1},   // a few long rows
    {1000, 77, 1},    // many short rows
    {4, 513, 33},     // across rows, partial column tile
    {2, 300, 64},     // across rows, whole tiles
    {1, 1000, 300},   // across rows of one slab, split across threads: 128- and 16-column
                      // chunks and a tail, strips of rows and a partial last strip
    {3, 130, 200},    // across rows, a slab per task
    {1, 8, 20000},    // few rows, many columns: column ranges split across threads
    {1, 7, 1},     {5, 1, 1}, {1, 1, 1}, {2, 0, 3},
};

TEST(reduce_all_ops_and_layouts) {
  for (const ReduceShape& sh : kReduceShapes) {
    const int64_t n = sh.outer * sh.R * sh.inner, m = sh.outer * sh.inner;
    std::vector<float> x = check::randn(n, 9);
    for (auto& v : x) v += 0.5f;  // a nonzero mean, so sums are not all cancellation
    for (ReduceOp op : {R_SUM, R_MEAN, R_MAX, R_MIN}) {
      std::vector<double> ref(m);
      double scale = 1;  // sums are compared relative to sum |x| over the row
      for (int64_t o = 0; o < sh.outer; ++o)
        for (int64_t c = 0; c < sh.inner; ++c) ref[o * sh.inner + c] = reduce_ref(op, x, o, sh.R, sh.inner, c);
      if (op == R_SUM) scale = std::max<double>(1, sh.R);
      std::vector<float> first;
      for_each_config([&](Config c) {
        Guarded out(m);
        reduce(op, out.data(), x.data(), sh.outer, sh.R, sh.inner);
        CHECK(out.intact());
        CHECK(err_vs(out.data(), ref, scale) <= 1e-6);
        std::vector<float> again(m);
        reduce(op, again.data(), x.data(), sh.outer, sh.R, sh.inner);
        CHECK(same_bits(out.data(), again.data(), m * 4));
        if (c.simd == 1 && c.threads == 1) first.assign(out.data(), out.data() + m);
        if (op == R_MAX || op == R_MIN) CHECK(same_bits(out.data(), first.data(), m * 4));
      });
    }
  }
}

TEST(reduce_propagates_nan) {
  for (const ReduceShape& sh : {ReduceShape{1, kBig, 1}, ReduceShape{2, 50, 1}, ReduceShape{2, 50, 40},
                                ReduceShape{1, 300, 300}, ReduceShape{3, 70, 150}}) {
    std::vector<float> x = check::randn(sh.outer * sh.R * sh.inner, 10);
    // NaNs in slab 0 only: row 17 (column 0), and across rows in a 128-column chunk, a
    // 16-column chunk and the tail columns (at different rows and strips).
    const std::vector<int64_t> cols = sh.inner > 1 ? std::vector<int64_t>{0, sh.inner / 2, sh.inner - 1}
                                                   : std::vector<int64_t>{0};
    for (size_t k = 0; k < cols.size(); ++k) x[(17 + 61 * int64_t(k)) % sh.R * sh.inner + cols[k]] = kNaN;
    for (ReduceOp op : {R_SUM, R_MEAN, R_MAX, R_MIN}) {
      for_each_config([&](Config) {
        std::vector<float> out(sh.outer * sh.inner);
        reduce(op, out.data(), x.data(), sh.outer, sh.R, sh.inner);
        for (int64_t c : cols) CHECK(std::isnan(out[c]));
        if (sh.inner > 1) CHECK(!std::isnan(out[1]));
        if (sh.outer > 1) CHECK(!std::isnan(out[sh.inner]));
      });
    }
  }
}

// Column sums add each element into double in row order on every SIMD path and thread
// count: exactly the rounded row-order double sum.
TEST(column_sums_exact_in_row_order) {
  for (const ReduceShape& sh : {ReduceShape{1, 1000, 300}, ReduceShape{1, 64, 1030}, ReduceShape{3, 130, 200},
                                ReduceShape{1, 8, 20000}}) {
    std::vector<float> x = check::randn(sh.outer * sh.R * sh.inner, 23);
    for (int64_t i = 0; i < int64_t(x.size()); i += 7) x[i] *= 1e6f;  // cancellation in float
    std::vector<float> ref(sh.outer * sh.inner);
    for (int64_t o = 0; o < sh.outer; ++o)
      for (int64_t c = 0; c < sh.inner; ++c) {
        double s = 0;
        for (int64_t r = 0; r < sh.R; ++r) s += x[(o * sh.R + r) * sh.inner + c];
        ref[o * sh.inner + c] = float(s);
      }
    for_each_config([&](Config) {
      std::vector<float> out(ref.size());
      reduce(R_SUM, out.data(), x.data(), sh.outer, sh.R, sh.inner);
      CHECK(same_bits(out.data(), ref.data(), ref.size() * 4));
    });
  }
}

TEST(argmax_first_maximum) {
  for (const ReduceShape& sh : kReduceShapes) {
    if (sh.R == 0) continue;
    const int64_t n = sh.outer * sh.R * sh.inner, m = sh.outer * sh.inner;
    std::vector<float> x(n);
    std::mt19937 gen(12);
    for (auto& v : x) v = float(gen() % 50);  // many ties
    std::vector<int32_t> ref(m);
    for (int64_t o = 0; o < sh.outer; ++o)
      for (int64_t c = 0; c < sh.inner; ++c) {
        int64_t best = 0;
        for (int64_t r = 1; r < sh.R; ++r)
          if (x[(o * sh.R + r) * sh.inner + c] > x[(o * sh.R + best) * sh.inner + c]) best = r;
        ref[o * sh.inner + c] = int32_t(best);
      }
    for_each_config([&](Config) {
      std::vector<int32_t> out(m + 1, -7);
      argmax(out.data(), x.data(), sh.outer, sh.R, sh.inner);
      CHECK(same_bits(out.data(), ref.data(), m * 4) && out[m] == -7);
    });
  }
  const float with_nan[] = {1.f, 5.f, kNaN, 9.f, kNaN};
  for_each_config([&](Config) {
    int32_t i = -1;
    argmax(&i, with_nan, 1, 5, 1);
    CHECK(i == 2);  // NaN counts as the maximum, as in torch.argmax
  });
}

// The vector paths (two passes over a row; 8 columns at a time across rows) against the
// scalar rule, with NaNs, infinities and signed zeros placed in vector bodies and tails.
TEST(argmax_special_values) {
  auto ref_first_max = [](const std::vector<float>& x, int64_t R, int64_t inner, int64_t o,
                          int64_t c) {
    int64_t best = 0;
    float bv = x[(o * R) * inner + c];
    for (int64_t r = 1; r < R; ++r) {
      const float v = x[(o * R + r) * inner + c];
      if (v > bv || (std::isnan(v) && !std::isnan(bv))) best = r, bv = v;
    }
    return int32_t(best);
  };
  const struct { int64_t outer, R, inner; } shapes[] = {
      {9, 1000, 1}, {9, 37, 1}, {2, 300, 45}, {1, 70000, 1}, {3, 16, 8}};
  std::mt19937 gen(5);
  for (const auto& sh : shapes) {
    const int64_t n = sh.outer * sh.R * sh.inner, m = sh.outer * sh.inner;
    for (int pattern = 0; pattern < 5; ++pattern) {
      std::vector<float> x(n);
      for (auto& v : x) v = -float(gen() % 1000);  // <= 0: zeros of both signs tie for max
      for (int64_t i = 0; i < n; ++i) {
        if (pattern == 0 && x[i] == 0.f && (gen() & 1)) x[i] = -0.f;
        if (pattern == 1 && gen() % 97 == 0) x[i] = kNaN;     // NaN wins, first one
        if (pattern == 2) x[i] = -kInf;                        // all -inf: index 0
        if (pattern == 3 && i == n - 1) x[i] = kNaN;           // NaN in the tail only
        if (pattern == 4 && i % sh.R == sh.R - 1) x[i] = kInf;  // max at the row's end
      }
      std::vector<int32_t> ref(m);
      for (int64_t o = 0; o < sh.outer; ++o)
        for (int64_t c = 0; c < sh.inner; ++c)
          ref[o * sh.inner + c] = ref_first_max(x, sh.R, sh.inner, o, c);
      for_each_config([&](Config) {
        std::vector<int32_t> out(m + 1, -7);
        argmax(out.data(), x.data(), sh.outer, sh.R, sh.inner);
        CHECK(same_bits(out.data(), ref.data(), m * 4) && out[m] == -7);
      });
    }
  }
}

TEST(sum_squares_in_double) {
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), kBig}) {
    const std::vector<float> x = check::randn(n, 13);
    double ref = 0;
    for (float v : x) ref += double(v) * v;
    for_each_config([&](Config) {
      const double s = sum_squares(x.data(), n);
      CHECK(std::fabs(s - ref) <= 1e-12 * std::max(1.0, ref));
      CHECK(sum_squares(x.data(), n) == s);
    });
  }
}

// ---------------------------------------------------------------------------------------
// Softmax.

void softmax_ref(std::vector<double>& y, const std::vector<double>& x, int64_t N, int64_t C,
                 bool log) {
  y.assign(N * C, 0);
  for (int64_t r = 0; r < N; ++r) {
    double m = -INFINITY, s = 0;
    for (int64_t c = 0; c < C; ++c) m = std::max(m, x[r * C + c]);
    if (m == -INFINITY) {
      for (int64_t c = 0; c < C; ++c) y[r * C + c] = log ? -INFINITY : 0;
      continue;
    }
    for (int64_t c = 0; c < C; ++c) s += std::exp(x[r * C + c] - m);
    for (int64_t c = 0; c < C; ++c)
      y[r * C + c] = log ? x[r * C + c] - m - std::log(s) : std::exp(x[r * C + c] - m) / s;
  }
}

std::vector<double> to_double(const float* x, int64_t n) { return std::vector<double>(x, x + n); }

TEST(softmax_forward_matches_reference) {
  struct Case { int64_t N, C; float scale; };
  for (Case k : {Case{64, 1000, 3.f}, Case{3, 7, 1.f}, Case{5, 1, 1.f}, Case{2, 50257, 10.f},
                 Case{17, 33, 100.f}, Case{0, 5, 1.f}}) {
    std::vector<float> x = check::randn(k.N * k.C, 14, k.scale);
    if (k.N > 2 && k.C > 3) {
      for (int64_t c = 0; c < k.C; ++c) x[1 * k.C + c] = -kInf;  // fully masked row
      x[2 * k.C + 1] = -kInf;                                      // one masked entry
    }
    for (bool log : {false, true}) {
      std::vector<double> ref;
      softmax_ref(ref, to_double(x.data(), k.N * k.C), k.N, k.C, log);
      for_each_config([&](Config) {
        Guarded y(k.N * k.C);
        (log ? log_softmax_forward : softmax_forward)(y.data(), x.data(), k.N, k.C);
        CHECK(y.intact());
        CHECK(err_vs(y.data(), ref, log ? 1.0 : 1e-3) <= 2e-6);
        std::vector<float> again(k.N * k.C);
        (log ? log_softmax_forward : softmax_forward)(again.data(), x.data(), k.N, k.C);
        CHECK(same_bits(y.data(), again.data(), k.N * k.C * 4));
      });
    }
  }
  const float nan_row[3] = {1.f, kNaN, 2.f};
  float y[3];
  softmax_forward(y, nan_row, 1, 3);
  CHECK(std::isnan(y[0]) && std::isnan(y[2]));
}

TEST(softmax_backward_finite_differences) {
  const int64_t N = 4, C = 9;
  std::vector<float> x = check::randn(N * C, 15, 2.f);
  for (int64_t c = 0; c < C; ++c) x[3 * C + c] = -kInf;  // masked row: gradient 0 / dy
  const std::vector<float> dy = check::randn(N * C, 16);
  for (bool log : {false, true}) {
    // dL/dx for L = sum dy * y, by central differences of the double reference.
    std::vector<double> fd(N * C, 0), yp, ym;
    for (int64_t j = 0; j < N * C; ++j) {
      if (std::isinf(x[j])) {
        fd[j] = log ? dy[j] : 0;  // our convention for fully masked rows
        continue;
      }
      std::vector<double> xd = to_double(x.data(), N * C);
      const double h = 1e-5;
      xd[j] += h;
      softmax_ref(yp, xd, N, C, log);
      xd[j] -= 2 * h;
      softmax_ref(ym, xd, N, C, log);
      for (int64_t i = (j / C) * C; i < (j / C + 1) * C; ++i) fd[j] += dy[i] * (yp[i] - ym[i]) / (2 * h);
    }
    std::vector<float> y(N * C);
    (log ? log_softmax_forward : softmax_forward)(y.data(), x.data(), N, C);
    for_each_config([&](Config) {
      Guarded dx(N * C);
      (log ? log_softmax_backward : softmax_backward)(dx.data(), dy.data(), y.data(), N, C);
      CHECK(dx.intact());
      CHECK(err_vs(dx.data(), fd) <= 1e-5);
    });
  }
  // Larger rows against the analytic double formula, for the vector paths and threads.
  const int64_t n2 = 300, c2 = 1001;
  const std::vector<float> x2 = check::randn(n2 * c2, 17, 3.f), dy2 = check::randn(n2 * c2, 18);
  for (bool log : {false, true}) {
    std::vector<float> y(n2 * c2);
    (log ? log_softmax_forward : softmax_forward)(y.data(), x2.data(), n2, c2);
    std::vector<double> ref(n2 * c2);
    for (int64_t r = 0; r < n2; ++r) {
      double s = 0;
      for (int64_t c = 0; c < c2; ++c) s += log ? dy2[r * c2 + c] : double(dy2[r * c2 + c]) * y[r * c2 + c];
      for (int64_t c = 0; c < c2; ++c) {
        const int64_t i = r * c2 + c;
        ref[i] = log ? dy2[i] - std::exp(double(y[i])) * s : y[i] * (dy2[i] - s);
      }
    }
    for_each_config([&](Config) {
      Guarded dx(n2 * c2);
      (log ? log_softmax_backward : softmax_backward)(dx.data(), dy2.data(), y.data(), n2, c2);
      CHECK(dx.intact());
      CHECK(err_vs(dx.data(), ref) <= 1e-5);
    });
  }
}

// ---------------------------------------------------------------------------------------
// LayerNorm and RMSNorm.

// y (N, C) in double; w/b may be empty.
std::vector<double> norm_ref(bool rms, const std::vector<double>& x, const std::vector<double>& w,
                             const std::vector<double>& b, int64_t N, int64_t C, double eps) {
  std::vector<double> y(N * C);
  for (int64_t r = 0; r < N; ++r) {
    double mean = 0, var = 0;
    if (!rms) {
      for (int64_t c = 0; c < C; ++c) mean += x[r * C + c];
      mean /= C;
    }
    for (int64_t c = 0; c < C; ++c) var += (x[r * C + c] - mean) * (x[r * C + c] - mean);
    const double rstd = 1 / std::sqrt(var / C + eps);
    for (int64_t c = 0; c < C; ++c) {
      double v = (x[r * C + c] - mean) * rstd;
      if (!w.empty()) v *= w[c];
      if (!b.empty()) v += b[c];
      y[r * C + c] = v;
    }
  }
  return y;
}

// Central difference of L = sum dy * norm(x, w, b) with respect to v[j].
double norm_fd(bool rms, std::vector<double> x, std::vector<double> w, std::vector<double> b,
               const std::vector<float>& dy, int64_t N, int64_t C, double eps, int which,
               int64_t j) {
  std::vector<double>& v = which == 0 ? x : which == 1 ? w : b;
  const double h = 1e-5, keep = v[j];
  double lp = 0, lm = 0;
  v[j] = keep + h;
  std::vector<double> yp = norm_ref(rms, x, w, b, N, C, eps);
  v[j] = keep - h;
  std::vector<double> ym = norm_ref(rms, x, w, b, N, C, eps);
  for (int64_t i = 0; i < N * C; ++i) lp += dy[i] * yp[i], lm += dy[i] * ym[i];
  return (lp - lm) / (2 * h);
}

void check_norm(bool rms, int64_t N, int64_t C, bool affine, bool with_fd) {
  const float eps = 1e-5f;
  const std::vector<float> x = check::randn(N * C, 19, 2.f), dy = check::randn(N * C, 20);
  std::vector<float> w = check::randn(C, 21), b = check::randn(C, 22);
  for (auto& v : w) v += 1.f;
  const float* wp = affine ? w.data() : nullptr;
  const float* bp = affine && !rms ? b.data() : nullptr;
  const std::vector<double> xd = to_double(x.data(), N * C);
  const std::vector<double> wd = affine ? to_double(w.data(), C) : std::vector<double>();
  const std::vector<double> bd = bp ? to_double(b.data(), C) : std::vector<double>();
  const std::vector<double> yref = norm_ref(rms, xd, wd, bd, N, C, eps);
  std::vector<double> dx_ref(N * C), dw_ref(C), db_ref(C);
  if (with_fd) {
    for (int64_t j = 0; j < N * C; ++j) dx_ref[j] = norm_fd(rms, xd, wd, bd, dy, N, C, eps, 0, j);
    for (int64_t c = 0; affine && c < C; ++c) {
      dw_ref[c] = norm_fd(rms, xd, wd, bd, dy, N, C, eps, 1, c);  // dw starts at 1.5: overwritten
      if (bp) db_ref[c] = norm_fd(rms, xd, wd, bd, dy, N, C, eps, 2, c);
    }
  }
  std::vector<float> first_dw;
  for_each_config([&](Config cfg) {
    Guarded y(N * C), mean(N), rstd(N), dx(N * C), dw(C, 1.5f), db(C, -0.5f);
    if (rms) rms_norm_forward(y.data(), rstd.data(), x.data(), wp, N, C, eps);
    else layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), wp, bp, N, C, eps);
    CHECK(err_vs(y.data(), yref) <= 5e-6);
    float* dwp = affine ? dw.data() : nullptr;
    float* dbp = bp ? db.data() : nullptr;
    if (rms) rms_norm_backward(dx.data(), dwp, dy.data(), x.data(), wp, rstd.data(), N, C);
    else layer_norm_backward(dx.data(), dwp, dbp, dy.data(), x.data(), wp, mean.data(), rstd.data(), N, C);
    CHECK(y.intact() && mean.intact() && rstd.intact() && dx.intact() && dw.intact() && db.intact());
    if (with_fd) {
      CHECK(err_vs(dx.data(), dx_ref) <= 2e-4);
      if (affine) CHECK(err_vs(dw.data(), dw_ref) <= 2e-4);
      if (bp) CHECK(err_vs(db.data(), db_ref) <= 2e-4);
    }
    // Bit-identical on a repeat; dx may be skipped (null) without changing dw.
    Guarded dw2(C, 1.5f), db2(C, -0.5f);
    float* dw2p = affine ? dw2.data() : nullptr;
    if (rms) rms_norm_backward(nullptr, dw2p, dy.data(), x.data(), wp, rstd.data(), N, C);
    else layer_norm_backward(nullptr, dw2p, bp ? db2.data() : nullptr, dy.data(), x.data(), wp, mean.data(), rstd.data(), N, C);
    CHECK(same_bits(dw.data(), dw2.data(), C * 4) && same_bits(db.data(), db2.data(), C * 4));
    if (cfg.simd == 1 && cfg.threads == 1) first_dw.assign(dw.data(), dw.data() + C);
    // Threads and SIMD levels agree to rounding (the forward statistics differ in the last
    // bit between paths, and dw sums N rows of them).
    CHECK(err_vs(dw.data(), to_double(first_dw.data(), C), std::sqrt(double(N))) <= 1e-6);
  });
}

TEST(layer_norm_forward_backward) {
  check_norm(false, 5, 13, true, true);
  check_norm(false, 4, 24, false, true);
  check_norm(false, 700, 768, true, false);
  check_norm(false, 1, 1, true, false);
  check_norm(false, 0, 8, true, false);
  check_norm(false, 3, 1100, true, false);  // statistics over blocks of 512, a tail block
}

TEST(rms_norm_forward_backward) {
  check_norm(true, 5, 13, true, true);
  check_norm(true, 4, 24, false, true);
  check_norm(true, 700, 1024, true, false);
  check_norm(true, 1, 1, true, false);
  check_norm(true, 3, 9000, true, false);  // long rows: block sums in double
}

// A NaN in x makes its row of y NaN, and so does an inf under LayerNorm (x - inf); under
// RMSNorm an inf gives rstd 0, so its row is 0 but NaN at the inf, as torch computes it.
TEST(norm_forward_propagates_nan) {
  for (bool rms : {false, true})
    for (float bad : {kNaN, INFINITY}) {
      const int64_t N = 6, C = 530;
      std::vector<float> x = check::randn(N * C, 38), w = check::randn(C, 39);
      x[2 * C + 521] = bad;  // in the masked tail
      for_each_config([&](Config) {
        std::vector<float> y(N * C), mean(N), rstd(N);
        if (rms) rms_norm_forward(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-5f);
        else layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), nullptr, N, C, 1e-5f);
        bool ok = true;
        for (int64_t i = 0; i < N * C; ++i) {
          if (i / C != 2) ok &= std::isfinite(y[i]);
          else if (rms && bad == INFINITY) ok &= i == 2 * C + 521 ? std::isnan(y[i]) : y[i] == 0.f;
          else ok &= std::isnan(y[i]);
        }
        CHECK(ok);
      });
    }
}

// The backward's dw/db follow the same strips and order on every SIMD path: bit-identical
// across levels for a thread count (given the same forward statistics); dx agrees to
// rounding. Rows: full and partial strips, one-row strips (C > 8192); columns: 16- and
// 8-wide chunks and tails.
TEST(norm_backward_simd_levels_agree) {
  for (bool rms : {false, true})
    for (auto [N, C] : {std::pair<int64_t, int64_t>{37, 100}, {21, 768}, {9, 2051}, {3, 9000}}) {
      const std::vector<float> x = check::randn(N * C, 31, 2.f), dy = check::randn(N * C, 32);
      std::vector<float> w = check::randn(C, 33), b = check::randn(C, 34), y(N * C), mean(N), rstd(N);
      if (rms) rms_norm_forward(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-5f);
      else layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
      std::vector<float> dx1, dw1[3], db1[3];
      for_each_config([&](Config c) {
        std::vector<float> dx(N * C), dw(C), db(C);
        if (rms) rms_norm_backward(dx.data(), dw.data(), dy.data(), x.data(), w.data(), rstd.data(), N, C);
        else layer_norm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C);
        if (c.simd == 1) {
          dw1[c.threads] = dw, db1[c.threads] = db;
          if (c.threads == 1) dx1 = dx;
        }
        CHECK(same_bits(dw.data(), dw1[c.threads].data(), C * 4));
        CHECK(same_bits(db.data(), db1[c.threads].data(), C * 4));
        CHECK(err_vs(dx.data(), to_double(dx1.data(), N * C)) <= 1e-5);
      });
    }
}

// A NaN in dy reaches its row of dx (through the row sums) and its column of dw and db,
// nothing else.
TEST(norm_backward_propagates_nan) {
  const int64_t N = 40, C = 200, r0 = 13, c0 = 197;  // c0 in the masked tail chunk
  const std::vector<float> x = check::randn(N * C, 35, 2.f), w = check::randn(C, 36);
  std::vector<float> dy = check::randn(N * C, 37), y(N * C), mean(N), rstd(N);
  dy[r0 * C + c0] = kNaN;
  layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), nullptr, N, C, 1e-5f);
  for_each_config([&](Config) {
    std::vector<float> dx(N * C), dw(C), db(C);
    layer_norm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C);
    bool ok = true;
    for (int64_t i = 0; i < N * C; ++i) ok &= std::isnan(dx[i]) == (i / C == r0);
    for (int64_t c = 0; c < C; ++c) ok &= std::isnan(dw[c]) == (c == c0) && std::isnan(db[c]) == (c == c0);
    CHECK(ok);
  });
}

// ---------------------------------------------------------------------------------------
// Embedding and index_select. Backward sums each output element in index order whatever
// the thread count, so results equal the plain loop bit for bit.

TEST(embedding_forward_backward) {
  const int64_t V = 50, C = 77, N = 300;
  const std::vector<float> weight = check::randn(V * C, 23), dout = check::randn(N * C, 24);
  std::vector<int32_t> ids(N);
  std::mt19937 gen(25);
  for (auto& id : ids) id = int32_t(gen() % 8);  // many repeats
  const int64_t pad = 3;
  std::vector<float> dref(V * C, 0.f);  // dw starts at 0.25: every element is overwritten
  for (int64_t n = 0; n < N; ++n)
    if (ids[n] != pad)
      for (int64_t c = 0; c < C; ++c) dref[ids[n] * C + c] += dout[n * C + c];
  for_each_config([&](Config) {
    Guarded out(N * C), dw(V * C, 0.25f);
    embedding_forward(out.data(), ids.data(), weight.data(), N, C);
    bool ok = out.intact();
    for (int64_t n = 0; n < N; ++n) ok &= same_bits(out.data() + n * C, weight.data() + ids[n] * C, C * 4);
    CHECK(ok);
    embedding_backward(dw.data(), dout.data(), ids.data(), N, C, V, pad);
    CHECK(dw.intact() && same_bits(dw.data(), dref.data(), V * C * 4));
    Guarded dw_all(V * C);
    embedding_backward(dw_all.data(), dout.data(), ids.data(), N, C, V, -1);  // no padding
    CHECK(dw_all[pad * C] != 0.f);
    Guarded none(0), unused(V * C, 7.f);
    embedding_forward(none.data(), ids.data(), weight.data(), 0, C);
    embedding_backward(unused.data(), dout.data(), ids.data(), 0, C, V, -1);  // no ids: all zeros
    bool zero = none.intact() && unused.intact();
    for (int64_t i = 0; i < V * C; ++i) zero &= unused[i] == 0.f;
    CHECK(zero);
  });
  // Linear in dout: a finite difference of L = sum(g * out) in weight is exact.
  const std::vector<float> g = check::randn(N * C, 26);
  std::vector<float> fw(V * C, 0.f);
  embedding_backward(fw.data(), g.data(), ids.data(), N, C, V, -1);
  const int64_t j = ids[0] * C + 5;
  std::vector<float> w2 = weight, o1(N * C), o2(N * C);
  embedding_forward(o1.data(), ids.data(), w2.data(), N, C);
  w2[j] += 0.5f;
  embedding_forward(o2.data(), ids.data(), w2.data(), N, C);
  double dl = 0;
  for (int64_t i = 0; i < N * C; ++i) dl += double(g[i]) * (o2[i] - o1[i]);
  CHECK(std::fabs(dl / 0.5 - fw[j]) <= 1e-5 * std::max(1.f, std::fabs(fw[j])));
}

TEST(index_select_forward_backward) {
  struct Case { int64_t outer, R, inner, n_idx; };
  for (Case k : {Case{6, 10, 33, 25}, Case{1, 1000, 257, 3000}, Case{4000, 5, 1, 7},
                 Case{1, 4, 1, 1}, Case{2, 3, 4, 0}}) {
    const std::vector<float> x = check::randn(k.outer * k.R * k.inner, 27);
    const std::vector<float> dout = check::randn(k.outer * k.n_idx * k.inner, 28);
    std::vector<int32_t> idx(k.n_idx);
    std::mt19937 gen(29);
    for (auto& v : idx) v = int32_t(gen() % k.R);
    std::vector<float> out_ref(k.outer * k.n_idx * k.inner), dx_ref(k.outer * k.R * k.inner, 0.f);  // dx starts at 1: overwritten
    for (int64_t o = 0; o < k.outer; ++o)
      for (int64_t j = 0; j < k.n_idx; ++j)
        for (int64_t c = 0; c < k.inner; ++c) {
          out_ref[(o * k.n_idx + j) * k.inner + c] = x[(o * k.R + idx[j]) * k.inner + c];
          dx_ref[(o * k.R + idx[j]) * k.inner + c] += dout[(o * k.n_idx + j) * k.inner + c];
        }
    for_each_config([&](Config) {
      Guarded out(int64_t(out_ref.size())), dx(int64_t(dx_ref.size()), 1.f);
      index_select_forward(out.data(), x.data(), idx.data(), k.outer, k.R, k.inner, k.n_idx);
      index_select_backward(dx.data(), dout.data(), idx.data(), k.outer, k.R, k.inner, k.n_idx);
      CHECK(out.intact() && dx.intact());
      CHECK(same_bits(out.data(), out_ref.data(), int64_t(out_ref.size()) * 4));
      CHECK(same_bits(dx.data(), dx_ref.data(), int64_t(dx_ref.size()) * 4));
    });
  }
}

// ---------------------------------------------------------------------------------------
// Random numbers.

TEST(philox_known_answer) {
  // Random123 kat_vectors: philox4x32_10, counter 0 and key 0 ->
  // 6627e8d5 e169c58d bc57ac4c 9b00dbd8. Uniforms carry the top 24 bits of each word.
  const uint32_t kat[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  float u[4];
  random_uniform(u, 4, 0, 0, 0.f, 1.f);
  for (int i = 0; i < 4; ++i) CHECK(uint32_t(u[i] * 16777216.f) == kat[i] >> 8);
}

// Philox4x32-10 written out here, one block at a time.
void philox_ref(uint32_t out[4], uint64_t counter, uint64_t key) {
  uint32_t c[4] = {uint32_t(counter), uint32_t(counter >> 32), 0, 0};
  uint32_t k0 = uint32_t(key), k1 = uint32_t(key >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t(0xD2511F53u) * c[0], p1 = uint64_t(0xCD9E8D57u) * c[2];
    const uint32_t n[4] = {uint32_t(p1 >> 32) ^ c[1] ^ k0, uint32_t(p1),
                           uint32_t(p0 >> 32) ^ c[3] ^ k1, uint32_t(p0)};
    std::memcpy(c, n, sizeof c);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  std::memcpy(out, c, sizeof c);
}

// The 8- and 16-block vector generators against the scalar rounds: every lane, starts at
// every position within a block and group, 64-bit keys, and counters whose low word wraps
// inside a vector group (offset near 2^34).
TEST(philox_vector_paths_match_scalar_blocks) {
  const uint64_t seed = 0x0123456789abcdefull;
  for (uint64_t offset : {uint64_t(0), uint64_t(3), uint64_t(61), (uint64_t(1) << 34) - 150,
                          (uint64_t(1) << 40) + 7}) {
    const int64_t n = 1003;
    std::vector<float> ref(n), x(n, 1.f);
    for (int64_t i = 0; i < n; ++i) {
      uint32_t w[4];
      philox_ref(w, (offset + i) >> 2, seed);
      ref[i] = float(w[(offset + i) & 3] >> 8) * 5.9604644775390625e-8f;
    }
    for_each_config([&](Config) {
      Guarded u(n), d(n);
      random_uniform(u.data(), n, seed, offset, 0.f, 1.f);
      CHECK(u.intact() && same_bits(u.data(), ref.data(), n * 4));
      if (offset == 0) {  // dropout reads the stream from 0
        dropout_forward(d.data(), x.data(), n, 0.25f, seed);
        bool ok = d.intact();
        for (int64_t i = 0; i < n; ++i) ok &= d[i] == (ref[i] >= 0.25f ? 1.f / 0.75f : 0.f);
        CHECK(ok);
      }
    });
  }
}

TEST(random_depends_only_on_seed_and_position) {
  const int64_t n = kBig;
  std::vector<float> u1(n), n1(n);
  use_threads(1);
  random_uniform(u1.data(), n, 1234, 5, -2.f, 3.f);
  random_normal(n1.data(), n, 1234, 5, 1.f, 2.f);
  for_each_config([&](Config) {
    Guarded u(n), z(n);
    random_uniform(u.data(), n, 1234, 5, -2.f, 3.f);
    random_normal(z.data(), n, 1234, 5, 1.f, 2.f);
    CHECK(u.intact() && z.intact());
    CHECK(same_bits(u.data(), u1.data(), n * 4) && same_bits(z.data(), n1.data(), n * 4));
    // A call that starts later in the stream reads the same elements.
    std::vector<float> part(1001), partz(1001);
    random_uniform(part.data(), 1001, 1234, 5 + 777, -2.f, 3.f);
    random_normal(partz.data(), 1001, 1234, 5 + 777, 1.f, 2.f);
    CHECK(same_bits(part.data(), u1.data() + 777, 1001 * 4));
    CHECK(same_bits(partz.data(), n1.data() + 777, 1001 * 4));
  });
  std::vector<float> other(n);
  random_uniform(other.data(), n, 1235, 5, -2.f, 3.f);
  CHECK(!same_bits(other.data(), u1.data(), n * 4));
  // Distribution: range, mean and variance.
  double mu = 0, mv = 0, nu = 0, nv = 0, lo = 1e9, hi = -1e9;
  for (int64_t i = 0; i < n; ++i) {
    mu += u1[i], mv += double(u1[i]) * u1[i], lo = std::min<double>(lo, u1[i]), hi = std::max<double>(hi, u1[i]);
    nu += n1[i], nv += double(n1[i]) * n1[i];
  }
  mu /= n, mv = mv / n - mu * mu, nu /= n, nv = nv / n - nu * nu;
  CHECK(lo >= -2.0 && hi < 3.0);
  CHECK(std::fabs(mu - 0.5) < 0.01 && std::fabs(mv - 25.0 / 12) < 0.01);
  CHECK(std::fabs(nu - 1.0) < 0.01 && std::fabs(nv - 4.0) < 0.02);
  CHECK(std::isfinite(nv));
}

TEST(dropout_mask_and_scale) {
  const int64_t n = kBig;
  const std::vector<float> x = check::randn(n, 30);
  const float p = 0.3f;
  std::vector<float> u(n);
  random_uniform(u.data(), n, 77, 0, 0.f, 1.f);
  for_each_config([&](Config) {
    Guarded out(n), back(n);
    dropout_forward(out.data(), x.data(), n, p, 77);
    CHECK(out.intact());
    int64_t kept = 0;
    bool ok = true;
    for (int64_t i = 0; i < n; ++i) {
      const bool keep = u[i] >= p;
      kept += keep;
      ok &= out[i] == (keep ? x[i] * (1.f / (1.f - p)) : 0.f);
    }
    CHECK(ok);
    CHECK(std::fabs(double(kept) / n - 0.7) < 0.005);
    // Backward is the same call on dy: the same positions survive.
    dropout_forward(back.data(), x.data(), n, p, 77);
    CHECK(same_bits(back.data(), out.data(), n * 4));
    Guarded same(7), zero(7, 5.f);
    dropout_forward(same.data(), x.data(), 7, 0.f, 77);
    dropout_forward(zero.data(), x.data(), 7, 1.f, 77);
    CHECK(same_bits(same.data(), x.data(), 28) && same.intact() && zero.intact());
    CHECK(zero[0] == 0.f && zero[6] == 0.f);
  });
}

// ---------------------------------------------------------------------------------------
// AdamW.

TEST(adamw_matches_double_reference) {
  const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f, gs = 0.5f;
  for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), kBig}) {
    const std::vector<float> p0 = check::randn(n, 31);
    std::vector<std::vector<float>> grads;
    for (int t = 0; t < 5; ++t) grads.push_back(check::randn(n, 40 + t));
    // Reference in double, torch's order of operations.
    std::vector<double> p(p0.begin(), p0.end()), m(n, 0), v(n, 0);
    for (int t = 1; t <= 5; ++t) {
      const double bc1 = 1 - std::pow(double(b1), t), bc2 = 1 - std::pow(double(b2), t);
      for (int64_t i = 0; i < n; ++i) {
        const double g = double(grads[t - 1][i]) * gs;
        p[i] *= 1 - double(lr) * wd;
        m[i] = b1 * m[i] + (1 - double(b1)) * g;
        v[i] = b2 * v[i] + (1 - double(b2)) * g * g;
        p[i] -= lr * (m[i] / bc1) / (std::sqrt(v[i] / bc2) + eps);
      }
    }
    std::vector<float> first;
    for_each_config([&](Config c) {
      Guarded pf(n), mf(n), vf(n);
      std::copy(p0.begin(), p0.end(), pf.data());
      for (int t = 1; t <= 5; ++t) {
        const float bc1 = float(1 - std::pow(double(b1), t)), bc2 = float(1 - std::pow(double(b2), t));
        adamw_step(pf.data(), grads[t - 1].data(), mf.data(), vf.data(), n, lr, b1, b2, eps, wd,
                   bc1, bc2, gs);
      }
      CHECK(pf.intact() && mf.intact() && vf.intact());
      CHECK(err_vs(pf.data(), p) <= 1e-6);
      CHECK(err_vs(mf.data(), m) <= 1e-7);
      CHECK(err_vs(vf.data(), v) <= 1e-7);
      if (c.simd == 1 && c.threads == 1) first.assign(pf.data(), pf.data() + n);
      CHECK(same_bits(pf.data(), first.data(), n * 4));  // every path is bit-identical
    });
  }
}

}  // namespace
