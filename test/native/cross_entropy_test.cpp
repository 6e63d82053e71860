// cross_entropy_forward / backward against PyTorch's formula in double: loss and lse,
// gradients by finite differences, ignore_index, label smoothing, huge logits, SIMD
// levels and thread counts.
#include <cmath>
#include <vector>

#include "check.h"
#include "kernels.h"
#include "thread_pool.h"

namespace {

constexpr int64_t kIgnore = -100;

struct Problem {
  int64_t N, V;
  float ls;
  std::vector<float> logits, dloss;  // (N, V), (N)
  std::vector<int32_t> targets;      // (N); every third row ignored

  Problem(int64_t N_, int64_t V_, float ls_, uint32_t seed, float spread = 3.f)
      : N(N_), V(V_), ls(ls_), logits(check::randn(N_ * V_, seed, spread)),
        dloss(check::randn(N_, seed + 1)) {
    std::mt19937 gen(seed + 2);
    for (int64_t n = 0; n < N; ++n) targets.push_back(n % 3 == 2 ? kIgnore : int32_t(gen() % V));
  }
  void forward(float* loss, float* lse) const {
    tl::cross_entropy_forward(loss, lse, logits.data(), targets.data(), N, V, kIgnore, ls);
  }
  void backward(float* dx, const float* lse) const {
    tl::cross_entropy_backward(dx, dloss.data(), logits.data(), lse, targets.data(), N, V,
                               kIgnore, ls);
  }
  // Row n's loss in double: -(1 - ls) logp[t] - ls / V sum(logp)
  double reference(const double* x, int64_t n) const {
    if (targets[n] == kIgnore) return 0;
    double m = -INFINITY, sum = 0, logp_sum = 0;
    for (int64_t j = 0; j < V; ++j) m = std::max(m, x[j]);
    for (int64_t j = 0; j < V; ++j) sum += std::exp(x[j] - m);
    const double lse = m + std::log(sum);
    for (int64_t j = 0; j < V; ++j) logp_sum += x[j] - lse;
    return -(1 - ls) * (x[targets[n]] - lse) - ls / V * logp_sum;
  }
};

struct Shape {
  int64_t N, V;
  float ls;
};
const Shape kShapes[] = {{6, 1, 0.f}, {5, 7, 0.f}, {7, 33, 0.1f}, {4, 1000, 0.f}, {6, 517, 0.2f}};

TEST(cross_entropy_forward_matches_reference) {
  for (const Shape& s : kShapes) {
    Problem p(s.N, s.V, s.ls, uint32_t(s.V));
    check::Guarded loss(s.N, NAN), lse(s.N, NAN);
    p.forward(loss.data(), lse.data());
    std::vector<float> want(s.N);
    std::vector<double> x(p.logits.begin(), p.logits.end());
    for (int64_t n = 0; n < s.N; ++n) want[n] = float(p.reference(x.data() + n * s.V, n));
    CHECK(loss.intact() && lse.intact());
    CHECK_CLOSE(loss.data(), want.data(), s.N, 1e-5);
    for (int64_t n = 0; n < s.N; ++n)
      if (p.targets[n] == kIgnore) CHECK(loss[n] == 0.f);
  }
}

TEST(cross_entropy_backward_finite_differences) {
  for (const Shape& s : kShapes) {
    Problem p(s.N, s.V, s.ls, uint32_t(s.V) + 1);
    std::vector<float> loss(s.N), lse(s.N);
    p.forward(loss.data(), lse.data());
    check::Guarded dx(s.N * s.V, NAN);
    p.backward(dx.data(), lse.data());
    CHECK(dx.intact());
    // L = sum_n dloss[n] * loss[n]; each logit only moves its own row's loss.
    std::vector<double> x(p.logits.begin(), p.logits.end());
    std::vector<float> fd(s.N * s.V);
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t j = 0; j < s.V; ++j) {
        double& xe = x[n * s.V + j];
        const double x0 = xe;
        xe = x0 + 1e-5;
        const double lp = p.reference(x.data() + n * s.V, n);
        xe = x0 - 1e-5;
        const double lm = p.reference(x.data() + n * s.V, n);
        xe = x0;
        fd[n * s.V + j] = float(p.dloss[n] * (lp - lm) / 2e-5);
      }
    CHECK_CLOSE(dx.data(), fd.data(), s.N * s.V, 1e-5);
    for (int64_t n = 0; n < s.N; ++n)
      if (p.targets[n] == kIgnore)
        for (int64_t j = 0; j < s.V; ++j) CHECK(dx[n * s.V + j] == 0.f);
  }
}

TEST(cross_entropy_huge_logits_stay_finite) {
  Problem p(6, 300, 0.1f, 5);
  for (float& x : p.logits) x = x > 0 ? 1e4f : -1e4f;  // ties and a 2e4 spread
  p.logits[7] = 1.2e4f;
  std::vector<float> loss(p.N), lse(p.N), dx(p.N * p.V);
  p.forward(loss.data(), lse.data());
  p.backward(dx.data(), lse.data());
  std::vector<double> x(p.logits.begin(), p.logits.end());
  for (int64_t n = 0; n < p.N; ++n) {
    const double want = p.reference(x.data() + n * p.V, n);
    CHECK(std::isfinite(loss[n]));
    CHECK(std::fabs(loss[n] - want) <= 1e-5 * std::max(1.0, std::fabs(want)));
  }
  bool finite = true;
  double row_sum = 0;  // each row's gradient sums to 0: softmax and targets both sum to 1
  for (int64_t e = 0; e < p.N * p.V; ++e) {
    finite = finite && std::isfinite(dx[e]);
    row_sum += dx[e];
  }
  CHECK(finite);
  CHECK(std::fabs(row_sum) < 1e-2);
}

TEST(cross_entropy_target_out_of_range_gives_nan) {
  Problem p(3, 10, 0.f, 8);
  p.targets = {1, 10, -1};
  std::vector<float> loss(3), lse(3), dx(30);
  p.forward(loss.data(), lse.data());
  p.backward(dx.data(), lse.data());
  CHECK(std::isfinite(loss[0]) && std::isnan(loss[1]) && std::isnan(loss[2]));
  CHECK(std::isfinite(dx[0]) && std::isnan(dx[10]) && std::isnan(dx[29]));
}

TEST(cross_entropy_simd_levels_and_threads_agree) {
  Problem p(64, 1003, 0.1f, 12);
  auto run = [&](std::vector<float>& loss, std::vector<float>& dx) {
    std::vector<float> lse(p.N);
    loss.assign(p.N, 0.f);
    dx.assign(p.N * p.V, 0.f);
    p.forward(loss.data(), lse.data());
    p.backward(dx.data(), lse.data());
  };
  std::vector<float> loss_portable, dx_portable, loss_fast, dx_fast;
  tl::set_simd_level(1);
  run(loss_portable, dx_portable);
  const int saved = tl::num_threads();
  tl::set_num_threads(2);
  tl::set_simd_level(0);
  run(loss_fast, dx_fast);
  CHECK_CLOSE(loss_fast.data(), loss_portable.data(), p.N, 1e-5);
  CHECK_CLOSE(dx_fast.data(), dx_portable.data(), p.N * p.V, 1e-6);
  // Rows are independent: any thread count gives the same bits.
  tl::set_num_threads(1);
  std::vector<float> loss_one, dx_one;
  run(loss_one, dx_one);
  tl::set_num_threads(saved);
  CHECK(loss_one == loss_fast && dx_one == dx_fast);
}

}  // namespace
