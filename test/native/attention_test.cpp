// attention_forward / attention_backward against a naive reference in double that
// materialises the scores, masks, softmax and dropout: forward values, every gradient by
// finite differences of that reference, masking corner cases, determinism, SIMD levels and
// thread counts.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "kernels.h"
#include "thread_pool.h"

namespace {

using tl::AttentionArgs;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Config {
  const char* name;
  int64_t B, H, Hkv, Tq, Tk, D;
  bool causal = false;
  bool key_mask = false;
  int64_t bias_batch = 0;  // 0: no bias
  float dropout = 0.f;
  float scale = 0.f;       // 0: 1 / sqrt(D)
  bool bias_neg_inf = false;
};

// Inputs of one problem, in float for the kernel, and the dropout factors the kernel uses.
struct Case {
  Config c;
  std::vector<float> q, k, v, bias, w;  // w: the loss weights, L = sum(w * out)
  std::vector<uint8_t> mask;            // (B, Tk)
  std::vector<double> z;                // (B, H, Tq, Tk) dropout factors, empty if none

  int64_t n_q() const { return c.B * c.H * c.Tq * c.D; }
  int64_t n_kv() const { return c.B * c.Hkv * c.Tk * c.D; }
  int64_t n_bias() const { return c.bias_batch * c.H * c.Tq * c.Tk; }
  AttentionArgs args() const {
    float scale = c.scale != 0.f ? c.scale : 1.f / std::sqrt(float(c.D));
    return AttentionArgs{c.B, c.H, c.Hkv, c.Tq, c.Tk, c.D, scale, c.causal,
                         c.key_mask ? mask.data() : nullptr,
                         c.bias_batch ? bias.data() : nullptr, c.bias_batch > 0 ? c.bias_batch : 1,
                         c.dropout, 1234};
  }
};

// The kernel's dropout factors, read back through the kernel itself: with q = 0 every key
// gets probability 1/Tk, and v = identity puts key j's kept factor in output column j.
std::vector<double> probe_dropout(int64_t B, int64_t H, int64_t Tq, int64_t Tk, float p,
                                  uint64_t seed) {
  std::vector<float> q(B * H * Tq * Tk, 0.f), k(B * H * Tk * Tk, 0.f), v(B * H * Tk * Tk, 0.f);
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t j = 0; j < Tk; ++j) v[(bh * Tk + j) * Tk + j] = 1.f;
  std::vector<float> out(B * H * Tq * Tk), lse(B * H * Tq);
  AttentionArgs a{B, H, H, Tq, Tk, Tk, 1.f, false, nullptr, nullptr, 1, p, seed};
  tl::attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), a);
  const double inv_keep = 1.0 / (1.0 - p);
  std::vector<double> z(out.size());
  for (size_t e = 0; e < out.size(); ++e) z[e] = out[e] * Tk > 0.5 * inv_keep ? inv_keep : 0.0;
  return z;
}

Case make_case(const Config& c, uint32_t seed) {
  Case s;
  s.c = c;
  s.q = check::randn(s.n_q(), seed);
  s.k = check::randn(s.n_kv(), seed + 1);
  s.v = check::randn(s.n_kv(), seed + 2);
  s.w = check::randn(s.n_q(), seed + 3);
  if (c.bias_batch) {
    s.bias = check::randn(s.n_bias(), seed + 4, 0.5f);
    if (c.bias_neg_inf)
      for (size_t e = 0; e < s.bias.size(); e += 3) s.bias[e] = -INFINITY;
  }
  if (c.key_mask) {
    // batch 0: right padding; 1: left padding (with causal, early queries see nothing);
    // 2: fully masked; later ones: random holes.
    s.mask.assign(c.B * c.Tk, 1);
    std::mt19937 gen(seed + 5);
    for (int64_t b = 0; b < c.B; ++b)
      for (int64_t j = 0; j < c.Tk; ++j) {
        uint8_t keep = 1;
        if (b == 0) keep = j < c.Tk - c.Tk / 3;
        else if (b == 1) keep = j >= c.Tk / 2;
        else if (b == 2) keep = 0;
        else keep = gen() % 4 != 0;
        s.mask[b * c.Tk + j] = keep;
      }
  }
  if (c.dropout > 0.f) s.z = probe_dropout(c.B, c.H, c.Tq, c.Tk, c.dropout, 1234);
  return s;
}

std::vector<double> to_double(const std::vector<float>& x) { return {x.begin(), x.end()}; }

// out (B, H, Tq, D) and lse (B, H, Tq) in double, straight from the definition.
void reference(const Case& s, const std::vector<double>& q, const std::vector<double>& k,
               const std::vector<double>& v, const std::vector<double>& bias,
               std::vector<double>& out, std::vector<double>* lse) {
  const Config& c = s.c;
  const double scale = s.args().scale;
  const int64_t group = c.H / c.Hkv, off = c.Tk - c.Tq;
  out.assign(s.n_q(), 0.0);
  if (lse) lse->assign(c.B * c.H * c.Tq, -kInf);
  std::vector<double> sc(c.Tk);
  for (int64_t b = 0; b < c.B; ++b)
    for (int64_t h = 0; h < c.H; ++h)
      for (int64_t i = 0; i < c.Tq; ++i) {
        const int64_t bh = b * c.H + h, kv = b * c.Hkv + h / group;
        double m = -kInf;
        for (int64_t j = 0; j < c.Tk; ++j) {
          bool visible = (!c.causal || j <= i + off) && (!c.key_mask || s.mask[b * c.Tk + j]);
          double x = -kInf;
          if (visible) {
            x = 0;
            for (int64_t d = 0; d < c.D; ++d)
              x += q[(bh * c.Tq + i) * c.D + d] * k[(kv * c.Tk + j) * c.D + d];
            x *= scale;
            if (c.bias_batch)
              x += bias[(((c.bias_batch > 1 ? b : 0) * c.H + h) * c.Tq + i) * c.Tk + j];
          }
          sc[j] = x;
          m = std::max(m, x);
        }
        if (m == -kInf) continue;
        double sum = 0;
        for (int64_t j = 0; j < c.Tk; ++j) sum += (sc[j] = std::exp(sc[j] - m));
        if (lse) (*lse)[bh * c.Tq + i] = m + std::log(sum);
        for (int64_t j = 0; j < c.Tk; ++j) {
          double p = sc[j] / sum;
          if (!s.z.empty()) p *= s.z[(bh * c.Tq + i) * c.Tk + j];
          for (int64_t d = 0; d < c.D; ++d)
            out[(bh * c.Tq + i) * c.D + d] += p * v[(kv * c.Tk + j) * c.D + d];
        }
      }
}

struct Result {
  check::Guarded out, lse, dq, dk, dv, dbias;
  explicit Result(const Case& s, float dbias_init = 0.f)
      : out(s.n_q(), NAN), lse(s.c.B * s.c.H * s.c.Tq, NAN), dq(s.n_q(), NAN),
        dk(s.n_kv(), NAN), dv(s.n_kv(), NAN), dbias(s.n_bias(), dbias_init) {}
  bool intact() const {
    return out.intact() && lse.intact() && dq.intact() && dk.intact() && dv.intact() &&
           dbias.intact();
  }
};

void run(const Case& s, Result& r) {
  const AttentionArgs a = s.args();
  tl::attention_forward(r.out.data(), r.lse.data(), s.q.data(), s.k.data(), s.v.data(), a);
  tl::attention_backward(r.dq.data(), r.dk.data(), r.dv.data(),
                         s.c.bias_batch ? r.dbias.data() : nullptr, s.w.data(), s.q.data(),
                         s.k.data(), s.v.data(), r.out.data(), r.lse.data(), a);
}

const std::vector<Config>& configs() {
  static const std::vector<Config> list = {
      {"plain", 2, 4, 4, 5, 7, 8},
      {"gqa causal", 2, 6, 2, 9, 9, 16, true},
      {"causal with past (Tq < Tk) and masks", 3, 2, 1, 3, 11, 8, true, true},
      {"padding incl. fully masked batch", 4, 2, 2, 4, 6, 8, false, true},
      {"bias shared over batch", 3, 3, 3, 5, 6, 8, false, false, 1},
      {"bias per batch, causal", 2, 2, 2, 4, 5, 8, true, false, 2},
      {"bias with -inf entries", 2, 2, 1, 4, 5, 8, false, true, 1, 0.f, 0.f, true},
      {"single query", 2, 4, 2, 1, 13, 32, true, true},
      {"single key, Tq > Tk", 2, 2, 2, 5, 1, 8, true},
      {"D = 80, custom scale", 1, 2, 2, 6, 7, 80, false, false, 0, 0.f, 0.3f},
      {"dropout", 2, 2, 1, 6, 10, 8, true, false, 2, 0.3f},
      {"multi-block causal gqa masks bias dropout", 3, 4, 2, 70, 130, 64, true, true, 1, 0.1f},
      {"multi-block D = 32", 2, 2, 2, 129, 65, 32, false, true, 2},
      // Without a bias and with Tq >= 64 the AVX-512 forward takes forward_block_t (the
      // column softmax, its unmasked form for full blocks): masks, dropout, query tails.
      // Causal blocks on the diagonal run their products over the visible 16-row / 16-key runs.
      {"multi-block unmasked", 1, 2, 2, 130, 128, 64},
      {"multi-block causal D = 80, T = 150", 1, 2, 1, 150, 150, 80, true},
      {"multi-block causal with past D = 48", 2, 2, 2, 69, 133, 48, true, false, 0, 0.1f},
      {"multi-block masks, no bias", 4, 2, 2, 70, 100, 32, false, true},
      // dq is stored by the first key block and scaled by the one holding a row's last
      // key: with Tk - Tq = 40 that block changes inside a 16-row run (after row 23).
      {"causal with past, last key block changes mid-run", 2, 3, 1, 50, 90, 32, true, true, 0, 0.1f},
      // forward_block_t takes 128 keys a block: three blocks, the online rescale between them.
      {"128-key blocks: masks, dropout, Tk = 300", 1, 2, 1, 70, 300, 16, false, true, 0, 0.1f},
  };
  return list;
}

TEST(attention_forward_matches_reference) {
  for (const Config& c : configs()) {
    Case s = make_case(c, 7);
    Result r(s);
    run(s, r);
    std::vector<double> out, lse;
    reference(s, to_double(s.q), to_double(s.k), to_double(s.v), to_double(s.bias), out, &lse);
    std::vector<float> out_f(out.begin(), out.end());
    CHECK(r.intact());
    const double err = check::max_rel_err(r.out.data(), out_f.data(), s.n_q());
    if (!(err <= 2e-5))
      check::fail(__FILE__, __LINE__, std::string(c.name) + ": out rel err " + std::to_string(err));
    for (size_t i = 0; i < lse.size(); ++i) {
      const bool ok = lse[i] == -kInf
                          ? r.lse[i] == -INFINITY
                          : std::fabs(r.lse[i] - lse[i]) <= 2e-5 * std::max(1.0, std::fabs(lse[i]));
      if (!ok) {
        check::fail(__FILE__, __LINE__, std::string(c.name) + ": lse[" + std::to_string(i) + "]");
        break;
      }
    }
  }
}

// Central differences of the double reference at a sample of entries of x.
void check_gradient(const char* what, const Config& c, const float* grad,
                    std::vector<double>& x, const std::function<double()>& loss) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<int64_t> idx;
  if (n <= 300) {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  } else {
    std::mt19937 gen(11);
    for (int t = 0; t < 60; ++t) idx.push_back(gen() % n);
  }
  double worst = 0;
  for (int64_t i : idx) {
    const double x0 = x[i], h = 1e-5;
    x[i] = x0 + h;
    const double lp = loss();
    x[i] = x0 - h;
    const double lm = loss();
    x[i] = x0;
    const double fd = std::isinf(x0) ? 0.0 : (lp - lm) / (2 * h);
    const double err = std::fabs(grad[i] - fd) / std::max(1.0, std::fabs(fd));
    if (!(err <= worst)) worst = err;
  }
  if (!(worst <= 1e-4))
    check::fail(__FILE__, __LINE__, std::string(c.name) + ": d" + what + " rel err " +
                                        std::to_string(worst));
}

TEST(attention_gradients_match_finite_differences) {
  for (const Config& c : configs()) {
    Case s = make_case(c, 21);
    Result r(s, 0.5f);  // dbias starts at 0.5: the kernel overwrites every element
    run(s, r);
    CHECK(r.intact());
    std::vector<double> q = to_double(s.q), k = to_double(s.k), v = to_double(s.v),
                        bias = to_double(s.bias), out;
    auto loss = [&] {
      reference(s, q, k, v, bias, out, nullptr);
      double l = 0;
      for (size_t e = 0; e < out.size(); ++e) l += s.w[e] * out[e];
      return l;
    };
    check_gradient("q", c, r.dq.data(), q, loss);
    check_gradient("k", c, r.dk.data(), k, loss);
    check_gradient("v", c, r.dv.data(), v, loss);
    if (c.bias_batch) {
      check_gradient("bias", c, r.dbias.data(), bias, loss);
    }
  }
}

// Whether the output and every gradient are finite.
bool all_finite(const Case& s, Result& r) {
  for (int64_t e = 0; e < s.n_q(); ++e)
    if (!std::isfinite(r.out[e]) || !std::isfinite(r.dq[e])) return false;
  for (int64_t e = 0; e < s.n_kv(); ++e)
    if (!std::isfinite(r.dk[e]) || !std::isfinite(r.dv[e])) return false;
  return true;
}

TEST(attention_rows_without_keys_give_zeros) {
  // Batch 2 of the padded config is fully masked; with causal and Tq > Tk, early rows see
  // nothing either.
  for (const Config& c : {configs()[3], configs()[8], configs()[2]}) {
    Case s = make_case(c, 3);
    Result r(s);
    run(s, r);
    CHECK(all_finite(s, r));
    int64_t empty_rows = 0;
    for (int64_t row = 0; row < c.B * c.H * c.Tq; ++row) {
      if (r.lse[row] != -INFINITY) continue;
      ++empty_rows;
      for (int64_t d = 0; d < c.D; ++d) CHECK(r.out[row * c.D + d] == 0.f && r.dq[row * c.D + d] == 0.f);
    }
    CHECK(empty_rows > 0);
  }
}

TEST(attention_null_gradients_are_skipped) {
  Case s = make_case(configs()[11], 5);
  Result full(s), part(s);
  run(s, full);
  const AttentionArgs a = s.args();
  // Only dk, then only dv and dbias: each must equal the full run's value.
  tl::attention_backward(nullptr, part.dk.data(), nullptr, nullptr, s.w.data(), s.q.data(),
                         s.k.data(), s.v.data(), full.out.data(), full.lse.data(), a);
  tl::attention_backward(nullptr, nullptr, part.dv.data(), part.dbias.data(), s.w.data(),
                         s.q.data(), s.k.data(), s.v.data(), full.out.data(), full.lse.data(), a);
  CHECK(part.intact());
  CHECK_CLOSE(part.dk.data(), full.dk.data(), s.n_kv(), 0.0);
  CHECK_CLOSE(part.dv.data(), full.dv.data(), s.n_kv(), 0.0);
  CHECK_CLOSE(part.dbias.data(), full.dbias.data(), s.n_bias(), 0.0);
}

TEST(attention_dropout_mask) {
  const float p = 0.25f;
  std::vector<double> z = probe_dropout(2, 3, 40, 50, p, 99);
  double kept = 0;
  for (double f : z) kept += f > 0;
  const double rate = kept / z.size();  // 12000 draws: sd of the rate is 0.004
  CHECK(std::fabs(rate - (1 - p)) < 0.02);
  CHECK(probe_dropout(2, 3, 40, 50, p, 99) == z);
  CHECK(probe_dropout(2, 3, 40, 50, p, 100) != z);
  // p = 1 drops everything: zeros, not NaN from 1 / (1 - p).
  std::vector<double> none = probe_dropout(1, 1, 3, 4, 1.f, 1);
  CHECK(std::all_of(none.begin(), none.end(), [](double f) { return f == 0.0; }));
}

bool bit_equal(check::Guarded& a, check::Guarded& b) {
  return std::memcmp(a.data(), b.data(), a.n * sizeof(float)) == 0;
}
bool bit_equal(Result& a, Result& b) {
  return bit_equal(a.out, b.out) && bit_equal(a.lse, b.lse) && bit_equal(a.dq, b.dq) &&
         bit_equal(a.dk, b.dk) && bit_equal(a.dv, b.dv) && bit_equal(a.dbias, b.dbias);
}

// Any non-zero mask byte attends (the TS op passes uint8 masks through as where() reads
// them): 1s replaced by other non-zero bytes give bit-identical results.
TEST(attention_key_mask_any_nonzero_byte_attends) {
  const uint8_t bytes[] = {2, 0x80, 0xff, 1};
  for (const Config& c : {configs()[2], configs()[3], configs()[12]}) {
    Case s = make_case(c, 17);
    Case odd = s;
    for (size_t e = 0; e < odd.mask.size(); ++e)
      if (odd.mask[e]) odd.mask[e] = bytes[e % 4];
    Result ones(s), other(odd);
    run(s, ones);
    run(odd, other);
    CHECK(bit_equal(ones, other));
  }
}

// Every task owns its outputs and walks blocks in a fixed order, so results do not depend
// on the thread count at all (stronger than the contract asks).
TEST(attention_deterministic_over_runs_and_threads) {
  const int saved = tl::num_threads();
  for (const Config& c : {configs()[11], configs()[12], configs()[4], configs()[13],
                          configs()[15], configs()[16], configs()[17], configs()[18]}) {
    Case s = make_case(c, 9);
    tl::set_num_threads(2);
    Result first(s), again(s);
    run(s, first);
    run(s, again);
    CHECK(bit_equal(first, again));
    for (int threads : {1, 3}) {
      tl::set_num_threads(threads);
      Result other(s);
      run(s, other);
      CHECK(bit_equal(first, other));
    }
  }
  tl::set_num_threads(saved);
}

TEST(attention_simd_levels_agree) {
  for (const Config& c : configs()) {
    Case s = make_case(c, 13);
    tl::set_simd_level(1);
    Result portable(s);
    run(s, portable);
    for (int level : {2, 3}) {
      tl::set_simd_level(level);
      Result fast(s);
      run(s, fast);
      CHECK(fast.intact());
      CHECK_CLOSE(fast.out.data(), portable.out.data(), s.n_q(), 1e-5);
      CHECK_CLOSE(fast.dq.data(), portable.dq.data(), s.n_q(), 1e-5);
      CHECK_CLOSE(fast.dk.data(), portable.dk.data(), s.n_kv(), 1e-5);
      CHECK_CLOSE(fast.dv.data(), portable.dv.data(), s.n_kv(), 1e-5);
      CHECK_CLOSE(fast.dbias.data(), portable.dbias.data(), s.n_bias(), 1e-5);
    }
  }
  tl::set_simd_level(0);
}

}  // namespace

// q, k, v, out, dout and the gradients in (B, T, heads, D) order (a linear layer's output
// split into heads) or inside a fused (B, T, 3, heads, D) QKV buffer, read and written
// through row strides: bit-identical to the contiguous (B, heads, T, D) run.
TEST(attention_strided_rows_match_contiguous) {
  for (const Config& c : {configs()[1], configs()[2], configs()[10], configs()[11], configs()[12]}) {
    Case s = make_case(c, 23);
    Result want(s);
    run(s, want);
    const int64_t B = c.B, H = c.H, Hk = c.Hkv, Tq = c.Tq, Tk = c.Tk, D = c.D;
    // (B, T, heads, D) for q/out/dout/dq; k and v interleaved in one (B, Tk, 2, Hkv, D) buffer.
    auto btqd = [&](const std::vector<float>& x, std::vector<float>& dst, int64_t heads,
                    int64_t T, int64_t sb, int64_t sh, int64_t st) {
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < heads; ++h)
          for (int64_t t = 0; t < T; ++t)
            for (int64_t d = 0; d < D; ++d) dst[b * sb + h * sh + t * st + d] = x[((b * heads + h) * T + t) * D + d];
    };
    const tl::AttnRows qr{Tq * H * D, D, H * D}, kr{Tk * 2 * Hk * D, D, 2 * Hk * D};
    const tl::AttnRows vr{kr.b, kr.h, kr.t};
    std::vector<float> q(s.n_q()), kv(2 * s.n_kv()), w(s.n_q());
    btqd(s.q, q, H, Tq, qr.b, qr.h, qr.t);
    btqd(s.k, kv, Hk, Tk, kr.b, kr.h, kr.t);
    std::vector<float> vtmp(2 * s.n_kv());
    btqd(s.v, vtmp, Hk, Tk, vr.b, vr.h, vr.t);
    for (int64_t b = 0; b < B; ++b)  // v sits Hkv * D after k in each position's row
      for (int64_t t = 0; t < Tk; ++t)
        for (int64_t e = 0; e < Hk * D; ++e)
          kv[b * kr.b + t * kr.t + Hk * D + e] = vtmp[b * kr.b + t * kr.t + e];
    btqd(s.w, w, H, Tq, qr.b, qr.h, qr.t);
    AttentionArgs a = s.args();
    a.q_rows = a.out_rows = a.dout_rows = a.dq_rows = qr;
    a.k_rows = a.dk_rows = kr;
    a.v_rows = a.dv_rows = kr;
    std::vector<float> out(s.n_q()), lse(B * H * Tq), dq(s.n_q()), dkv(2 * s.n_kv(), -7.f);
    tl::attention_forward(out.data(), lse.data(), q.data(), kv.data(), kv.data() + Hk * D, a);
    tl::attention_backward(dq.data(), dkv.data(), dkv.data() + Hk * D, nullptr, w.data(), q.data(),
                           kv.data(), kv.data() + Hk * D, out.data(), lse.data(), a);
    std::vector<float> e_out(s.n_q()), e_dq(s.n_q()), e_dkv(2 * s.n_kv());
    btqd(std::vector<float>(want.out.data(), want.out.data() + s.n_q()), e_out, H, Tq, qr.b, qr.h, qr.t);
    btqd(std::vector<float>(want.dq.data(), want.dq.data() + s.n_q()), e_dq, H, Tq, qr.b, qr.h, qr.t);
    btqd(std::vector<float>(want.dk.data(), want.dk.data() + s.n_kv()), e_dkv, Hk, Tk, kr.b, kr.h, kr.t);
    std::vector<float> e_dv(2 * s.n_kv());
    btqd(std::vector<float>(want.dv.data(), want.dv.data() + s.n_kv()), e_dv, Hk, Tk, kr.b, kr.h, kr.t);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < Tk; ++t)
        for (int64_t e = 0; e < Hk * D; ++e)
          e_dkv[b * kr.b + t * kr.t + Hk * D + e] = e_dv[b * kr.b + t * kr.t + e];
    CHECK(std::memcmp(out.data(), e_out.data(), out.size() * 4) == 0);
    CHECK(std::memcmp(lse.data(), want.lse.data(), lse.size() * 4) == 0);
    CHECK(std::memcmp(dq.data(), e_dq.data(), dq.size() * 4) == 0);
    CHECK(std::memcmp(dkv.data(), e_dkv.data(), dkv.size() * 4) == 0);
  }
}

// Scores of 1e10 and more: a one-hot softmax, whose gradients stay finite only if the
// backward recomputes every score exactly as the forward rounded it (else exp(score - lse)
// overflows). The forward's transposed form and the backward's row form, with key tails
// (the mask leaves 20 keys) and causal runs, at every SIMD level.
TEST(attention_large_scores_give_finite_gradients) {
  for (int level = 1; level <= 3; ++level) {
    tl::set_simd_level(level);
    for (bool causal : {false, true})
      for (float mag : {1e5f, 1e15f}) {
        Config c{"large scores", 2, 2, 2, 70, 70, 16, causal, true};
        Case s = make_case(c, 31);
        for (auto* x : {&s.q, &s.k, &s.v}) for (float& e : *x) e *= mag;
        Result r(s);
        run(s, r);
        if (!all_finite(s, r))
          check::fail(__FILE__, __LINE__, "level " + std::to_string(level) + (causal ? " causal" : "") +
                                              ", inputs x " + std::to_string(mag) + ": non-finite result");
      }
  }
  tl::set_simd_level(0);
}
