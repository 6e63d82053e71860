// GEMM: C_b = alpha * op(A_b) @ op(B_b) + beta * C_b over a strided batch.
//
// Structure (BLIS/GotoBLAS, see gemm_kernels.h): the batch x C grid is cut into tasks,
// one rectangular region of one C_b each, and the thread pool runs the tasks. Within a
// region a thread packs a (KC, NC) block of B into its own L2-sized buffer, then for each
// MR-row panel of A packs it (L1-sized) and sweeps the micro-kernel across the block.
// An operand whose packed rows are contiguous in memory (B stored (K, N), A stored (K, M))
// is packed row by row, a slab of panels at a time, so its rows are read sequentially. A
// row-major A panel is copied as MR rows for a kernel that reads it that way (rows_a), not
// transposed: a copy costs a fraction of a transpose, which also steers the thread grid
// (choose_grid) towards splitting the operand whose pack is dear.
//
// Determinism: a C element is computed by exactly one thread, with K cut into blocks at
// fixed offsets (a function of K only) and each block summed in k order by the same
// kernel. So results do not depend on the thread count or the partition at all, only on
// the SIMD level.
//
// Skinny shapes (LoRA: N or M of rank size) skip packing the operand that would be read
// only once: with a single column panel (N <= NR) the kernel reads A in place, with a few
// row panels (a prompt's 64 rows with AVX-512) it reads f32 B rows in place
// (run_region_direct_b). With row-major A and N <= 16
// (or M <= 4 against a weight stored (N, K)) a dot-product kernel replaces the outer
// product, whose tile would be mostly padding.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "gemm_kernels.h"
#include "gemv.h"
#include "kernels.h"
#include "thread_pool.h"
#include "workspace.h"
#if defined(TL_GEMM_PROFILE)
#include <x86intrin.h>

#include <atomic>
#endif

namespace tl {
namespace gemm_detail {

#if defined(TL_GEMM_PROFILE)
// Bench-only (bench/gemm_native.cpp builds with -DTL_GEMM_PROFILE): cycles spent packing B,
// packing or copying A, and in the kernels, summed over threads; and knobs the bench sets
// to compare settings in one process: KC and NC targets (0: the kernel set's), and the
// look-aheads kPackRowsAhead and kCopyRowsAhead (0: none).
std::atomic<uint64_t> g_profile[3];
int g_tune[4] = {0, 0, 8, 4};
struct ProfileScope {
  int what;
  uint64_t t0 = __rdtsc();
  explicit ProfileScope(int w) : what(w) {}
  ~ProfileScope() { g_profile[what].fetch_add(__rdtsc() - t0, std::memory_order_relaxed); }
};
#define TL_PROFILE(what) ProfileScope profile_scope_(what)
#define TL_TUNE(i, dflt) g_tune[i]
#else
#define TL_PROFILE(what) (void)0
#define TL_TUNE(i, dflt) (dflt)
#endif

namespace {

// ---- portable kernel set -----------------------------------------------------------------

constexpr int kPortableMR = 4;
constexpr int kPortableNR = 16;

// Plain loops the compiler can vectorise with baseline SSE2; see tile_14x32 for the
// meaning of kPackedA / kDirectB.
template <bool kPackedA, bool kDirectB>
void tile_portable(const Tile& t) {
  constexpr int MR = kPortableMR, NR = kPortableNR;
  float acc[MR][NR] = {};
  const float* a = t.a;  // (MR, kc) through (rs_a, cs_a), or a packed (kc, MR) panel
  const float* b = t.b;  // (kc, NR) rows at stride rs_b
  for (int64_t k = 0; k < t.kc; ++k) {
    float brow[NR];
    for (int j = 0; j < NR; ++j) brow[j] = (!kDirectB || j < t.n) ? b[j] : 0.f;
    for (int i = 0; i < MR; ++i) {
      const float ai = kPackedA ? a[i] : a[i * t.rs_a];
      for (int j = 0; j < NR; ++j) acc[i][j] += ai * brow[j];
    }
    a += kPackedA ? MR : t.cs_a;
    b += t.rs_b;
  }
  for (int i = 0; i < t.m; ++i) {
    float* ci = t.c + i * t.ldc;
    for (int j = 0; j < t.n; ++j) {
      const float r = t.alpha * acc[i][j];
      ci[j] = t.beta != 0.f ? t.beta * ci[j] + r : r;
      if (t.bias) ci[j] += t.bias[j];
    }
  }
}

// See kDotTile in gemm_kernels.h.
void dot_portable(const Tile& t) {
  for (int i = 0; i < t.m; ++i)
    for (int j = 0; j < t.n; ++j) {
      const float* a = t.a + i * t.rs_a;  // (kc)
      const float* b = t.b + j * t.rs_b;  // (kc)
      float acc = 0.f;
      for (int64_t k = 0; k < t.kc; ++k) acc += a[k] * b[k];
      float& c = t.c[i * t.ldc + j];
      const float r = t.alpha * acc;
      c = t.beta != 0.f ? t.beta * c + r : r;
    }
}

// ---- workspace ---------------------------------------------------------------------------

// Packing space for B blocks and A panels, per thread (workspace.h).
thread_local Workspace t_pack_b, t_pack_a;

// ---- problem description -----------------------------------------------------------------

struct Problem {
  int64_t M, N, K;
  float alpha, beta;
  const float* A;
  int64_t a_rs, a_cs, stride_a;  // op(A)(i, k) = A[i*a_rs + k*a_cs]
  const char* B;
  DType b_dtype;
  int64_t b_elem;                 // bytes per B element
  int64_t b_rs, b_cs, stride_b;   // op(B)(k, j) = B[k*b_rs + j*b_cs] (elements)
  float* C;
  int64_t ldc, c_cs, stride_c;    // C(i, j) = C[i*ldc + j*c_cs]; c_cs is 1 unless swapped
  // Added to C last: bias[j] to column j, or bias[i] to row i once swapped (bias_rows).
  const float* bias = nullptr;
  bool bias_rows = false;
  // A 4-bit B (then B is null, b_elem 0, b_dtype U8): op(B)(k, j) is element
  // k*b_rs + j*b_cs of the quantized matrix, decoded while packing.
  const Quant4Matrix* q4 = nullptr;
};

// dst (kc, W) = op(B) rows [k0, k0+kc) x columns [j0, j0+w) of batch item `batch`, zero
// padded to W columns. With `transposed`, dst (kc, W) holds op(B)^T: its rows are op(B)'s
// columns [j0, j0+kc) and its columns op(B)'s rows [k0, k0+w) (the dot-product layout).
void pack_b(const Problem& p, const KernelSet& ks, float* dst, int W, int64_t batch,
            int64_t k0, int64_t j0, int64_t kc, int w, bool transposed) {
  const int64_t rs = transposed ? p.b_cs : p.b_rs, cs = transposed ? p.b_rs : p.b_cs;
  if (!p.q4) {
    const char* src = p.B + (batch * p.stride_b + k0 * p.b_rs + j0 * p.b_cs) * p.b_elem;
    return ks.pack(dst, W, src, p.b_dtype, rs, cs, kc, w);
  }
  // Contiguous runs of the quantized matrix are decoded in one go: along a packed row
  // when its columns are adjacent (cs == 1), else along a column, scattered by W.
  const int64_t base = k0 * p.b_rs + j0 * p.b_cs;
  if (cs == 1) {
    for (int64_t k = 0; k < kc; ++k) {
      decode_4bit(dst + k * W, *p.q4, base + k * rs, w);
      std::fill(dst + k * W + w, dst + (k + 1) * W, 0.f);
    }
    return;
  }
  float run[512];
  for (int i = 0; i < W; ++i) {
    for (int64_t k = 0; k < kc; k += 512) {
      const int64_t len = std::min<int64_t>(512, kc - k);
      if (i < w) {
        if (rs == 1) decode_4bit(run, *p.q4, base + i * cs + k, len);
        else for (int64_t t = 0; t < len; ++t) decode_4bit(run + t, *p.q4, base + i * cs + (k + t) * rs, 1);
      }
      for (int64_t t = 0; t < len; ++t) dst[(k + t) * W + i] = i < w ? run[t] : 0.f;
    }
  }
}

// C^T = op(B)^T @ op(A)^T as a problem of its own: chosen for a column-major A with few
// columns N (LoRA weight gradients, dy^T @ h): the swapped problem reads A's rows in
// place with full-width vectors instead of broadcasting a strided A into a mostly
// padded tile. Needs f32 B, since the swapped "A" is always f32.
Problem swapped(const Problem& p) {
  Problem q = p;
  q.M = p.N, q.N = p.M;
  // A'(j, k) = op(B)(k, j) and B'(k, i) = op(A)(i, k).
  q.A = reinterpret_cast<const float*>(p.B), q.a_rs = p.b_cs, q.a_cs = p.b_rs;
  q.stride_a = p.stride_b;
  q.B = reinterpret_cast<const char*>(p.A), q.b_dtype = F32, q.b_elem = 4;
  q.b_rs = p.a_cs, q.b_cs = p.a_rs, q.stride_b = p.stride_a;
  q.ldc = p.c_cs, q.c_cs = p.ldc;
  q.bias_rows = !p.bias_rows;
  return q;
}

// One task: rows [m0, m1) x columns [n0, n1) of C_batch.
struct Region {
  int64_t batch, m0, m1, n0, n1;
};

// Cuts [0, len) into `parts` near-equal blocks at multiples of `step` (so tiles, and with
// them the edge-tile positions, never depend on the partition); returns block `r`.
void split_aligned(int64_t len, int64_t step, int64_t parts, int64_t r, int64_t* lo,
                   int64_t* hi) {
  const int64_t tiles = (len + step - 1) / step;
  *lo = std::min(len, tiles * r / parts * step);
  *hi = std::min(len, tiles * (r + 1) / parts * step);
}

// Block sizes near `target` that cut `len` evenly, rounded up to `align`, so a K of 300
// runs as 152 + 148 rather than 256 + 44.
int64_t balanced_block(int64_t len, int64_t target, int64_t align) {
  const int64_t blocks = (len + target - 1) / target;
  const int64_t size = (len + blocks - 1) / blocks;
  return std::min(target, (size + align - 1) / align * align);
}

// Scalar fallback for a region if a packing buffer cannot be allocated: slow, correct,
// and never throws.
void region_scalar(const Problem& p, const Region& r) {
  const float* A = p.A + r.batch * p.stride_a;
  const char* B = p.B + r.batch * p.stride_b * p.b_elem;
  float* C = p.C + r.batch * p.stride_c;
  for (int64_t i = r.m0; i < r.m1; ++i)
    for (int64_t j = r.n0; j < r.n1; ++j) {
      float acc = 0.f;
      for (int64_t k = 0; k < p.K; ++k) {
        const int64_t bi = k * p.b_rs + j * p.b_cs;
        float q = 0.f;
        if (p.q4) decode_4bit(&q, *p.q4, bi, 1);
        const float bv = p.q4 ? q : p.b_dtype == BF16
                             ? bf16_to_f32(reinterpret_cast<const uint16_t*>(B)[bi])
                             : reinterpret_cast<const float*>(B)[bi];
        acc += A[i * p.a_rs + k * p.a_cs] * bv;
      }
      float& c = C[i * p.ldc + j * p.c_cs];
      c = p.alpha * acc + (p.beta != 0.f ? p.beta * c : 0.f);
    }
}

// Adds the bias to a finished region (paths without the kernel epilogue: dot form,
// swapped problems, the scalar fallback).
void region_bias(const Problem& p, const Region& r) {
  float* C = p.C + r.batch * p.stride_c;
  for (int64_t i = r.m0; i < r.m1; ++i)
    for (int64_t j = r.n0; j < r.n1; ++j) C[i * p.ldc + j * p.c_cs] += p.bias[p.bias_rows ? i : j];
}

// Whether B is f32 with its rows contiguous (stored (K, N)): it can be read in place, or
// packed by copying rows rather than transposing.
bool b_rows_contiguous(const Problem& p) {
  return !p.q4 && p.b_dtype == F32 && p.b_cs == 1;
}

// Whether the dot-product form fits: A rows contiguous along K, and either a few columns
// (LoRA rank: an outer-product tile would be mostly padding) or a few rows with B
// stored (N, K), as nn.Linear keeps its weight (matrix-vector products in generation).
constexpr int64_t kDotMaxN = 16;
bool use_dot(const Problem& p) {
  return p.a_cs == 1 &&
         (p.N <= kDotMaxN || (p.M <= kDotTile && p.b_rs == 1 && p.b_dtype == F32));
}

// The dot-product form over one region: no K blocking, each element in one pass.
void run_region_dot(const Problem& p, const KernelSet& ks, const Region& r) {
  const float* A = p.A + r.batch * p.stride_a;                // (M, K) rows at a_rs
  const char* B = p.B + r.batch * p.stride_b * p.b_elem;     // (K, N) through (b_rs, b_cs)
  float* C = p.C + r.batch * p.stride_c;                     // (M, N) at row stride ldc
  const int64_t n = r.n1 - r.n0;
  // op(B)^T (n, K) with rows contiguous along K: in place for f32 B stored (N, K), else
  // a small packed copy (N <= kDotMaxN here).
  const float* bt;
  int64_t ldbt;
  if (p.b_dtype == F32 && p.b_rs == 1) {
    bt = reinterpret_cast<const float*>(B) + r.n0 * p.b_cs;
    ldbt = p.b_cs;
  } else {
    float* buf = t_pack_b.get(size_t(n) * size_t(p.K));
    if (!buf) return region_scalar(p, r);
    pack_b(p, ks, buf, int(p.K), r.batch, 0, r.n0, n, int(p.K), true);
    bt = buf;
    ldbt = p.K;
  }
  Tile t;
  t.kc = p.K, t.rs_a = p.a_rs, t.cs_a = 1, t.rs_b = ldbt, t.ldc = p.ldc;
  t.alpha = p.alpha, t.beta = p.beta;
  for (int64_t i = r.m0; i < r.m1; i += kDotTile) {  // A rows stay in L1 across the j loop
    t.m = int(std::min<int64_t>(kDotTile, r.m1 - i));
    t.a = A + i * p.a_rs;
    for (int64_t j = r.n0; j < r.n1; j += kDotTile) {
      t.n = int(std::min<int64_t>(kDotTile, r.n1 - j));
      t.b = bt + (j - r.n0) * ldbt;
      t.c = C + i * p.ldc + j;
      ks.dot(t);
    }
  }
}

// Runs a tile whose C has a column stride (a swapped problem): the kernel writes a
// contiguous tile, which is then folded in as c = alpha * tile + beta * c.
void store_strided_tile(const Problem& p, Tile t, TileKernel kernel, float* c) {
  alignas(64) float tile[16 * 32];  // (m, n) at row stride 32: every set has MR <= 16, NR <= 32
  const float alpha = t.alpha, beta = t.beta;
  t.c = tile, t.ldc = 32, t.alpha = 1.f, t.beta = 0.f;
  kernel(t);
  for (int i = 0; i < t.m; ++i)
    for (int j = 0; j < t.n; ++j) {
      float& out = c[i * p.ldc + j * p.c_cs];
      const float r = alpha * tile[i * 32 + j];
      out = beta != 0.f ? beta * out + r : r;
    }
}

// Prefetches the cache lines of src[0, n) (into every level). A prefetch never faults, so
// a checking build (-DTL_PREFETCH_READS, with -fsanitize=address) reads instead, to prove
// the addresses stay inside the operands.
inline void prefetch_floats(const float* src, int64_t n) {
  const char* at = reinterpret_cast<const char*>(src);
#if defined(TL_PREFETCH_READS)
  for (int64_t b = 0; b < n * 4; b += 64) (void)*static_cast<const volatile char*>(at + b);
  (void)*static_cast<const volatile char*>(at + n * 4 - 1);
#else
  for (int64_t b = 0; b < n * 4; b += 64) __builtin_prefetch(at + b, 0, 3);
  __builtin_prefetch(at + n * 4 - 1, 0, 3);  // the last line, when src is not line aligned
#endif
}

// How many rows ahead a row-wise pack (pack_rows) and the row copy of an A panel (rows_a)
// prefetch their source. Each source row starts a new page (rows are a page or more apart
// in the models' shapes), where the hardware prefetchers start over, so without this each
// row's first lines wait for memory: measured on Zen 5, a TN (weight gradient) product
// went from 237 to 244 GFLOP/s on one core, the row copies of a forward 1-2% faster.
constexpr int64_t kPackRowsAhead = 8;
constexpr int64_t kCopyRowsAhead = 4;

// Row-wise packing, for an operand whose packed rows lie contiguous in memory (f32 B
// stored (K, N); an A read transposed, stored (K, M)): each source row is read once,
// sequentially, and scattered into the panels, where packing panel by panel would walk
// `kc` rows a page or more apart per panel (too far for the hardware prefetchers).
// dst (ceil(n / W), kc, W) panels, zero padded; src row k at src + k * ld, n floats.
template <int W>
void pack_rows_w(float* dst, const float* src, int64_t ld, int64_t kc, int64_t n) {
  const int64_t ahead = TL_TUNE(2, kPackRowsAhead);
  for (int64_t k = 0; k < kc; ++k) {
    const float* row = src + k * ld;
    if (ahead && k + ahead < kc) prefetch_floats(row + ahead * ld, n);
    float* out = dst + k * W;
    int64_t j = 0;
    // A constant size: inlined vector moves, not a library call per panel row.
    for (; j + W <= n; j += W, out += kc * W) std::memcpy(out, row + j, sizeof(float) * W);
    if (j < n) {
      std::memcpy(out, row + j, sizeof(float) * (n - j));
      std::fill(out + (n - j), out + W, 0.f);
    }
  }
}

void pack_rows(float* dst, int W, const float* src, int64_t ld, int64_t kc, int64_t n) {
  switch (W) {  // the register tile widths of the kernel sets
    case 32: return pack_rows_w<32>(dst, src, ld, kc, n);
    case 16: return pack_rows_w<16>(dst, src, ld, kc, n);
    case 14: return pack_rows_w<14>(dst, src, ld, kc, n);
    case 6: return pack_rows_w<6>(dst, src, ld, kc, n);
    case 4: return pack_rows_w<4>(dst, src, ld, kc, n);
    default: break;
  }
  for (int64_t k = 0; k < kc; ++k)
    for (int64_t j = 0; j < (n + W - 1) / W * W; ++j)
      dst[(j / W) * kc * W + k * W + j % W] = j < n ? src[k * ld + j] : 0.f;
}

// Rows of A packed per slab of this many register tiles (kc x kMcTiles*MR floats).
constexpr int64_t kMcTiles = 10;

// Few rows against f32 B stored (K, N) (a weight in (in, out) layout, GPT-2's Conv1D, at a
// prompt's 64 rows): B is read in place, where packing it — reading a weight from memory
// once per call — is most of the cost at these sizes. All of the region's A panels are
// packed first (they are few), then each B tile column is swept by every panel in turn:
// read from memory by the first, from cache by the rest. The tiles, K blocks and k order
// are those of run_region, so the results are the same bits.
bool run_region_direct_b(const Problem& p, const KernelSet& ks, const Region& r) {
  const int64_t MR = ks.mr, NR = ks.nr;
  const int64_t KC = balanced_block(p.K, ks.kc, 8);
  const int64_t panels = (r.m1 - r.m0 + MR - 1) / MR;
  float* abuf = t_pack_a.get(size_t(KC) * size_t(MR) * size_t(panels));  // (panels, KC, MR)
  if (!abuf) {
    region_scalar(p, r);
    return false;
  }
  const float* A = p.A + r.batch * p.stride_a;  // (M, K) through (a_rs, a_cs)
  const float* B = reinterpret_cast<const float*>(p.B) + r.batch * p.stride_b;  // (K, N)
  float* C = p.C + r.batch * p.stride_c;
  Tile t;
  t.ldc = p.ldc, t.alpha = p.alpha, t.rs_a = 1, t.cs_a = MR, t.rs_b = p.b_rs;
  for (int64_t pc = 0; pc < p.K; pc += KC) {
    const int64_t kc = std::min(KC, p.K - pc);
    t.kc = kc;
    t.beta = pc == 0 ? p.beta : 1.f;  // later K blocks accumulate onto the first
    for (int64_t q = 0; q < panels; ++q) {
      const int64_t ir = r.m0 + q * MR;
      ks.pack(abuf + q * kc * MR, int(MR), A + ir * p.a_rs + pc * p.a_cs, F32, p.a_cs, p.a_rs,
              kc, int(std::min(MR, r.m1 - ir)));
    }
    for (int64_t jr = r.n0; jr < r.n1; jr += NR) {
      t.n = int(std::min(NR, r.n1 - jr));
      t.b = B + pc * p.b_rs + jr;
      for (int64_t q = 0; q < panels; ++q) {
        const int64_t ir = r.m0 + q * MR;
        t.m = int(std::min(MR, r.m1 - ir));
        t.a = abuf + q * kc * MR;
        if (p.c_cs == 1) {
          t.c = C + ir * p.ldc + jr;
          t.bias = p.bias && pc + kc == p.K ? p.bias + jr : nullptr;
          ks.direct_b(t);
        } else {
          store_strided_tile(p, t, ks.direct_b, C + ir * p.ldc + jr * p.c_cs);
        }
      }
    }
  }
  return p.c_cs == 1;
}

// The blocked loop nest over one region, on the calling thread. Returns whether the
// kernels' epilogue added the bias (not for a swapped C, nor the scalar fallback).
bool run_region(const Problem& p, const KernelSet& ks, const Region& r) {
  const int64_t MR = ks.mr, NR = ks.nr;
  const bool direct_a = p.N <= NR;  // one column panel: each A element is read once
  if (!direct_a && p.M <= std::max<int64_t>(MR, ks.direct_b_rows) && b_rows_contiguous(p))
    return run_region_direct_b(p, ks, r);
  const int64_t KC = balanced_block(p.K, TL_TUNE(0, 0) ? TL_TUNE(0, 0) : ks.kc, 8);
  const int64_t NC = balanced_block(r.n1 - r.n0, TL_TUNE(1, 0) ? TL_TUNE(1, 0) : ks.nc, NR);

  // A stored (K, M) and read whole-tile: pack slabs of kMcTiles panels row by row.
  const bool a_slabs = !direct_a && p.a_rs == 1 && p.a_cs != 1;
  // A stored (M, K): copy each panel's rows for the rows_a kernel rather than transpose them.
  const bool a_rows = !direct_a && p.a_cs == 1 && ks.rows_a && KC <= ks.a_row_ld;
  const bool b_rows = b_rows_contiguous(p);
  const int64_t MC = a_slabs ? kMcTiles * MR : MR;
  float* bbuf = t_pack_b.get(size_t(KC) * size_t(NC));  // (NC/NR, KC, NR)
  // (MC/MR, KC, MR) panels, or MR rows at stride a_row_ld
  float* abuf = t_pack_a.get(a_rows ? size_t(ks.a_row_ld) * size_t(MR) : size_t(KC) * size_t(MC));
  if (!bbuf || !abuf) {
    region_scalar(p, r);
    return false;
  }

  const float* A = p.A + r.batch * p.stride_a;                // (M, K) through (a_rs, a_cs)
  const char* B = p.B + r.batch * p.stride_b * p.b_elem;     // (K, N) through (b_rs, b_cs)
  float* C = p.C + r.batch * p.stride_c;                     // (M, N) at row stride ldc

  Tile t;
  t.ldc = p.ldc;
  t.alpha = p.alpha;
  for (int64_t jc = r.n0; jc < r.n1; jc += NC) {
    const int64_t nc = std::min(NC, r.n1 - jc);
    for (int64_t pc = 0; pc < p.K; pc += KC) {
      const int64_t kc = std::min(KC, p.K - pc);
      t.kc = kc;
      t.beta = pc == 0 ? p.beta : 1.f;  // later K blocks accumulate onto the first
      {  // a scope for the bench profile
        TL_PROFILE(0);
        if (b_rows) {
          pack_rows(bbuf, int(NR), reinterpret_cast<const float*>(B) + pc * p.b_rs + jc, p.b_rs,
                    kc, nc);
        } else {
          for (int64_t jp = 0; jp < nc; jp += NR)
            pack_b(p, ks, bbuf + jp * kc, int(NR), r.batch, pc, jc + jp, kc,
                   int(std::min(NR, nc - jp)), false);
        }
      }
      for (int64_t ir = r.m0; ir < r.m1; ir += MR) {
        t.m = int(std::min(MR, r.m1 - ir));
        TileKernel kernel;
        if (direct_a && t.m == MR) {  // edge rows are packed: the kernel reads all MR rows
          t.a = A + ir * p.a_rs + pc * p.a_cs;
          t.rs_a = p.a_rs;
          t.cs_a = p.a_cs;
          kernel = ks.direct_a;
        } else {
          TL_PROFILE(1);
          if (a_slabs) {
            const int64_t slab = (ir - r.m0) % MC;  // offset of this tile in its slab
            if (slab == 0)
              pack_rows(abuf, int(MR), A + ir + pc * p.a_cs, p.a_cs, kc,
                        std::min(MC, r.m1 - ir));
            t.a = abuf + slab * kc;
          } else if (a_rows) {
            for (int64_t i = 0; i < MR; ++i) {  // the kernel reads all MR rows: zeros past m
              // Rows past this panel's are the next panel's (read after this sweep).
              const int64_t ahead = ir + i + TL_TUNE(3, kCopyRowsAhead);
              if (ahead > ir + i && ahead < r.m1) prefetch_floats(A + ahead * p.a_rs + pc, kc);
              float* row = abuf + i * ks.a_row_ld;
              if (i < t.m) std::memcpy(row, A + (ir + i) * p.a_rs + pc, sizeof(float) * kc);
              else std::fill(row, row + kc, 0.f);
            }
            t.a = abuf;
          } else {
            ks.pack(abuf, int(MR), A + ir * p.a_rs + pc * p.a_cs, F32, p.a_cs, p.a_rs, kc, t.m);
            t.a = abuf;
          }
          t.rs_a = 1;
          t.cs_a = MR;
          kernel = a_rows ? ks.rows_a : ks.packed;
        }
        TL_PROFILE(2);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          t.n = int(std::min(NR, nc - jr));
          t.b = bbuf + jr * kc;
          t.rs_b = NR;
          if (p.c_cs == 1) {
            t.c = C + ir * p.ldc + jc + jr;
            t.bias = p.bias && pc + kc == p.K ? p.bias + jc + jr : nullptr;
            kernel(t);
          } else {
            store_strided_tile(p, t, kernel, C + ir * p.ldc + (jc + jr) * p.c_cs);
          }
        }
      }
    }
  }
  return p.c_cs == 1;
}

// How many regions to cut each C_b into so that batch x regions spreads evenly over
// `threads`: the smallest count that makes the total a multiple of the thread count.
int64_t regions_per_batch(int64_t batch, int threads) {
  if (threads <= 1 || batch >= 4 * threads) return 1;
  for (int64_t s = (threads + batch - 1) / batch; s < threads; ++s)
    if (batch * s % threads == 0) return s;
  return threads;
}

// Factors s regions into a (sm x sn) grid, sm <= row tiles and sn <= column tiles,
// minimising the packing each region repeats: K * (rows * a_cost + columns * b_cost), the
// costs per packed element (a transposing pack costs several times a row copy). Lowers s
// when the matrix has too few tiles.
void choose_grid(int64_t s, int64_t M, int64_t N, int64_t MR, int64_t NR, double a_cost,
                 double b_cost, int64_t* sm, int64_t* sn) {
  const int64_t tiles_m = (M + MR - 1) / MR, tiles_n = (N + NR - 1) / NR;
  for (; s > 1; --s) {
    double best = -1;
    for (int64_t f = 1; f <= s; ++f) {
      if (s % f || f > tiles_m || s / f > tiles_n) continue;
      const double cost = a_cost * double(M) / f + b_cost * double(N) / (s / f);
      if (best < 0 || cost < best) best = cost, *sm = f, *sn = s / f;
    }
    if (best >= 0) return;
  }
  *sm = *sn = 1;
}

const KernelSet& portable_set() {
  static const KernelSet set{kPortableMR, kPortableNR, 256, 1024,
                             tile_portable<true, false>, tile_portable<false, false>,
                             tile_portable<true, true>, dot_portable, pack_portable};
  return set;
}

// C (M, N) = beta * C, or zeros when beta == 0 (C not read): the K == 0 / alpha == 0 case.
void scale_c(float* C, int64_t M, int64_t N, int64_t ldc, float beta) {
  for (int64_t i = 0; i < M; ++i) {
    float* row = C + i * ldc;
    if (beta == 0.f) std::fill(row, row + N, 0.f);
    else if (beta != 1.f) for (int64_t j = 0; j < N; ++j) row[j] *= beta;
  }
}

}  // namespace

const KernelSet& portable_kernels() { return portable_set(); }

void pack_portable(float* dst, int W, const void* src, DType dtype, int64_t ks, int64_t ws,
                   int64_t kc, int w) {
  const float* f = static_cast<const float*>(src);
  const uint16_t* h = static_cast<const uint16_t*>(src);
  for (int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < W; ++i) {
      const int64_t at = k * ks + i * ws;
      dst[k * W + i] = i >= w ? 0.f : dtype == BF16 ? bf16_to_f32(h[at]) : f[at];
    }
}

}  // namespace gemm_detail

using namespace gemm_detail;

namespace {

// The problem for A and C, B left for the caller to describe.
Problem base_problem(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha,
                     const float* A, int64_t lda, int64_t stride_a, float beta, float* C,
                     int64_t ldc, int64_t stride_c) {
  Problem p;
  p.M = M, p.N = N, p.K = K, p.alpha = alpha, p.beta = beta;
  p.A = A, p.stride_a = stride_a;
  p.a_rs = trans_a ? 1 : lda;
  p.a_cs = trans_a ? lda : 1;
  p.C = C, p.ldc = ldc, p.c_cs = 1, p.stride_c = stride_c;
  return p;
}

void run_problem(Problem p, int64_t batch) {
  const int64_t M = p.M, N = p.N, K = p.K, stride_c = p.stride_c;
  const int level = simd_level();
  const KernelSet& ks =
#if defined(__x86_64__)
      level >= 3 ? avx512_kernels() : level == 2 ? avx2_kernels() :
#endif
      portable_kernels();
  (void)level;

  if (p.a_rs == 1 && p.N <= kDotMaxN && p.M > ks.nr && p.b_dtype == F32 && !use_dot(p))
    p = swapped(p);

  // A batch writing one shared C (stride_c == 0) runs its items in order, never at once.
  const bool shared_c = stride_c == 0 && batch > 1;
  const int64_t concurrent_batch = shared_c ? 1 : batch;
  // Below ~2^18 multiply-adds waking the pool costs more than it saves.
  const bool tiny = double(M) * double(N) * double(K) * double(concurrent_batch) < 262144.0;
  const int threads = tiny ? 1 : num_threads();
  const bool dot = p.c_cs == 1 && use_dot(p);
  const int64_t tile_m = dot ? kDotTile : ks.mr, tile_n = dot ? kDotTile : ks.nr;
  // Relative cost per element of packing each operand (see run_region): a row copy (A stored
  // (M, K) with a rows_a kernel, A stored (K, M), f32 B stored (K, N)) is 1, a transpose or
  // a decode about 3.
  const bool a_copied = (p.a_cs == 1 && ks.rows_a) || p.a_rs == 1;
  const bool b_copied = b_rows_contiguous(p);
  int64_t sm = 1, sn = 1;
  choose_grid(regions_per_batch(concurrent_batch, threads), p.M, p.N, tile_m, tile_n,
              a_copied ? 1.0 : 3.0, b_copied ? 1.0 : 3.0, &sm, &sn);
  const int64_t per_batch = sm * sn;

  auto run_tasks = [&](int64_t first_batch, int64_t batches) {
    parallel_for(batches * per_batch, tiny ? batches * per_batch : 1,
                 [&](int, int64_t begin, int64_t end) {
                   for (int64_t task = begin; task < end; ++task) {
                     Region r;
                     r.batch = first_batch + task / per_batch;
                     const int64_t cell = task % per_batch;
                     split_aligned(p.M, tile_m, sm, cell / sn, &r.m0, &r.m1);
                     split_aligned(p.N, tile_n, sn, cell % sn, &r.n0, &r.n1);
                     if (r.m0 >= r.m1 || r.n0 >= r.n1) continue;
                     bool biased = false;
                     if (dot) run_region_dot(p, ks, r);
                     else biased = run_region(p, ks, r);
                     if (p.bias && !biased) region_bias(p, r);
                   }
                 });
  };
  if (shared_c) {
    for (int64_t b = 0; b < batch; ++b) run_tasks(b, 1);
  } else {
    run_tasks(0, batch);
  }
}

// K == 0 or alpha == 0: A and B are not read, as in BLAS. Returns whether it handled C.
bool trivial(int64_t M, int64_t N, int64_t K, float alpha, float beta, float* C, int64_t ldc,
             int64_t stride_c, int64_t batch, const float* bias = nullptr) {
  if (M <= 0 || N <= 0 || batch <= 0) return true;
  if (K > 0 && alpha != 0.f) return false;
  for (int64_t b = 0; b < batch; ++b) {
    float* c = C + b * stride_c;
    scale_c(c, M, N, ldc, beta);
    if (bias)
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) c[i * ldc + j] += bias[j];
  }
  return true;
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, int64_t stride_a,
          const void* B, DType b_dtype, int64_t ldb, int64_t stride_b,
          float beta, float* C, int64_t ldc, int64_t stride_c, int64_t batch,
          const float* bias) {
  if (trivial(M, N, K, alpha, beta, C, ldc, stride_c, batch, bias)) return;
  if (bias && stride_c == 0 && batch > 1) {  // one shared C: the bias goes in once, at the end
    gemm(trans_a, trans_b, M, N, K, alpha, A, lda, stride_a, B, b_dtype, ldb, stride_b, beta, C,
         ldc, stride_c, batch);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] += bias[j];
    return;
  }
  // A few rows against an f32 weight stored (K, N) (generation): streamed, see gemv.h.
  if (batch == 1 && !trans_b && b_dtype == F32 && M <= kGemvMaxRows &&
      gemv_rows(trans_a, M, N, K, alpha, A, lda, static_cast<const float*>(B), ldb, beta, C, ldc,
                bias))
    return;
  Problem p = base_problem(trans_a, M, N, K, alpha, A, lda, stride_a, beta, C, ldc, stride_c);
  p.bias = bias;
  p.B = static_cast<const char*>(B), p.b_dtype = b_dtype, p.stride_b = stride_b;
  p.b_elem = b_dtype == BF16 ? 2 : 4;
  p.b_rs = trans_b ? 1 : ldb;
  p.b_cs = trans_b ? ldb : 1;
  run_problem(p, batch);
}

void gemm_4bit(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, int64_t stride_a, const Quant4Matrix& B,
               int64_t ldb, float beta, float* C, int64_t ldc, int64_t stride_c,
               int64_t batch) {
  if (trivial(M, N, K, alpha, beta, C, ldc, stride_c, batch)) return;
  Problem p = base_problem(trans_a, M, N, K, alpha, A, lda, stride_a, beta, C, ldc, stride_c);
  p.B = nullptr, p.b_dtype = U8, p.b_elem = 0, p.stride_b = 0, p.q4 = &B;
  p.b_rs = trans_b ? 1 : ldb;
  p.b_cs = trans_b ? ldb : 1;
  run_problem(p, batch);
}

void gemm_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                    const float* A, int64_t lda, int64_t stride_a,
                    const void* B, DType b_dtype, int64_t ldb, int64_t stride_b,
                    float beta, float* C, int64_t ldc, int64_t stride_c, int64_t batch,
                    const float* bias) {
  const float* Bf = static_cast<const float*>(B);
  const uint16_t* Bh = static_cast<const uint16_t*>(B);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k) {
          const double a = A[b * stride_a + (trans_a ? k * lda + i : i * lda + k)];
          const int64_t at = b * stride_b + (trans_b ? j * ldb + k : k * ldb + j);
          const double w = b_dtype == BF16 ? gemm_detail::bf16_to_f32(Bh[at]) : Bf[at];
          acc += a * w;
        }
        float& c = C[b * stride_c + i * ldc + j];
        // beta == 0: C is not read (it may hold NaN).
        c = float(double(alpha) * acc + (beta != 0.f ? double(beta) * double(c) : 0.0));
        if (bias && (stride_c != 0 || b == batch - 1)) c += bias[j];
      }
}

}  // namespace tl
