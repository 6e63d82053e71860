// 4-bit (NF4/FP4) and 8-bit blockwise quantization, and the GEMM that decodes a 4-bit B
// while packing. Bit-exactness against bitsandbytes is tested in TypeScript against the
// fixtures (test/quant); here: the code tables, nibble order, tie rule, padding, block
// edges, and the fused GEMM against dequantize-then-GEMM at every SIMD level.
#include <algorithm>
#include <array>
#include <cstring>

#include "check.h"
#include "levels.h"
#include "kernels.h"

namespace {

std::vector<float> decode_all(const tl::Quant4Matrix& q) {
  std::vector<float> out(q.n);
  tl::decode_4bit(out.data(), q, 0, q.n);
  return out;
}

// A quantized random matrix, optionally with double-quantized block scales.
struct Q4 {
  std::vector<uint8_t> packed, absmax_q;
  std::vector<float> absmax, nested_absmax, shifted;
  tl::Quant4Matrix m;
  Q4(int64_t n, tl::QuantType t, bool nested, uint32_t seed) {
    auto x = check::randn(n, seed);
    const int64_t blocks = (n + 63) / 64;
    packed.resize((n + 1) / 2);
    absmax.resize(blocks);
    tl::quantize_4bit(packed.data(), absmax.data(), x.data(), tl::F32, n, 64, t);
    m.packed = packed.data(), m.n = n, m.blocksize = 64, m.type = t;
    if (!nested) {
      m.absmax = absmax.data();
      return;
    }
    double sum = 0;
    for (float a : absmax) sum += a;
    const float offset = float(sum / double(blocks));
    shifted.resize(blocks);
    for (int64_t b = 0; b < blocks; ++b) shifted[b] = absmax[b] - offset;
    absmax_q.resize(blocks);
    nested_absmax.resize((blocks + 255) / 256);
    tl::quantize_blockwise_8bit(absmax_q.data(), nested_absmax.data(), shifted.data(),
                                tl::dynamic_code_8bit(), blocks, 256);
    m.absmax_q = absmax_q.data(), m.nested_absmax = nested_absmax.data();
    m.nested_code = tl::dynamic_code_8bit(), m.nested_blocksize = 256, m.offset = offset;
  }
};


}  // namespace

TEST(nf4_high_nibble_first_and_odd_padding) {
  const float x[3] = {1.f, -1.f, 0.5f};
  uint8_t packed[2];
  float absmax[1];
  tl::quantize_4bit(packed, absmax, x, tl::F32, 3, 64, tl::Q_NF4);
  CHECK(absmax[0] == 1.f);
  CHECK(packed[0] == 0xF0);  // code 15 (1.0) high, code 0 (-1.0) low
  // 0.5 lies below the midpoint 0.5016 of 0.4407 (12) and 0.5626 (13); the pad nibble is 7 (0.0).
  CHECK(packed[1] == (12 << 4 | 7));
}

TEST(nf4_midpoint_goes_to_lower_code) {
  const float* code = tl::code_4bit(tl::Q_NF4);
  const float mid = (code[9] + code[10]) / 2.f;
  const float x[2] = {1.f, mid};  // absmax 1: scaling is exact
  uint8_t packed[1];
  float absmax[1];
  tl::quantize_4bit(packed, absmax, x, tl::F32, 2, 64, tl::Q_NF4);
  CHECK((packed[0] & 15) == 9);
}

TEST(fp4_table_and_exact_round_trip) {
  const float* code = tl::code_4bit(tl::Q_FP4);
  CHECK(code[3] == 1.f && code[11] == -1.f && code[0] == 0.f);
  CHECK(std::fabs(code[1] - 0.0625f / 12.f) < 1e-9f);
  // Every code value times a power-of-two absmax comes back exactly.
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i) x[i] = 4.f * code[i % 16];
  std::vector<uint8_t> packed(32);
  float absmax[1];
  tl::quantize_4bit(packed.data(), absmax, x.data(), tl::F32, 64, 64, tl::Q_FP4);
  std::vector<float> back(64);
  tl::dequantize_4bit(back.data(), packed.data(), absmax, 64, 64, tl::Q_FP4);
  CHECK(absmax[0] == 4.f);
  for (int i = 0; i < 64; ++i) CHECK(back[i] == x[i]);
}

TEST(dynamic_map_shape) {
  const float* c = tl::dynamic_code_8bit();
  CHECK(c[255] == 1.f);
  CHECK(std::is_sorted(c, c + 256));
  CHECK(std::count(c, c + 256, 0.f) == 1);
  CHECK(c[0] < -0.99f && c[0] > -1.f);
}

TEST(blockwise_round_trip_error_bounds) {
  for (tl::QuantType t : {tl::Q_NF4, tl::Q_FP4}) {
    const int64_t n = 64 * 9 + 37;  // a partial last block
    auto x = check::randn(n, 7);
    std::vector<uint8_t> packed((n + 1) / 2);
    std::vector<float> absmax((n + 63) / 64), back(n);
    tl::quantize_4bit(packed.data(), absmax.data(), x.data(), tl::F32, n, 64, t);
    tl::dequantize_4bit(back.data(), packed.data(), absmax.data(), n, 64, t);
    for (int64_t i = 0; i < n; ++i) {
      const float am = absmax[i / 64];
      // Largest gap between neighbouring codes: NF4 0.30, FP4 0.33 (of absmax).
      if (!(std::fabs(back[i] - x[i]) <= 0.17f * am)) { CHECK(false); break; }
    }
  }
  const int64_t n = 1000;
  auto x = check::randn(n, 8);
  std::vector<uint8_t> q(n);
  std::vector<float> absmax(4), back(n);
  tl::quantize_blockwise_8bit(q.data(), absmax.data(), x.data(), tl::dynamic_code_8bit(), n, 256);
  tl::dequantize_blockwise_8bit(back.data(), q.data(), absmax.data(), tl::dynamic_code_8bit(), n, 256, 0.f);
  for (int64_t i = 0; i < n; ++i)
    if (!(std::fabs(back[i] - x[i]) <= 0.02f * absmax[i / 256])) { CHECK(false); break; }
}

TEST(bf16_input_quantizes_like_its_f32_value) {
  const int64_t n = 130;
  auto x = check::randn(n, 9);
  std::vector<uint16_t> h(n);
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, &x[i], 4);
    h[i] = uint16_t(u >> 16);  // truncate: x becomes exactly representable in bf16
    u = uint32_t(h[i]) << 16;
    std::memcpy(&x[i], &u, 4);
  }
  std::vector<uint8_t> p1(n / 2), p2(n / 2);
  std::vector<float> a1(3), a2(3);
  tl::quantize_4bit(p1.data(), a1.data(), x.data(), tl::F32, n, 64, tl::Q_NF4);
  tl::quantize_4bit(p2.data(), a2.data(), h.data(), tl::BF16, n, 64, tl::Q_NF4);
  CHECK(p1 == p2);
  CHECK(a1 == a2);
}

TEST(decode_any_range_matches_full_decode) {
  Q4 q(64 * 5 + 3, tl::Q_NF4, true, 3);
  auto full = decode_all(q.m);
  for (int64_t begin : {0, 1, 63, 64, 65, 130})
    for (int64_t len : {1, 2, 63, 64, 129}) {
      if (begin + len > q.m.n) continue;
      std::vector<float> part(len);
      tl::decode_4bit(part.data(), q.m, begin, len);
      CHECK(std::equal(part.begin(), part.end(), full.begin() + begin));
    }
}

TEST(gemm_4bit_equals_dequantize_then_gemm) {
  check::for_each_level([] {
    for (bool nested : {false, true})
      for (int t = 0; t < 4; ++t)
        for (auto [M, N, K] : {std::array<int64_t, 3>{1, 70, 96}, {5, 33, 130}, {37, 300, 200},
                               {300, 8, 64}, {64, 1100, 300}, {3, 16, 200}}) {
          const bool ta = t & 1, tb = t & 2;
          // B is (K, N) or, transposed, (N, K): the quantized matrix's row-major elements.
          Q4 q(K * N, nested ? tl::Q_NF4 : tl::Q_FP4, nested, uint32_t(M + N + K));
          auto bdec = decode_all(q.m);
          const int64_t ldb = tb ? K : N, lda = ta ? M : K;
          auto A = check::randn(M * K, 5);
          check::Guarded got(M * N), want(M * N), ref(M * N);
          tl::gemm_4bit(ta, tb, M, N, K, 1.f, A.data(), lda, 0, q.m, ldb, 0.f, got.data(), N, 0, 1);
          tl::gemm(ta, tb, M, N, K, 1.f, A.data(), lda, 0, bdec.data(), tl::F32, ldb, 0, 0.f,
                   want.data(), N, 0, 1);
          tl::gemm_reference(ta, tb, M, N, K, 1.f, A.data(), lda, 0, bdec.data(), tl::F32, ldb, 0,
                             0.f, ref.data(), N, 0, 1);
          CHECK(got.intact());
          CHECK_CLOSE(got.data(), want.data(), M * N, 1e-5 * std::sqrt(double(K)));
          CHECK_CLOSE(got.data(), ref.data(), M * N, 1e-4 * std::sqrt(double(K)));
        }
  });
}

TEST(gemm_4bit_broadcast_batch) {
  const int64_t M = 7, N = 40, K = 64, batch = 3;
  Q4 q(K * N, tl::Q_NF4, false, 4);
  auto bdec = decode_all(q.m);
  auto A = check::randn(batch * M * K, 6);
  check::Guarded got(batch * M * N), want(batch * M * N);
  tl::gemm_4bit(false, true, M, N, K, 1.f, A.data(), K, M * K, q.m, K, 0.f, got.data(), N, M * N, batch);
  tl::gemm_reference(false, true, M, N, K, 1.f, A.data(), K, M * K, bdec.data(), tl::F32, K, 0, 0.f,
                     want.data(), N, M * N, batch);
  CHECK(got.intact());
  CHECK_CLOSE(got.data(), want.data(), batch * M * N, 1e-4 * 8);
}

// ---- LLM.int8 row-wise int8 --------------------------------------------------------------

// Row-wise int8 as bitsandbytes' Int8Params: x rounded to float16 (here through the cast
// kernel, an independent float16 rounding), absmax per row, codes round((1/absmax)*127 * x).
TEST(int8_rows_match_the_bitsandbytes_formula) {
  const int64_t rows = 6, cols = 70;
  auto x = check::randn(rows * cols, 11, 3.f);
  // Edge values: float16 ties, subnormals, near the float16 maximum, and an all-zero row.
  x[0] = 1.f + 1.f / 2048.f, x[1] = 1.f + 3.f / 2048.f, x[2] = 3e-6f, x[3] = -6e-8f;
  x[cols] = 65519.f, x[cols + 1] = -1e-3f;
  for (int64_t c = 0; c < cols; ++c) x[2 * cols + c] = 0.f;
  std::vector<int8_t> codes(rows * cols);
  std::vector<float> absmax(rows);
  tl::quantize_int8_rows(codes.data(), absmax.data(), x.data(), tl::F32, rows, cols);
  std::vector<uint16_t> h(rows * cols);
  std::vector<float> hf(rows * cols);
  tl::cast(h.data(), tl::F16, x.data(), tl::F32, rows * cols);
  tl::cast(hf.data(), tl::F32, h.data(), tl::F16, rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    float am = 0.f;
    for (int64_t c = 0; c < cols; ++c) am = std::max(am, std::fabs(hf[r * cols + c]));
    CHECK(absmax[r] == am);
    const float s = (1.f / am) * 127.f;
    for (int64_t c = 0; c < cols; ++c) {
      const float v = std::nearbyint(hf[r * cols + c] * s);
      CHECK(codes[r * cols + c] == (am == 0.f ? 0 : int8_t(v)));
    }
  }
  CHECK(absmax[2] == 0.f);
}

TEST(gemm_int8_equals_dequantize_then_gemm) {
  check::for_each_level([] {
    for (bool unscaled : {false, true})
      for (int t = 0; t < 4; ++t)
        for (auto [M, N, K] : {std::array<int64_t, 3>{1, 70, 96}, {5, 33, 130}, {37, 300, 200}, {300, 8, 64}}) {
          const bool ta = t & 1, tb = t & 2;
          // The int8 matrix is op(B) stored (K, N), or transposed (N, K) as nn.Linear's weight.
          const int64_t rows = tb ? N : K, cols = tb ? K : N;
          auto w = check::randn(rows * cols, uint32_t(M + N + K));
          std::vector<int8_t> codes(rows * cols);
          std::vector<float> absmax(rows);
          tl::quantize_int8_rows(codes.data(), absmax.data(), w.data(), tl::F32, rows, cols);
          tl::Quant4Matrix q;
          q.int8_codes = codes.data(), q.row_absmax = absmax.data(), q.row_len = cols, q.n = rows * cols;
          q.int8_unscaled = unscaled;
          std::vector<float> bdec(rows * cols);
          const float inv127 = float(1.0 / 127.0);
          for (int64_t e = 0; e < rows * cols; ++e)
            bdec[e] = unscaled ? float(codes[e]) : float(codes[e]) * (absmax[e / cols] * inv127);
          // A decoded run across a row boundary.
          const int64_t b0 = std::max<int64_t>(0, cols - 2), len = std::min<int64_t>(5, rows * cols - b0);
          std::vector<float> part(len);
          tl::decode_4bit(part.data(), q, b0, len);
          CHECK(std::equal(part.begin(), part.end(), bdec.begin() + b0));
          const int64_t ldb = tb ? K : N, lda = ta ? M : K;
          auto A = check::randn(M * K, 5);
          check::Guarded got(M * N), want(M * N);
          tl::gemm_4bit(ta, tb, M, N, K, 1.f, A.data(), lda, 0, q, ldb, 0.f, got.data(), N, 0, 1);
          tl::gemm_reference(ta, tb, M, N, K, 1.f, A.data(), lda, 0, bdec.data(), tl::F32, ldb, 0,
                             0.f, want.data(), N, 0, 1);
          CHECK(got.intact());
          CHECK_CLOSE(got.data(), want.data(), M * N, (unscaled ? 127 : 1) * 1e-4 * std::sqrt(double(K)));
        }
  });
}
