// Minimal test harness for the C++ kernel tests (no N-API, no framework).
// Each test file defines TESTS via TEST(name) { ... } and links with check_main.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace check {

struct Registry {
  std::vector<std::pair<std::string, std::function<void()>>> tests;
  int failures = 0;
  static Registry& get() { static Registry r; return r; }
};
struct Register {
  Register(const char* name, std::function<void()> fn) { Registry::get().tests.emplace_back(name, fn); }
};

inline void fail(const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, msg.c_str());
  ++Registry::get().failures;
}

// A buffer with sentinel floats on both sides, to catch out-of-bounds writes.
struct Guarded {
  static constexpr int kPad = 64;
  static constexpr float kSentinel = -1234.5678f;
  std::vector<float> storage;
  int64_t n;
  explicit Guarded(int64_t n, float init = 0.f) : storage(n + 2 * kPad, kSentinel), n(n) {
    for (int64_t i = 0; i < n; ++i) storage[kPad + i] = init;
  }
  float* data() { return storage.data() + kPad; }
  float& operator[](int64_t i) { return storage[kPad + i]; }
  bool intact() const {
    for (int i = 0; i < kPad; ++i)
      if (storage[i] != kSentinel || storage[kPad + n + i] != kSentinel) return false;
    return true;
  }
};

inline std::vector<float> randn(int64_t n, uint32_t seed, float scale = 1.f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0.f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

// max |a-b| / max(1, |b|) over n elements; NaN as soon as either side holds a NaN, at any
// position (a running max would let a later finite element replace it), so CHECK_CLOSE fails.
inline double max_rel_err(const float* a, const float* b, int64_t n) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return std::nan("");
    if (a[i] == b[i]) continue;  // equal infinities
    double d = std::fabs(double(a[i]) - double(b[i])) / std::max(1.0, std::fabs(double(b[i])));
    if (d > worst) worst = d;
  }
  return worst;
}

}  // namespace check

#define TEST(name)                                                        \
  static void test_##name();                                              \
  static check::Register reg_##name(#name, test_##name);                  \
  static void test_##name()

#define CHECK(cond)                                                       \
  do { if (!(cond)) check::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); } while (0)

#define CHECK_CLOSE(a, b, n, tol)                                         \
  do {                                                                    \
    double e_ = check::max_rel_err((a), (b), (n));                        \
    if (!(e_ <= (tol))) check::fail(__FILE__, __LINE__,                   \
        "max rel err " + std::to_string(e_) + " > " + std::to_string(tol)); \
  } while (0)

// Defined once per test binary (check_main.cpp).
int main_run_tests(const char* suite);
