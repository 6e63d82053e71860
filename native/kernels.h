// The kernel contract: every compute routine the TypeScript ops call, over plain pointers.
//
// Letters used in shape comments: B batch, T tokens (Tq queries, Tk keys), C channels,
// H query heads, Hkv key/value heads, D head dim, V vocab, N rows, M/N/K GEMM sizes.
// All tensors are float32, row-major and contiguous unless the signature gives strides.
//
// Conventions
// - Sizes and strides are int64_t and counted in elements, not bytes.
// - Backward kernels OVERWRITE every element of their outputs (dx = ..., zeros where no
//   gradient reaches): the autograd engine sums gradients that meet, so no caller zeroes
//   an output first and no kernel reads one. Scatter-style kernels (embedding,
//   index_select, attention's dbias) clear their output themselves, in the pass that
//   fills it.
// - Kernels never print, exit, abort or throw: the TypeScript op validated shapes first,
//   and native/binding.cpp checked buffer lengths.
// - Each kernel has a portable reference loop; AVX2/FMA (and AVX-512 where it pays) paths
//   are chosen at run time by cpu_features() and tested against the reference.
// - Results depend on the thread count only through float rounding, and are bit-identical
//   run to run for the same thread count (fixed partitions, ordered combination).
#pragma once
#include <cstdint>

namespace tl {

// ---------------------------------------------------------------------------------------
// CPU features (cpu.cpp)
struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false, avx512f = false, avx512bw = false;
};
const CpuFeatures& cpu_features();
// Forces the portable paths (for tests comparing SIMD against the reference). 0 = auto.
void set_simd_level(int level);  // 0 auto, 1 portable only, 2 up to AVX2, 3 up to AVX-512
int simd_level();                // effective level after set_simd_level and cpu_features

// ---------------------------------------------------------------------------------------
// Dtype codes shared with TypeScript (src/tensor/dtype.ts). Only ever append.
enum DType : int { F32 = 0, BF16 = 1, F16 = 2, I32 = 3, U8 = 4 };

// ---------------------------------------------------------------------------------------
// GEMM (gemm.cpp)
// For each batch index b in [0, batch):
//   C_b (M, N) = alpha * op(A_b) @ op(B_b) + beta * C_b
// op(A) is (M, K): A[m*lda + k] when !trans_a, A[k*lda + m] when trans_a (same for B, (K, N)).
// A_b = A + b*stride_a (stride 0 broadcasts one matrix over the batch), same for B and C.
// B may be F32 or BF16 (frozen weights in half the memory: dequantized while packing).
// beta == 0 means C is not read (it may hold garbage or NaN). A non-null bias (N) is added
// to every row of C last, (alpha * AB + beta * C) + bias[j], rounded as a separate add.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, int64_t stride_a,
          const void* B, DType b_dtype, int64_t ldb, int64_t stride_b,
          float beta, float* C, int64_t ldc, int64_t stride_c, int64_t batch,
          const float* bias = nullptr);
// Reference implementation, for tests.
void gemm_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                    const float* A, int64_t lda, int64_t stride_a,
                    const void* B, DType b_dtype, int64_t ldb, int64_t stride_b,
                    float beta, float* C, int64_t ldc, int64_t stride_c, int64_t batch,
                    const float* bias = nullptr);

// ---------------------------------------------------------------------------------------
// Blockwise quantization, bitsandbytes' formats (quant.cpp)
// Codes shared with TypeScript (src/quant/functional.ts). Only ever append.
enum QuantType : int { Q_FP4 = 0, Q_NF4 = 1 };
// The 16 code values, indexed by the stored 4-bit code.
const float* code_4bit(QuantType t);
// bitsandbytes' signed 8-bit dynamic map (create_dynamic_map(signed=True)), 256 sorted values.
const float* dynamic_code_8bit();
// create_dynamic_map(signed=False): 256 sorted values in [0, 1] (8-bit optimizers' second moment).
const float* dynamic_code_8bit_unsigned();
// AdamW with both moments as blockwise 8-bit codes, bitsandbytes' 8-bit blockwise Adam state
// layout: q1 over the signed dynamic map, q2 over the unsigned one, absmax per block. Each
// block is decoded, updated as adamw_step does (decoupled weight decay), the parameter
// stepped with the float32 moments, and the moments re-encoded against the block's new absmax.
void adamw8bit_step(float* p, const float* g, uint8_t* q1, uint8_t* q2, float* absmax1,
                    float* absmax2, int64_t n, int64_t blocksize, float lr, float beta1,
                    float beta2, float eps, float weight_decay, float bc1, float bc2,
                    float grad_scale);
// Maps `bytes` of a new file at `path` (removed at once: the mapping keeps it) read-write and
// shared, so the OS may write its pages back to the file and drop them under memory pressure
// ("paged" optimizer state on a CPU). Returns null on failure (errno kept).
void* map_state_file(const char* path, int64_t bytes);
void unmap_state_file(void* ptr, int64_t bytes);
// x (n, F32/BF16/F16) -> packed ((n+1)/2), absmax (ceil(n/blocksize)); blocksize even.
// packed[i] = code[2i] << 4 | code[2i+1]; an odd n pads the last low nibble with code(0).
void quantize_4bit(uint8_t* packed, float* absmax, const void* x, DType x_dtype, int64_t n,
                   int64_t blocksize, QuantType t);
// out (n) = code[c_i] * absmax[i / blocksize]
void dequantize_4bit(float* out, const uint8_t* packed, const float* absmax, int64_t n,
                     int64_t blocksize, QuantType t);
// q (n), absmax (ceil(n/blocksize)) against a sorted 256-entry code: nearest value, ties low.
void quantize_blockwise_8bit(uint8_t* q, float* absmax, const float* x, const float* code,
                             int64_t n, int64_t blocksize);
// LLM.int8 row-wise quantization as bitsandbytes' Int8Params does it, bit for bit: x
// (rows x cols, F32/BF16/F16) is rounded to float16 first, row_absmax[r] = max |x_r|, and
// codes = round_half_even(x * ((1 / absmax) * 127)) in float32 (an all-zero row: codes 0).
void quantize_int8_rows(int8_t* codes, float* row_absmax, const void* x, DType x_dtype,
                        int64_t rows, int64_t cols);
// out (n) = code[q_i] * absmax[i / blocksize] + offset
void dequantize_blockwise_8bit(float* out, const uint8_t* q, const float* absmax,
                               const float* code, int64_t n, int64_t blocksize, float offset);

// A quantized matrix as a GEMM operand, row-major over its n elements: 4-bit blockwise, or
// (int8_codes set) LLM.int8's row-wise int8. 4-bit block scales are either float32 (absmax)
// or double-quantized: nested_code[absmax_q[b]] * nested_absmax[b / nested_blocksize] +
// offset, decoded block by block, never stored.
struct Quant4Matrix {
  const uint8_t* packed = nullptr;
  int64_t n = 0, blocksize = 64;
  QuantType type = Q_NF4;
  const float* absmax = nullptr;
  const uint8_t* absmax_q = nullptr;
  const float* nested_absmax = nullptr;
  const float* nested_code = nullptr;
  int64_t nested_blocksize = 256;
  float offset = 0.f;
  // Decoded values rounded to bfloat16 (bnb_4bit_compute_dtype=bfloat16 emulation).
  bool round_bf16 = false;
  // Row-wise int8 (bitsandbytes' Int8Params: CB with SCB): element e of row r = e / row_len
  // decodes to int8_codes[e] * (row_absmax[r] * (1/127)), as bitsandbytes' CPU training
  // matmul (MatMul8bitFp) dequantizes; with int8_unscaled, to the bare code (the integer
  // product of LLM.int8 inference, scaled afterwards).
  const int8_t* int8_codes = nullptr;
  const float* row_absmax = nullptr;
  int64_t row_len = 0;
  bool int8_unscaled = false;
};
float block_scale_4bit(const Quant4Matrix& q, int64_t block);
// out (len) = elements [begin, begin + len) of q, dequantized (4-bit or int8).
void decode_4bit(float* out, const Quant4Matrix& q, int64_t begin, int64_t len);
// gemm() with B a 4-bit matrix, op(B)(k, j) = element k*ldb + j (or j*ldb + k when
// trans_b) of q, shared by every batch item. Blocks are decoded into the packed panels:
// no full-precision copy of B exists at any time.
void gemm_4bit(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, int64_t stride_a, const Quant4Matrix& B,
               int64_t ldb, float beta, float* C, int64_t ldc, int64_t stride_c,
               int64_t batch);

// ---------------------------------------------------------------------------------------
// Element-wise (unary.cpp; binary.cpp for binary, scalar and where)
enum UnaryOp : int {
  U_NEG = 0, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_TANH, U_SIGMOID, U_RELU,
  U_GELU_ERF, U_GELU_TANH, U_SILU, U_ABS, U_SQUARE, U_RECIPROCAL, U_SIN, U_COS,
};
// out (n) = f(x)
void unary_forward(UnaryOp op, float* out, const float* x, int64_t n);
// dx (n) = dy * f'(x); y = f(x) is passed for ops whose derivative reads it (exp, tanh,
// sigmoid, sqrt, rsqrt, reciprocal); either x or y may be null when the op does not need it.
void unary_backward(UnaryOp op, float* dx, const float* dy, const float* x, const float* y,
                    int64_t n);

enum BinaryOp : int {
  B_ADD = 0, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN,
  B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,  // comparisons give 1.0f or 0.0f
};
// out (shape, contiguous) = a op b, where a and b are read through strides (0 = broadcast).
// ndim <= 8. shape/strides arrays have ndim entries.
void binary_forward(BinaryOp op, float* out, const int64_t* shape, int64_t ndim,
                    const float* a, const int64_t* a_strides,
                    const float* b, const int64_t* b_strides);
// out (n) = x op s  (or s op x when scalar_first, for SUB/DIV/POW)
void scalar_forward(BinaryOp op, float* out, const float* x, float s, bool scalar_first,
                    int64_t n);
// out (shape, contiguous) = cond ? a : b, each read through strides; cond is uint8.
void where_forward(float* out, const int64_t* shape, int64_t ndim,
                   const uint8_t* cond, const int64_t* c_strides,
                   const float* a, const int64_t* a_strides,
                   const float* b, const int64_t* b_strides);

// ---------------------------------------------------------------------------------------
// Copies and casts (copy.cpp)
// out (shape, contiguous) = x read through strides; elem_size in bytes (1, 2 or 4).
void copy_strided(void* out, const void* x, const int64_t* shape, const int64_t* strides,
                  int64_t ndim, int64_t elem_size);
// out (n, out_dtype) = x (n, x_dtype); float -> int truncates toward zero; bf16/f16 round
// to nearest even.
void cast(void* out, DType out_dtype, const void* x, DType x_dtype, int64_t n);
// out (n) = value
void fill(float* out, float value, int64_t n);

// ---------------------------------------------------------------------------------------
// Reductions (reduce.cpp). x is viewed as (outer, R, inner); out is (outer, inner).
enum ReduceOp : int { R_SUM = 0, R_MEAN, R_MAX, R_MIN };
void reduce(ReduceOp op, float* out, const float* x, int64_t outer, int64_t R, int64_t inner);
// out (outer, inner) int32 = index of the first maximum along R.
void argmax(int32_t* out, const float* x, int64_t outer, int64_t R, int64_t inner);
// Sum of squares of x (n), in double, for gradient-norm clipping.
double sum_squares(const float* x, int64_t n);

// ---------------------------------------------------------------------------------------
// Softmax (softmax.cpp): rows of C.
void softmax_forward(float* y, const float* x, int64_t N, int64_t C);
void softmax_backward(float* dx, const float* dy, const float* y, int64_t N, int64_t C);
void log_softmax_forward(float* y, const float* x, int64_t N, int64_t C);
void log_softmax_backward(float* dx, const float* dy, const float* y, int64_t N, int64_t C);

// ---------------------------------------------------------------------------------------
// Normalisation (norm.cpp)
// LayerNorm over the last dim: y = (x - mean) * rstd * w + b. w/b may be null (no affine).
void layer_norm_forward(float* y, float* mean /* (N) */, float* rstd /* (N) */,
                        const float* x /* (N, C) */, const float* w /* (C) */,
                        const float* b /* (C) */, int64_t N, int64_t C, float eps);
// dx may be null (input needs no grad); dw/db may be null (sums over the N rows).
void layer_norm_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                         const float* w, const float* mean, const float* rstd,
                         int64_t N, int64_t C);
// RMSNorm: y = x * rstd * w, rstd = 1/sqrt(mean(x^2) + eps). w may be null.
void rms_norm_forward(float* y, float* rstd /* (N) */, const float* x, const float* w,
                      int64_t N, int64_t C, float eps);
// dx may be null; dw may be null (a sum over the N rows).
void rms_norm_backward(float* dx, float* dw, const float* dy, const float* x, const float* w,
                       const float* rstd, int64_t N, int64_t C);

// ---------------------------------------------------------------------------------------
// Embedding (embedding.cpp)
// out (N, C) = weight[ids[n]]; ids are int32 in [0, V) (checked in TypeScript).
void embedding_forward(float* out, const int32_t* ids, const float* weight, int64_t N,
                       int64_t C);
// dweight (V, C) = the sum of dout rows at each id; padding_idx's row (>= 0) and unused rows are 0.
void embedding_backward(float* dweight, const float* dout, const int32_t* ids, int64_t N,
                        int64_t C, int64_t V, int64_t padding_idx);
// Gather/scatter along one axis of a (outer, R, inner) view: out (outer, n_idx, inner) =
// x[:, idx[j], :]; backward writes dx (outer, R, inner): sums of dout rows, 0 where unindexed.
void index_select_forward(float* out, const float* x, const int32_t* idx, int64_t outer,
                          int64_t R, int64_t inner, int64_t n_idx);
void index_select_backward(float* dx, const float* dout, const int32_t* idx, int64_t outer,
                           int64_t R, int64_t inner, int64_t n_idx);

// ---------------------------------------------------------------------------------------
// Rotary position embedding (rope.cpp), Hugging Face rotate_half layout: pairs are
// (x[i], x[i + D/2]). x, out: (B, H, T, D) contiguous. cos/sin: (P, D/2) tables by
// position; pos: (B, T) int32 positions. inverse = true applies the inverse rotation
// (the backward pass). out may alias x.
void rope_forward(float* out, const float* x, const float* cos, const float* sin,
                  const int32_t* pos, int64_t B, int64_t H, int64_t T, int64_t D,
                  bool inverse);

// ---------------------------------------------------------------------------------------
// Scaled dot-product attention (attention.cpp), memory-efficient: scores are computed a
// block of keys at a time with an online softmax; only the log-sum-exp per query is kept.
// q: (B, H, Tq, D), k/v: (B, Hkv, Tk, D), out: (B, H, Tq, D), lse: (B, H, Tq).
// Query head h reads kv head h / (H / Hkv) (grouped-query attention).
// key_mask: (B, Tk) uint8, non-zero = attend, or null. causal: query i sees key j iff
// j <= i + (Tk - Tq) (so a prefix / past of length Tk - Tq is visible to all).
// bias: additive (Bb, H, Tq, Tk) with Bb in {1, B} (T5 relative positions), or null.
// scale multiplies q.k. dropout_p > 0 drops probabilities with a counter-based generator
// keyed by (seed, b, h, i, j), so backward regenerates the same mask.
// A query row with no visible key outputs zeros (and lse = -inf).
// Where row (b, head, position) of a (B, heads, T, D) operand starts, in elements; the D
// values of a row are contiguous. All zero (the default) means contiguous (B, heads, T, D).
// Lets q, k, v, out and their gradients live in (B, T, heads, D) order (the linear layers'
// output split into heads) or inside a fused QKV output, without copies.
struct AttnRows {
  int64_t b = 0, h = 0, t = 0;
};
struct AttentionArgs {
  int64_t B, H, Hkv, Tq, Tk, D;
  float scale;
  bool causal;
  const uint8_t* key_mask;
  const float* bias;
  int64_t bias_batch;  // 1 or B
  float dropout_p;
  uint64_t seed;
  AttnRows q_rows, k_rows, v_rows, out_rows, dout_rows, dq_rows, dk_rows, dv_rows;
};
void attention_forward(float* out, float* lse, const float* q, const float* k,
                       const float* v, const AttentionArgs& a);
// dq (B,H,Tq,D), dk/dv (B,Hkv,Tk,D) and dbias (Bb,H,Tq,Tk) (may be null) are written whole
// (dbias is 0 where a query sees no key). Any of dq/dk/dv may be null when that input needs no gradient.
void attention_backward(float* dq, float* dk, float* dv, float* dbias, const float* dout,
                        const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const AttentionArgs& a);

// ---------------------------------------------------------------------------------------
// Cross-entropy fused with log-softmax (cross_entropy.cpp)
// logits (N, V), targets (N) int32; rows whose target == ignore_index give loss 0.
// loss_rows (N) = -(1-ls) * logp[target] - ls/V * sum(logp); lse (N) saved for backward.
void cross_entropy_forward(float* loss_rows, float* lse, const float* logits,
                           const int32_t* targets, int64_t N, int64_t V,
                           int64_t ignore_index, float label_smoothing);
// dlogits (N, V) = dloss_rows[n] * (softmax - target distribution); ignored rows get 0.
void cross_entropy_backward(float* dlogits, const float* dloss_rows, const float* logits,
                            const float* lse, const int32_t* targets, int64_t N, int64_t V,
                            int64_t ignore_index, float label_smoothing);

// ---------------------------------------------------------------------------------------
// Random numbers (random.cpp): counter-based (Philox 4x32-10), so element i depends only
// on (seed, offset + i), never on threads.
void random_uniform(float* out, int64_t n, uint64_t seed, uint64_t offset, float low,
                    float high);
void random_normal(float* out, int64_t n, uint64_t seed, uint64_t offset, float mean,
                   float std);
// out (n) = keep ? x / (1 - p) : 0, keep drawn from (seed, i). Backward is the same call on dy.
void dropout_forward(float* out, const float* x, int64_t n, float p, uint64_t seed);

// ---------------------------------------------------------------------------------------
// Optimizer (adamw.cpp): one fused AdamW step over n parameters, torch.optim.AdamW:
//   p -= lr * wd * p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//   p -= lr * (m / bc1) / (sqrt(v / bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t.
// g is multiplied by grad_scale first (gradient clipping folds in here).
void adamw_step(float* p, const float* g, float* m, float* v, int64_t n, float lr,
                float beta1, float beta2, float eps, float weight_decay, float bc1,
                float bc2, float grad_scale);

}  // namespace tl
