// The backward of attention.cpp's fused attention (design and the work split there): one
// task per (b, kv head) recomputes P block by block and accumulates dq, dk, dv, dbias.
#include <algorithm>
#include <tuple>
#include <vector>

#include "attention_ops.h"
#include "attention_problem.h"
#include "kernels.h"
#include "thread_pool.h"

namespace tl {
namespace {

using namespace attention_detail;

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
// heads (dbias rows must already be zero where a query sees no key).
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
    for (int64_t i = 0; i < a.Tq; ++i) {
      if (i + 8 < a.Tq)
        for (int64_t d = 0; d < D; d += 16) {
          __builtin_prefetch(g.dout + Problem::at(p.dout, b, h0 + hh, i + 8) + d, 0, 3);
          __builtin_prefetch(out + Problem::at(p.out, b, h0 + hh, i + 8) + d, 0, 3);
        }
      w.delta[hh * a.Tq + i] = ops.dot(g.dout + Problem::at(p.dout, b, h0 + hh, i),
                                       out + Problem::at(p.out, b, h0 + hh, i), D);
    }

  const int64_t j_end = p.keys_for(b, a.Tq);
  // dq rows of queries that see no key at all (the products below write the others).
  const int64_t first_seeing = j_end == 0 ? a.Tq : a.causal ? std::clamp<int64_t>(-p.offset, 0, a.Tq) : 0;
  if (g.dq)
    for (int64_t h = h0; h < h0 + p.group; ++h)
      for (int64_t i = 0; i < first_seeing; ++i) std::fill_n(g.dq + Problem::at(p.dq, b, h, i), D, 0.f);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    ops.pack_t(w.kt.data(), kb + j0 * p.k.t, p.k.t, nk, D);
    if (need_ds) ops.pack_t(w.vt.data(), vb + j0 * p.v.t, p.v.t, nk, D);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
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
                     w.s.data() + r0 * kKeyBlock, kKeyBlock, kStore);
          if (need_ds)
            ops.matmul(rows, keys, D, dob + r0 * p.dout.t, p.dout.t, 1, w.vt.data(), kKeyBlock,
                       w.dp.data() + r0 * kKeyBlock, kKeyBlock, kStore);
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
        // dv (nk, D) += dropout(P)^T @ dout;  dk += dS^T @ q;  dq (nq, D) += dS @ k. The
        // first query block stores dk and dv: it sees every key of the block (under the causal
        // rule key j0 + c is first seen by its row c, and nk <= nq).
        const Epilogue kv_e = hh == 0 && i0 == i_start ? kStore : kAdd;
        key_runs(vis, nq, nk, a.causal, [&](int64_t c0, int64_t keys, int64_t r0) {
          if (g.dv)
            ops.matmul(keys, D, nq - r0, w.s.data() + r0 * kKeyBlock + c0, 1, kKeyBlock,
                       dob + r0 * p.dout.t, p.dout.t, w.dv.data() + c0 * D, D, kv_e);
          if (g.dk)
            ops.matmul(keys, D, nq - r0, w.ds.data() + r0 * kKeyBlock + c0, 1, kKeyBlock,
                       qb + r0 * p.q.t, p.q.t, w.dk.data() + c0 * D, D, kv_e);
        });
        // dq rows are stored by the first key block (every row that sees a key sees key 0)
        // and scaled in the product of the block holding their last visible key: rows
        // [r0, r0 + ends) of a run end here (a prefix: the rule's bound grows with the row).
        if (g.dq)
          query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
            int64_t ends = rows;  // row i's last key is i + offset under the causal rule
            if (j0 + nk < j_end)
              ends = a.causal ? std::clamp<int64_t>(j0 + nk - (i0 + r0 + p.offset), 0, rows) : 0;
            const Epilogue last{j0 > 0, nullptr, a.scale}, more{j0 > 0};
            for (const auto& [first, n, e] : {std::tuple{r0, ends, last},
                                               std::tuple{r0 + ends, rows - ends, more}})
              if (n > 0)
                ops.matmul(n, D, keys, w.ds.data() + first * kKeyBlock, kKeyBlock, 1,
                           kb + j0 * p.k.t, p.k.t, g.dq + Problem::at(p.dq, b, h, i0 + first),
                           p.dq.t, e);
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
      for (int64_t b = b_first; b < b_last; ++b) backward_kv_head(p, g, q, k, v, out, lse, b, kvh, w);
    }
  });
}

}  // namespace tl
