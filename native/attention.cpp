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
// products in attention_tiles.cpp, the dropout hash, the problem's strides and masks in
// attention_problem.h, the backward in attention_backward.cpp; here the forward block (row
// form and, on AVX-512 without a bias, the transposed form) and the forward entry point.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention_ops.h"
#include "attention_problem.h"
#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

using namespace attention_detail;

// Per thread. K^T of the kv head the last task used stays packed, block by block, so the
// query blocks and query heads that share it (consecutive tasks) do not transpose it again;
// above kMaxCachedKt floats only one block is kept and every task packs its own.
constexpr int64_t kMaxCachedKt = int64_t(1) << 20;
// Keys per block of the transposed forward (forward_block_t): 128 halves its per-block
// work (the rescale, the products' stores) against 64, and BERT's 128 keys take one block.
constexpr int64_t kKeysT = 128;
struct ForwardScratch {
  std::vector<float> kt, qt, s, acc, m, l, kmadd, z;
  int64_t kt_kv = -1;      // flat (b, kv head) index whose blocks kt holds
  int64_t kt_blocks = 0;   // blocks [0, kt_blocks) of it are packed
  bool cache_kt;
  int64_t kt_size;  // kt is sized on first use: forward_block_t never packs K
  ForwardScratch(int64_t D, int64_t Tk)
      : qt(D * kQueryBlock), s(kQueryBlock * kKeysT), acc(kQueryBlock * D), m(kQueryBlock),
        l(kQueryBlock), kmadd(kKeysT), z(kKeysT) {
    const int64_t blocks = (Tk + kKeyBlock - 1) / kKeyBlock;
    cache_kt = D * kKeyBlock * blocks <= kMaxCachedKt;
    kt_size = D * kKeyBlock * (cache_kt ? blocks : 1);
  }
  // K^T block starting at key j0 of kv head `kv` (rows kb (Tk, D), ld apart), packed on
  // first use.
  const float* key_block(const AttnOps& ops, int64_t kv, const float* kb, int64_t ld,
                         int64_t j0, int64_t Tk, int64_t D) {
    const int64_t blk = j0 / kKeyBlock, nk = std::min(kKeyBlock, Tk - j0);
    if (kt.empty()) kt.resize(kt_size);
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
static_assert(kQueryBlock == 64, "4 vectors of queries, 64-float rows");
// Fewer queries than a block (a generated token's, a short prompt's) take the row form: the
// transposed one computes the whole 64-query block whatever Tq is. 12 heads, ~100 keys, one
// thread: Tq 1 14 vs 57 us, Tq 16 45 vs 74, Tq 32 85 vs 98; from Tq 64 they are level.
constexpr int64_t kTransposedMinQueries = kQueryBlock;
// x * y rounded on its own: the compiler may not fuse it into a following add or subtract.
TL_AVX512 inline __m512 mul_unfused(__m512 x, __m512 y) {
  return _mm512_mul_round_ps(x, y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
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
  float* ob = out + Problem::at(p.out, b, h, i0);     // (nq, D), rows p.out.t apart
  float* st = w.s.data();                             // (keys, kQueryBlock) scores, then P^T
  // q_block^T (D, kQueryBlock), unscaled: each score must round exactly as the backward's
  // recompute does (q . k, then times the scale), or exp(score - lse) there can exceed 1
  // and overflow where scores are large.
  ops.pack_t(w.qt.data(), qb, p.q.t, nq, D);
  const __m512 ninf = _mm512_set1_ps(kNegInf), vs = _mm512_set1_ps(a.scale);
  __m512 m[4], l[4];
  for (int c = 0; c < 4; ++c) m[c] = ninf, l[c] = _mm512_setzero_ps();
  alignas(64) int32_t vis32[kQueryBlock];
  alignas(64) float alpha[kQueryBlock], inv_l[kQueryBlock];
  int64_t divided_from = nq;  // the last block's first run: rows past it are divided by l

  const int64_t j_end = p.keys_for(b, i0 + nq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeysT) {
    const int64_t nk = std::min(kKeysT, j_end - j0);
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
                 w.qt.data() + q0, kQueryBlock, st + c0 * kQueryBlock + q0, kQueryBlock, kStore);
    });
    // Scores, masked to -inf where a query does not see the key, and their column max.
    __m512 mx[4];
    for (int c = 0; c < 4; ++c) mx[c] = ninf;
    // Every query sees every key: the max of the products, not yet scaled, times a positive
    // scale is the max of the scores (rounding keeps the order), so this pass only reads;
    // the exp pass forms each score itself (a plain multiply, never fused with the subtract:
    // the backward's recompute must round it alike).
    const bool unmasked = nq == kQueryBlock && vis[0] == nk && !kmadd && a.scale > 0.f;
    if (unmasked) {
      for (int64_t j = 0; j < nk; ++j)
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) mx[c] = _mm512_max_ps(mx[c], _mm512_loadu_ps(st + j * kQueryBlock + 16 * c));
      for (int c = 0; c < 4; ++c) mx[c] = mul_unfused(mx[c], vs);
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
        const __m512 sx = unmasked ? mul_unfused(_mm512_loadu_ps(x), vs) : _mm512_loadu_ps(x);
        const __m512 e = exp16(_mm512_sub_ps(sx, vm[c]));
        _mm512_storeu_ps(x, e);
        sum[c] = _mm512_add_ps(sum[c], e);
      }
    }
    for (int c = 0; c < 4; ++c)
      l[c] = _mm512_fmadd_ps(l[c], _mm512_load_ps(alpha + 16 * c), sum[c]);
    if (p.drop.on)  // the sums above are pre-dropout: dropout acts on normalised P
      for (int64_t r = 0; r < nq; ++r) {
        p.drop.factors(w.z.data(), p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
        for (int64_t j = 0; j < vis[r]; ++j) st[j * kQueryBlock + r] *= w.z[j];
      }
    // The output rows accumulate in place: ob (nq, D) = ob * alpha + P (nq, nk) @ v_block
    // (nk, D), P read from st transposed; the first block stores. Rows outside every run
    // see no key here: their alpha is 1, or 0 with nothing stored yet, so they need no
    // rescale (and a run the first block skips is one whose rows never see a key). The
    // last block also divides by l (finished above), but for rows before its first run.
    const bool last = j0 + kKeysT >= j_end;
    if (last)
      for (int c = 0; c < 4; ++c)
        _mm512_store_ps(inv_l + 16 * c, _mm512_maskz_div_ps(_mm512_cmp_ps_mask(l[c], _mm512_setzero_ps(), _CMP_GT_OQ),
                                                            _mm512_set1_ps(1.f), l[c]));
    bool rescale = false;
    for (int64_t r = 0; r < nq; ++r) rescale = rescale || alpha[r] != 1.f;
    const Epilogue pv{j0 > 0, j0 > 0 && rescale ? alpha : nullptr, 1.f, last ? inv_l : nullptr};
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      if (last) divided_from = std::min(divided_from, r0);
      ops.matmul(rows, D, keys, st + r0, 1, kQueryBlock, vb + j0 * p.v.t, p.v.t,
                 ob + r0 * p.out.t, p.out.t, rows_from(pv, r0));
    });
  }
  // lse = m + log(l); rows that saw no key give 0 and -inf.
  alignas(64) float ls[kQueryBlock], ms[kQueryBlock];
  for (int c = 0; c < 4; ++c) {
    _mm512_store_ps(ms + 16 * c, m[c]);
    _mm512_store_ps(ls + 16 * c, l[c]);
  }
  for (int64_t r = 0; r < nq; ++r) {
    float* o = ob + r * p.out.t;
    if (ls[r] > 0.f) {
      if (r < divided_from) ops.scale(o, D, inv_l[r]);
      lse[bh * a.Tq + i0 + r] = ms[r] + std::log(ls[r]);
    } else {
      std::fill(o, o + D, 0.f);
      lse[bh * a.Tq + i0 + r] = kNegInf;
    }
  }
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
                 w.s.data() + r0 * kKeyBlock, kKeyBlock, kStore);
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
                 p.v.t, acc + r0 * D, D, kAdd);
    });
  }

  finish_block(p, out, lse, b, h, i0, nq, w);
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
      if (use_avx512() && !a.bias && a.Tq >= kTransposedMinQueries) {
        forward_block_t(p, out, lse, q, k, v, bh / a.H, bh % a.H, i0, w);
        continue;
      }
#endif
      forward_block(p, out, lse, q, k, v, bh / a.H, bh % a.H, i0, w);
    }
  });
}

}  // namespace tl
