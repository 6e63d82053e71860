// The problem description the attention kernels share (internal: not part of the
// kernels.h contract): the dropout hash, the strides, masks and causal rule of one call,
// and the 16-row / 16-key runs the causal products walk. attention.cpp (forward) and
// attention_backward.cpp use it.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "attention_ops.h"
#include "kernels.h"

namespace tl::attention_detail {

// Dropout mask from a counter-based hash: keep(b, h, i, j) depends on nothing else, so the
// backward pass (and any thread) regenerates it exactly. SplitMix64 over a per-row stream.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Dropout {
  bool on = false;
  uint32_t threshold = 0;  // drop iff 24 random bits < threshold
  float inv_keep = 1.f;    // 1 / (1 - p), PyTorch's rescaling of the kept entries
  uint64_t base = 0;

  Dropout(float p, uint64_t seed) {
    if (!(p > 0.f)) return;
    on = true;
    base = splitmix64(seed);
    if (p >= 1.f) {
      threshold = 1u << 24;
      inv_keep = 0.f;
    } else {
      threshold = static_cast<uint32_t>(std::lround(double(p) * double(1u << 24)));
      inv_keep = 1.f / (1.f - p);
    }
  }
  // row = (b * H + h) * Tq + i, the query row's flat index.
  uint64_t row_key(int64_t row) const { return splitmix64(base + static_cast<uint64_t>(row)); }
  // z (n) = keep(j0 + j) ? 1 / (1 - p) : 0
  void factors(float* z, uint64_t key, int64_t j0, int64_t n) const {
    for (int64_t j = 0; j < n; ++j) {
      uint64_t bits = splitmix64(key ^ (static_cast<uint64_t>(j0 + j) * 0xD1B54A32D192ED03ull));
      z[j] = static_cast<uint32_t>(bits >> 40) >= threshold ? inv_keep : 0.f;
    }
  }
};

// Everything a task reads, resolved once per call.
struct Problem {
  const AttentionArgs& a;
  const AttnOps& ops;
  Dropout drop;
  int64_t group;                  // query heads per kv head
  int64_t offset;                 // Tk - Tq: causal shift
  std::vector<int64_t> key_end;   // (B) one past the last key the mask lets through
  std::vector<char> holes;        // (B) whether the mask hides a key before key_end
  // Row strides with the contiguous defaults filled in (kernels.h AttnRows).
  AttnRows q, k, v, out, dout, dq, dk, dv;

  Problem(const AttentionArgs& args, const AttnOps& o)
      : a(args), ops(o), drop(args.dropout_p, args.seed), group(args.H / args.Hkv),
        offset(args.Tk - args.Tq), key_end(args.B, args.Tk), holes(args.B, 0) {
    auto rows = [&](AttnRows r, int64_t heads, int64_t T) {
      if (r.b == 0 && r.h == 0 && r.t == 0) r = AttnRows{heads * T * a.D, T * a.D, a.D};
      return r;
    };
    q = rows(a.q_rows, a.H, a.Tq), out = rows(a.out_rows, a.H, a.Tq);
    dout = rows(a.dout_rows, a.H, a.Tq), dq = rows(a.dq_rows, a.H, a.Tq);
    k = rows(a.k_rows, a.Hkv, a.Tk), v = rows(a.v_rows, a.Hkv, a.Tk);
    dk = rows(a.dk_rows, a.Hkv, a.Tk), dv = rows(a.dv_rows, a.Hkv, a.Tk);
    // Right padding is the common case: keys past the last real one need no work at all.
    if (a.key_mask)
      for (int64_t b = 0; b < a.B; ++b) {
        int64_t e = a.Tk;
        while (e > 0 && !a.key_mask[b * a.Tk + e - 1]) --e;
        key_end[b] = e;
        for (int64_t j = 0; j < e; ++j) holes[b] = holes[b] || !a.key_mask[b * a.Tk + j];
      }
  }
  // Row i of head h of batch item b of an operand with row strides r.
  static int64_t at(const AttnRows& r, int64_t b, int64_t h, int64_t i) {
    return b * r.b + h * r.h + i * r.t;
  }
  // Number of keys in [j0, j0 + nk) query i may see under the causal rule.
  int64_t visible(int64_t i, int64_t j0, int64_t nk) const {
    if (!a.causal) return nk;
    return std::clamp<int64_t>(i + offset + 1 - j0, 0, nk);
  }
  // One past the last key any of queries [0, i_end) may see.
  int64_t keys_for(int64_t b, int64_t i_end) const {
    int64_t e = key_end[b];
    if (a.causal) e = std::clamp<int64_t>(i_end + offset, 0, e);
    return e;
  }
  const float* bias_row(int64_t b, int64_t h, int64_t i) const {
    if (!a.bias) return nullptr;
    int64_t bb = a.bias_batch > 1 ? b : 0;
    return a.bias + ((bb * a.H + h) * a.Tq + i) * a.Tk;
  }
  // kmadd (nk) = 0 where the key mask lets key j0 + j through, -inf elsewhere; null if no
  // mask, or none before key_end (right padding, all ones: the unmasked code then serves).
  const float* mask_add(float* kmadd, int64_t b, int64_t j0, int64_t nk) const {
    if (!a.key_mask || !holes[b]) return nullptr;
    for (int64_t j = 0; j < nk; ++j) kmadd[j] = a.key_mask[b * a.Tk + j0 + j] ? 0.f : kNegInf;
    return kmadd;
  }
};

// Under the causal rule a block's rows see a growing prefix of its keys (vis[r] grows with
// r), so the products run over 16-row runs, each over the keys its last row sees rounded up
// to 16: P and dS are 0 past a row's visible keys, and a diagonal block costs 5/8 of a full
// one. Bit-identical to the whole block (only zero terms are skipped). Without the causal
// rule: one run over every row and key.
constexpr int64_t kRun = 16;
template <class Fn>  // fn(first row, rows, keys)
void query_runs(const int64_t* vis, int64_t nq, int64_t nk, bool causal, Fn fn) {
  if (!causal) return fn(int64_t(0), nq, nk);
  for (int64_t r0 = 0; r0 < nq; r0 += kRun) {
    const int64_t rows = std::min(kRun, nq - r0);
    const int64_t keys = std::min(nk, (vis[r0 + rows - 1] + kRun - 1) / kRun * kRun);
    if (keys > 0) fn(r0, rows, keys);
  }
}
// The same for products whose rows are keys (dV, dK): 16-key runs, each over the queries
// from the first one that sees the run's first key.
template <class Fn>  // fn(first key, keys, first query)
void key_runs(const int64_t* vis, int64_t nq, int64_t nk, bool causal, Fn fn) {
  if (!causal) return fn(int64_t(0), nk, int64_t(0));
  int64_t r = 0;
  for (int64_t c0 = 0; c0 < nk; c0 += kRun) {
    while (r < nq && vis[r] <= c0) ++r;
    if (r == nq) return;
    fn(c0, std::min(kRun, nk - c0), r);
  }
}

}  // namespace tl::attention_detail
