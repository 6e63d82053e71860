// rope_forward against the rotate_half formula in double, its inverse as the backward
// (finite differences of the forward), aliasing, SIMD levels.
#include <cmath>
#include <vector>

#include "check.h"
#include "kernels.h"

namespace {

struct Rope {
  int64_t B, H, T, D, P;
  std::vector<float> x, cos, sin;  // x (B, H, T, D); tables (P, D/2)
  std::vector<int32_t> pos;        // (B, T)

  Rope(int64_t B_, int64_t H_, int64_t T_, int64_t D_, int64_t P_, uint32_t seed)
      : B(B_), H(H_), T(T_), D(D_), P(P_), x(check::randn(B_ * H_ * T_ * D_, seed)) {
    // Hugging Face's tables: angle p / 10000^(2i / D)
    for (int64_t p = 0; p < P; ++p)
      for (int64_t i = 0; i < D / 2; ++i) {
        const double angle = p / std::pow(10000.0, 2.0 * i / D);
        cos.push_back(float(std::cos(angle)));
        sin.push_back(float(std::sin(angle)));
      }
    std::mt19937 gen(seed + 1);  // positions need not be 0..T-1 (left padding, KV cache)
    for (int64_t e = 0; e < B * T; ++e) pos.push_back(int32_t(gen() % P));
  }
  int64_t n() const { return B * H * T * D; }
  void run(float* out, const float* in, bool inverse) const {
    tl::rope_forward(out, in, cos.data(), sin.data(), pos.data(), B, H, T, D, inverse);
  }
  // rotate_half in double: out = x * cos + rotate_half(x) * sin, both tables repeated twice
  std::vector<double> reference(const std::vector<double>& in) const {
    std::vector<double> out(in.size());
    const int64_t half = D / 2;
    for (int64_t row = 0; row < B * H * T; ++row) {
      const int64_t b = row / (H * T), t = row % T, p = pos[b * T + t];
      for (int64_t d = 0; d < D; ++d) {
        const int64_t i = d % half;
        const double rot = d < half ? -in[row * D + d + half] : in[row * D + d - half];
        out[row * D + d] = in[row * D + d] * cos[p * half + i] + rot * sin[p * half + i];
      }
    }
    return out;
  }
};

const int64_t kDims[] = {2, 8, 64, 66, 128};  // 66: a tail after the 8-wide loop

TEST(rope_forward_matches_reference) {
  for (int64_t D : kDims) {
    Rope r(2, 3, 5, D, 11, uint32_t(D));
    check::Guarded out(r.n());
    r.run(out.data(), r.x.data(), false);
    std::vector<double> ref = r.reference({r.x.begin(), r.x.end()});
    std::vector<float> ref_f(ref.begin(), ref.end());
    CHECK(out.intact());
    CHECK_CLOSE(out.data(), ref_f.data(), r.n(), 1e-6);
  }
}

TEST(rope_inverse_undoes_forward_in_place) {
  for (int64_t D : kDims) {
    Rope r(2, 2, 7, D, 9, uint32_t(D) + 3);
    check::Guarded y(r.n());
    std::copy(r.x.begin(), r.x.end(), y.data());
    r.run(y.data(), y.data(), false);  // out aliases x
    std::vector<float> separate(r.n());
    r.run(separate.data(), r.x.data(), false);
    CHECK_CLOSE(y.data(), separate.data(), r.n(), 0.0);
    r.run(y.data(), y.data(), true);
    CHECK(y.intact());
    CHECK_CLOSE(y.data(), r.x.data(), r.n(), 1e-6);
  }
}

// The backward of out = R x is dx = R^T dout, which the kernel computes as the inverse
// rotation: compare it with central differences of L = sum(w * R x) in double.
TEST(rope_backward_finite_differences) {
  for (int64_t D : kDims) {
    Rope r(1, 2, 4, D, 6, uint32_t(D) + 5);
    std::vector<float> w = check::randn(r.n(), 77);
    check::Guarded dx(r.n());
    r.run(dx.data(), w.data(), true);
    std::vector<double> x(r.x.begin(), r.x.end()), fd(r.n());
    auto loss = [&] {
      std::vector<double> y = r.reference(x);
      double l = 0;
      for (int64_t e = 0; e < r.n(); ++e) l += w[e] * y[e];
      return l;
    };
    for (int64_t e = 0; e < r.n(); ++e) {
      const double x0 = x[e];
      x[e] = x0 + 1e-4;
      const double lp = loss();
      x[e] = x0 - 1e-4;
      const double lm = loss();
      x[e] = x0;
      fd[e] = (lp - lm) / 2e-4;
    }
    std::vector<float> fd_f(fd.begin(), fd.end());
    CHECK(dx.intact());
    CHECK_CLOSE(dx.data(), fd_f.data(), r.n(), 1e-5);
  }
}

TEST(rope_simd_levels_agree) {
  for (int64_t D : kDims) {
    Rope r(2, 3, 6, D, 8, uint32_t(D) + 9);
    std::vector<float> portable(r.n()), fast(r.n());
    tl::set_simd_level(1);
    r.run(portable.data(), r.x.data(), true);
    tl::set_simd_level(0);
    r.run(fast.data(), r.x.data(), true);
    CHECK_CLOSE(fast.data(), portable.data(), r.n(), 1e-6);
  }
}

}  // namespace
