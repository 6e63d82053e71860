// Memory-efficient scaled dot-product attention: FlashAttention-2 on the CPU.
//
// Forward: for each (b, h, block of queries) stream over blocks of keys, keeping a running
// max m and sum l per query (online softmax) and an unnormalised output accumulator; only
// lse = m + log(l) is stored. Backward recomputes P = exp(S - lse) block by block and uses
// D_i = rowsum(dout_i * out_i), dS = P * (dP - D) (valid with dropout too, since out already
// holds the dropped, rescaled probabilities).
//
// Work split, and why every result is bit-identical for any thread count:
// - forward: one task per (b, h, query block); tasks write disjoint rows.
// - backward: one task per (b, kv head) owns dk/dv of that kv head, dq of the query heads
//   that share it and their dbias rows; inside, key blocks are the outer loop (dk/dv stay
//   in a small local accumulator) and query heads/blocks the inner one, in a fixed order.
//   A bias shared over the batch (Bb = 1) makes dbias a sum over b, so then a task is one
//   kv head and loops over b itself, in order.
// All small matrix products go through one register-blocked micro-kernel (6 x 16 AVX2 or
// 8 x 32 AVX-512 accumulators, in attention_tiles.cpp) over operands laid out so its B
// side is read row-wise. Under the causal rule, blocks on the diagonal run their products
// over 16-row runs of just the keys those rows see.
//
// Layout: the row steps sit behind one table of function pointers (attention_ops.cpp), the
// products in attention_tiles.cpp; here the dropout hash, the problem's strides and masks,
// the forward block (row form and, on AVX-512 without a bias, the transposed form), the
// backward kv head, then the entry points.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "attention_ops.h"
#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

using namespace attention_detail;

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
  // Row strides with the contiguous defaults filled in (kernels.h AttnRows).
  AttnRows q, k, v, out, dout, dq, dk, dv;

  Problem(const AttentionArgs& args, const AttnOps& o)
      : a(args), ops(o), drop(args.dropout_p, args.seed), group(args.H / args.Hkv),
        offset(args.Tk - args.Tq), key_end(args.B, args.Tk) {
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
  // kmadd (nk) = 0 where the key mask lets key j0 + j through, -inf elsewhere; null if no mask.
  const float* mask_add(float* kmadd, int64_t b, int64_t j0, int64_t nk) const {
    if (!a.key_mask) return nullptr;
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

// ---------------------------------------------------------------------------------------
// Forward

// Per thread. K^T of the kv head the last task used stays packed, block by block, so the
// query blocks and query heads that share it (consecutive tasks) do not transpose it again;
// above kMaxCachedKt floats only one block is kept and every task packs its own.
constexpr int64_t kMaxCachedKt = int64_t(1) << 20;
struct ForwardScratch {
  std::vector<float> kt, qt, s, acc, m, l, kmadd, z;
  int64_t kt_kv = -1;      // flat (b, kv head) index whose blocks kt holds
  int64_t kt_blocks = 0;   // blocks [0, kt_blocks) of it are packed
  bool cache_kt;
  ForwardScratch(int64_t D, int64_t Tk)
      : qt(D * kQueryBlock), s(kQueryBlock * kKeyBlock), acc(kQueryBlock * D), m(kQueryBlock),
        l(kQueryBlock),
        kmadd(kKeyBlock), z(kKeyBlock) {
    const int64_t blocks = (Tk + kKeyBlock - 1) / kKeyBlock;
    cache_kt = D * kKeyBlock * blocks <= kMaxCachedKt;
    kt.resize(D * kKeyBlock * (cache_kt ? blocks : 1));
  }
  // K^T block starting at key j0 of kv head `kv` (rows kb (Tk, D), ld apart), packed on
  // first use.
  const float* key_block(const AttnOps& ops, int64_t kv, const float* kb, int64_t ld,
                         int64_t j0, int64_t Tk, int64_t D) {
    const int64_t blk = j0 / kKeyBlock, nk = std::min(kKeyBlock, Tk - j0);
    if (!cache_kt) {
      ops.pack_t(kt.data(), kb + j0 * ld, ld, nk, D);
      return kt.data();
    }
    if (kv != kt_kv) kt_kv = kv, kt_blocks = 0;
    float* dst = kt.data() + blk * D * kKeyBlock;
    for (; kt_blocks <= blk; ++kt_blocks) {  // blocks are asked for in order from 0
      const int64_t b0 = kt_blocks * kKeyBlock;
      ops.pack_t(kt.data() + kt_blocks * D * kKeyBlock, kb + b0 * ld, ld,
                 std::min(kKeyBlock, Tk - b0), D);
    }
    return dst;
  }
};

// out rows = acc / l and lse = m + log(l), or 0 and -inf for rows that saw no key.
void finish_block(const Problem& p, float* out, float* lse, int64_t b, int64_t h, int64_t i0,
                  int64_t nq, ForwardScratch& w) {
  const AttentionArgs& a = p.a;
  const int64_t D = a.D, bh = b * a.H + h;
  const float* acc = w.acc.data();
  for (int64_t r = 0; r < nq; ++r) {
    float* o = out + Problem::at(p.out, b, h, i0 + r);
    const float l = w.l[r];
    if (l > 0.f) {
      std::copy(acc + r * D, acc + (r + 1) * D, o);
      p.ops.scale(o, D, 1.f / l);
      lse[bh * a.Tq + i0 + r] = w.m[r] + std::log(l);
    } else {
      std::fill(o, o + D, 0.f);
      lse[bh * a.Tq + i0 + r] = kNegInf;
    }
  }
}

#if defined(__x86_64__)
// forward_block with the scores transposed, (keys, queries): the online softmax then runs
// down the columns, 16 queries a vector, with no horizontal reductions and no per-row scalar
// work (the row form is latency bound on those). AVX-512, no bias; K is read in place as the
// product's broadcast operand and the query block is packed transposed instead.
static_assert(kQueryBlock == 64 && kKeyBlock == 64, "4 vectors of queries, 64-float rows");
TL_AVX512 void forward_block_t(const Problem& p, float* out, float* lse, const float* q,
                               const float* k, const float* v, int64_t b, int64_t h,
                               int64_t i0, ForwardScratch& w) {
  const AttentionArgs& a = p.a;
  const AttnOps& ops = p.ops;
  const int64_t D = a.D, nq = std::min(kQueryBlock, a.Tq - i0);
  const int64_t bh = b * a.H + h, kvh = h / p.group;
  const float* qb = q + Problem::at(p.q, b, h, i0);  // (nq, D), rows p.q.t apart
  const float* kb = k + Problem::at(p.k, b, kvh, 0);  // (Tk, D), rows p.k.t apart
  const float* vb = v + Problem::at(p.v, b, kvh, 0);  // (Tk, D), rows p.v.t apart
  float* acc = w.acc.data();                          // (nq, D) unnormalised output
  float* st = w.s.data();                             // (keys, kQueryBlock) scores, then P^T
  std::fill(acc, acc + nq * D, 0.f);
  // q_block^T (D, kQueryBlock), unscaled: each score must round exactly as the backward's
  // recompute does (q . k, then times the scale), or exp(score - lse) there can exceed 1
  // and overflow where scores are large.
  ops.pack_t(w.qt.data(), qb, p.q.t, nq, D);
  const __m512 ninf = _mm512_set1_ps(kNegInf), vs = _mm512_set1_ps(a.scale);
  __m512 m[4], l[4];
  for (int c = 0; c < 4; ++c) m[c] = ninf, l[c] = _mm512_setzero_ps();
  alignas(64) int32_t vis32[kQueryBlock];
  alignas(64) float alpha[kQueryBlock];

  const int64_t j_end = p.keys_for(b, i0 + nq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
    int64_t vis[kQueryBlock];
    for (int64_t r = 0; r < kQueryBlock; ++r) {
      vis[r] = r < nq ? p.visible(i0 + r, j0, nk) : 0;  // padding columns see nothing
      vis32[r] = int32_t(vis[r]);
    }
    // st (nk, queries) = k_block @ q_block^T, from the first query that sees each key run
    key_runs(vis, nq, nk, a.causal, [&](int64_t c0, int64_t keys, int64_t r0) {
      const int64_t q0 = r0 / 16 * 16;
      ops.matmul(keys, kQueryBlock - q0, D, kb + (j0 + c0) * p.k.t, p.k.t, 1,
                 w.qt.data() + q0, kQueryBlock, st + c0 * kQueryBlock + q0, kQueryBlock, false);
    });
    // Scores, masked to -inf where a query does not see the key, and their column max.
    __m512 mx[4];
    for (int c = 0; c < 4; ++c) mx[c] = ninf;
    if (nq == kQueryBlock && vis[0] == nk && !kmadd) {  // every query sees every key
      for (int64_t j = 0; j < nk; ++j)
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
          float* x = st + j * kQueryBlock + 16 * c;
          const __m512 sx = _mm512_mul_ps(_mm512_loadu_ps(x), vs);
          _mm512_storeu_ps(x, sx);
          mx[c] = _mm512_max_ps(mx[c], sx);
        }
    } else {
      __m512i vv[4];
      for (int c = 0; c < 4; ++c) vv[c] = _mm512_load_si512(vis32 + 16 * c);
      for (int64_t j = 0; j < nk; ++j) {
        const __m512i vj = _mm512_set1_epi32(int32_t(j));
        const __m512 add = _mm512_set1_ps(kmadd ? kmadd[j] : 0.f);
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
          float* x = st + j * kQueryBlock + 16 * c;
          const __mmask16 seen = _mm512_cmpgt_epi32_mask(vv[c], vj);
          const __m512 sx =
              _mm512_mask_blend_ps(seen, ninf, _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(x), vs), add));
          _mm512_storeu_ps(x, sx);
          mx[c] = _mm512_max_ps(mx[c], sx);
        }
      }
    }
    __m512 vm[4], sum[4];
    for (int c = 0; c < 4; ++c) {
      const __m512 m_new = _mm512_max_ps(m[c], mx[c]);
      // Columns with nothing visible yet subtract 0: exp(-inf) keeps them 0, no inf - inf.
      vm[c] = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(m_new, ninf, _CMP_EQ_OQ), m_new,
                                   _mm512_setzero_ps());
      _mm512_store_ps(alpha + 16 * c, exp16(_mm512_sub_ps(m[c], vm[c])));  // 0 if m was -inf
      m[c] = m_new, sum[c] = _mm512_setzero_ps();
    }
    for (int64_t j = 0; j < nk; ++j) {
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        float* x = st + j * kQueryBlock + 16 * c;
        const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(x), vm[c]));
        _mm512_storeu_ps(x, e);
        sum[c] = _mm512_add_ps(sum[c], e);
      }
    }
    for (int c = 0; c < 4; ++c)
      l[c] = _mm512_fmadd_ps(l[c], _mm512_load_ps(alpha + 16 * c), sum[c]);
    for (int64_t r = 0; r < nq; ++r)
      if (alpha[r] != 1.f) ops.scale(acc + r * D, D, alpha[r]);
    if (p.drop.on)  // the sums above are pre-dropout: dropout acts on normalised P
      for (int64_t r = 0; r < nq; ++r) {
        p.drop.factors(w.z.data(), p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
        for (int64_t j = 0; j < vis[r]; ++j) st[j * kQueryBlock + r] *= w.z[j];
      }
    // acc (nq, D) += P (nq, nk) @ v_block (nk, D), P read from st transposed
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      ops.matmul(rows, D, keys, st + r0, 1, kQueryBlock, vb + j0 * p.v.t, p.v.t, acc + r0 * D,
                 D, true);
    });
  }
  for (int c = 0; c < 4; ++c) {
    _mm512_storeu_ps(w.m.data() + 16 * c, m[c]);
    _mm512_storeu_ps(w.l.data() + 16 * c, l[c]);
  }
  finish_block(p, out, lse, b, h, i0, nq, w);
}
#endif

void forward_block(const Problem& p, float* out, float* lse, const float* q, const float* k,
                   const float* v, int64_t b, int64_t h, int64_t i0, ForwardScratch& w) {
  const AttentionArgs& a = p.a;
  const AttnOps& ops = p.ops;
  const int64_t D = a.D, nq = std::min(kQueryBlock, a.Tq - i0);
  const int64_t bh = b * a.H + h, kvh = h / p.group, kv = b * a.Hkv + kvh;
  const float* qb = q + Problem::at(p.q, b, h, i0);  // (nq, D), rows p.q.t apart
  const float* kb = k + Problem::at(p.k, b, kvh, 0);  // (Tk, D), rows p.k.t apart
  const float* vb = v + Problem::at(p.v, b, kvh, 0);  // (Tk, D), rows p.v.t apart
  float* acc = w.acc.data();                    // (nq, D) unnormalised output
  std::fill(acc, acc + nq * D, 0.f);
  std::fill(w.m.begin(), w.m.end(), kNegInf);
  std::fill(w.l.begin(), w.l.end(), 0.f);

  const int64_t j_end = p.keys_for(b, i0 + nq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    const float* kt = w.key_block(ops, kv, kb, p.k.t, j0, a.Tk, D);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
    int64_t vis[kQueryBlock];
    for (int64_t r = 0; r < nq; ++r) vis[r] = p.visible(i0 + r, j0, nk);
    // s (nq, kKeyBlock) = q_block @ k_block^T
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      ops.matmul(rows, keys, D, qb + r0 * p.q.t, p.q.t, 1, kt, kKeyBlock,
                 w.s.data() + r0 * kKeyBlock, kKeyBlock, false);
    });
    const float* bias = p.bias_row(b, h, i0);
    const SoftmaxBlock sb{w.s.data(), nq, nk, vis, a.scale, bias ? bias + j0 : nullptr, a.Tk, kmadd};
    online_softmax(ops, sb, w.m.data(), w.l.data(), acc, D);
    if (p.drop.on)  // the sums above are pre-dropout: dropout acts on normalised P
      for (int64_t r = 0; r < nq; ++r) {
        p.drop.factors(w.z.data(), p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
        ops.mul(w.s.data() + r * kKeyBlock, w.z.data(), vis[r]);
      }
    // acc (nq, D) += p (nq, nk) @ v_block (nk, D)
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      ops.matmul(rows, D, keys, w.s.data() + r0 * kKeyBlock, kKeyBlock, 1, vb + j0 * p.v.t,
                 p.v.t, acc + r0 * D, D, true);
    });
  }

  finish_block(p, out, lse, b, h, i0, nq, w);
}

// ---------------------------------------------------------------------------------------
// Backward

struct Grads {
  float *dq, *dk, *dv, *dbias;
  const float* dout;
};

struct BackwardScratch {
  std::vector<float> kt, vt, s, dp, ds, dk, dv, kmadd, z, delta;
  BackwardScratch(int64_t D, int64_t group, int64_t Tq)
      : kt(D * kKeyBlock), vt(D * kKeyBlock), s(kQueryBlock * kKeyBlock),
        dp(kQueryBlock * kKeyBlock), ds(kQueryBlock * kKeyBlock), dk(kKeyBlock * D),
        dv(kKeyBlock * D), kmadd(kKeyBlock), z(kQueryBlock * kKeyBlock), delta(group * Tq) {}
};

// Gradients of one (b, kv head): dk/dv rows of that head, dq and dbias rows of its query
// heads. dq must already be zero; it is scaled by the caller's loop at the end.
void backward_kv_head(const Problem& p, const Grads& g, const float* q, const float* k,
                      const float* v, const float* out, const float* lse, int64_t b,
                      int64_t kvh, BackwardScratch& w) {
  const AttentionArgs& a = p.a;
  const AttnOps& ops = p.ops;
  const int64_t D = a.D, h0 = kvh * p.group;
  const bool need_ds = g.dq || g.dk || g.dbias;
  const float* kb = k + Problem::at(p.k, b, kvh, 0);  // (Tk, D), rows p.k.t apart
  const float* vb = v + Problem::at(p.v, b, kvh, 0);  // (Tk, D), rows p.v.t apart

  // delta (group, Tq): D_i = dout_i . out_i
  for (int64_t hh = 0; hh < p.group; ++hh)
    for (int64_t i = 0; i < a.Tq; ++i)
      w.delta[hh * a.Tq + i] = ops.dot(g.dout + Problem::at(p.dout, b, h0 + hh, i),
                                       out + Problem::at(p.out, b, h0 + hh, i), D);

  const int64_t j_end = p.keys_for(b, a.Tq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    ops.pack_t(w.kt.data(), kb + j0 * p.k.t, p.k.t, nk, D);
    if (need_ds) ops.pack_t(w.vt.data(), vb + j0 * p.v.t, p.v.t, nk, D);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
    std::fill(w.dk.begin(), w.dk.begin() + nk * D, 0.f);
    std::fill(w.dv.begin(), w.dv.begin() + nk * D, 0.f);
    // Queries before i_start see none of these keys under the causal rule.
    const int64_t i_start = a.causal ? std::clamp<int64_t>(j0 - p.offset, 0, a.Tq) : 0;

    for (int64_t hh = 0; hh < p.group; ++hh) {
      const int64_t h = h0 + hh, bh = b * a.H + h;
      for (int64_t i0 = i_start; i0 < a.Tq; i0 += kQueryBlock) {
        const int64_t nq = std::min(kQueryBlock, a.Tq - i0);
        const float* qb = q + Problem::at(p.q, b, h, i0);          // (nq, D)
        const float* dob = g.dout + Problem::at(p.dout, b, h, i0);  // (nq, D)
        int64_t vis[kQueryBlock];
        for (int64_t r = 0; r < nq; ++r) vis[r] = p.visible(i0 + r, j0, nk);
        // s = q k^T and dp = dout v^T, both (nq, kKeyBlock)
        query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
          ops.matmul(rows, keys, D, qb + r0 * p.q.t, p.q.t, 1, w.kt.data(), kKeyBlock,
                     w.s.data() + r0 * kKeyBlock, kKeyBlock, false);
          if (need_ds)
            ops.matmul(rows, keys, D, dob + r0 * p.dout.t, p.dout.t, 1, w.vt.data(), kKeyBlock,
                       w.dp.data() + r0 * kKeyBlock, kKeyBlock, false);
        });
        // Dropout: dP wrt the undropped P is dP * z; the factors stay for P's turn below.
        if (p.drop.on)
          for (int64_t r = 0; r < nq; ++r) {
            float* z = w.z.data() + r * kKeyBlock;
            p.drop.factors(z, p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
            if (need_ds) ops.mul(w.dp.data() + r * kKeyBlock, z, vis[r]);
          }
        const float* bias = p.bias_row(b, h, i0);
        const SoftmaxBlock sb{w.s.data(), nq, nk, vis, a.scale, bias ? bias + j0 : nullptr,
                              a.Tk, kmadd};
        probs_and_grads(ops, sb, lse + bh * a.Tq + i0, w.dp.data(),
                        w.delta.data() + hh * a.Tq + i0, need_ds ? w.ds.data() : nullptr);
        for (int64_t r = 0; r < nq; ++r) {
          if (g.dbias && vis[r] > 0) {
            const int64_t bb = a.bias_batch > 1 ? b : 0;
            ops.add(g.dbias + ((bb * a.H + h) * a.Tq + i0 + r) * a.Tk + j0,
                    w.ds.data() + r * kKeyBlock, vis[r]);
          }
          if (p.drop.on) ops.mul(w.s.data() + r * kKeyBlock, w.z.data() + r * kKeyBlock, vis[r]);
        }
        // dv (nk, D) += dropout(P)^T @ dout;  dk += dS^T @ q;  dq (nq, D) += dS @ k
        key_runs(vis, nq, nk, a.causal, [&](int64_t c0, int64_t keys, int64_t r0) {
          if (g.dv)
            ops.matmul(keys, D, nq - r0, w.s.data() + r0 * kKeyBlock + c0, 1, kKeyBlock,
                       dob + r0 * p.dout.t, p.dout.t, w.dv.data() + c0 * D, D, true);
          if (g.dk)
            ops.matmul(keys, D, nq - r0, w.ds.data() + r0 * kKeyBlock + c0, 1, kKeyBlock,
                       qb + r0 * p.q.t, p.q.t, w.dk.data() + c0 * D, D, true);
        });
        if (g.dq)
          query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
            ops.matmul(rows, D, keys, w.ds.data() + r0 * kKeyBlock, kKeyBlock, 1,
                       kb + j0 * p.k.t, p.k.t, g.dq + Problem::at(p.dq, b, h, i0 + r0), p.dq.t,
                       true);
          });
      }
    }
    for (int64_t j = 0; j < nk; ++j) {
      if (g.dk) {
        float* dst = g.dk + Problem::at(p.dk, b, kvh, j0 + j);
        for (int64_t d = 0; d < D; ++d) dst[d] = w.dk[j * D + d] * a.scale;
      }
      if (g.dv)
        std::copy(w.dv.begin() + j * D, w.dv.begin() + (j + 1) * D,
                  g.dv + Problem::at(p.dv, b, kvh, j0 + j));
    }
  }
  // Keys nobody sees (padding, or after every query under the causal rule).
  for (int64_t j = j_end; j < a.Tk; ++j) {
    if (g.dk) std::fill_n(g.dk + Problem::at(p.dk, b, kvh, j), D, 0.f);
    if (g.dv) std::fill_n(g.dv + Problem::at(p.dv, b, kvh, j), D, 0.f);
  }
}

}  // namespace

void attention_forward(float* out, float* lse, const float* q, const float* k,
                       const float* v, const AttentionArgs& a) {
  const Problem p(a, attn_ops());
  const int64_t q_blocks = (a.Tq + kQueryBlock - 1) / kQueryBlock, tasks = a.B * a.H * q_blocks;
  // Below ~2^18 multiply-adds (a generated token's query against its cache) handing tasks
  // to the pool costs more than the work: 12 heads x 96 keys took 12 us on one thread, 20+ on two.
  const bool tiny = double(a.B * a.H) * double(a.Tq) * double(a.Tk) * double(a.D) < 262144.0;
  parallel_for(tasks, tiny ? tasks : 1, [&](int, int64_t begin, int64_t end) {
    ForwardScratch w(a.D, a.Tk);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t bh = t / q_blocks, i0 = (t % q_blocks) * kQueryBlock;
#if defined(__x86_64__)
      if (use_avx512() && !a.bias) {
        forward_block_t(p, out, lse, q, k, v, bh / a.H, bh % a.H, i0, w);
        continue;
      }
#endif
      forward_block(p, out, lse, q, k, v, bh / a.H, bh % a.H, i0, w);
    }
  });
}

void attention_backward(float* dq, float* dk, float* dv, float* dbias, const float* dout,
                        const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const AttentionArgs& a) {
  const Problem p(a, attn_ops());
  const Grads g{dq, dk, dv, dbias, dout};
  // dbias shared over the batch is a sum over b: one task per kv head walks b in order.
  const bool batch_inside = dbias && a.bias_batch == 1 && a.B > 1;
  const int64_t tasks = batch_inside ? a.Hkv : a.B * a.Hkv;
  parallel_for(tasks, 1, [&](int, int64_t begin, int64_t end) {
    BackwardScratch w(a.D, p.group, a.Tq);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t b_first = batch_inside ? 0 : t / a.Hkv;
      const int64_t b_last = batch_inside ? a.B : b_first + 1;
      const int64_t kvh = t % a.Hkv;
      if (dbias) {
        // This task's dbias rows, written only where a query sees a key: cleared first.
        const int64_t bb = a.bias_batch > 1 ? b_first : 0, n = p.group * a.Tq * a.Tk;
        float* rows = dbias + (bb * a.H + kvh * p.group) * a.Tq * a.Tk;
        std::fill(rows, rows + n, 0.f);
      }
      for (int64_t b = b_first; b < b_last; ++b) {
        // dq rows of this task's query heads: zeroed, accumulated over key blocks, scaled.
        auto each_dq_row = [&](auto fn) {
          if (!dq) return;
          for (int64_t h = kvh * p.group; h < (kvh + 1) * p.group; ++h)
            for (int64_t i = 0; i < a.Tq; ++i) fn(dq + Problem::at(p.dq, b, h, i));
        };
        each_dq_row([&](float* row) { std::fill_n(row, a.D, 0.f); });
        backward_kv_head(p, g, q, k, v, out, lse, b, kvh, w);
        each_dq_row([&](float* row) { p.ops.scale(row, a.D, a.scale); });
      }
    }
  });
}

}  // namespace tl
