// The whole N-API surface of tunelab: one export table. Each entry checks its argument
// count, types and buffer lengths, throws a JS TypeError/RangeError naming the function and
// the argument, then calls a kernel from kernels.h. Kernels never see N-API types.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"
#include "storage.h"
#include "thread_pool.h"

namespace {

using tl::DType;

struct Args {
  const Napi::CallbackInfo& info;
  const char* fn;

  Args(const Napi::CallbackInfo& i, const char* name, size_t count) : info(i), fn(name) {
    if (i.Length() != count) {
      throw Napi::TypeError::New(i.Env(), std::string("[native.") + fn + "] expected " +
                                              std::to_string(count) + " arguments but got " +
                                              std::to_string(i.Length()));
    }
  }

  [[noreturn]] void fail(size_t idx, const std::string& what) const {
    throw Napi::TypeError::New(info.Env(), std::string("[native.") + fn + "] argument " +
                                               std::to_string(idx) + ": " + what);
  }

  double num(size_t idx) const {
    if (!info[idx].IsNumber()) fail(idx, "expected a number");
    return info[idx].As<Napi::Number>().DoubleValue();
  }
  int64_t i64(size_t idx) const {
    double v = num(idx);
    if (v != static_cast<double>(static_cast<int64_t>(v))) fail(idx, "expected an integer");
    return static_cast<int64_t>(v);
  }
  int64_t size(size_t idx) const {
    int64_t v = i64(idx);
    if (v < 0) fail(idx, "expected a non-negative size");
    return v;
  }
  bool flag(size_t idx) const {
    if (!info[idx].IsBoolean()) fail(idx, "expected a boolean");
    return info[idx].As<Napi::Boolean>().Value();
  }

  // A typed array holding at least `need` elements of `elem_size` bytes; null/undefined
  // gives nullptr when `nullable`.
  void* buf(size_t idx, int64_t need, size_t elem_size, bool nullable = false) const {
    Napi::Value v = info[idx];
    if (nullable && (v.IsNull() || v.IsUndefined())) return nullptr;
    if (!v.IsTypedArray()) fail(idx, nullable ? "expected a typed array or null" : "expected a typed array");
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    size_t bytes = ta.ByteLength();
    if (static_cast<double>(bytes) < static_cast<double>(need) * elem_size) {
      fail(idx, "buffer holds " + std::to_string(bytes) + " bytes but " +
                    std::to_string(need * static_cast<int64_t>(elem_size)) + " are needed");
    }
    if (bytes == 0) return nullptr;
    return static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  }
  float* f32(size_t idx, int64_t need, bool nullable = false) const {
    return static_cast<float*>(buf(idx, need, 4, nullable));
  }
  int32_t* i32(size_t idx, int64_t need, bool nullable = false) const {
    return static_cast<int32_t*>(buf(idx, need, 4, nullable));
  }
  uint8_t* u8(size_t idx, int64_t need, bool nullable = false) const {
    return static_cast<uint8_t*>(buf(idx, need, 1, nullable));
  }

  std::vector<int64_t> dims(size_t idx) const {
    if (!info[idx].IsArray()) fail(idx, "expected an array of integers");
    Napi::Array a = info[idx].As<Napi::Array>();
    if (a.Length() > 8) fail(idx, "at most 8 dimensions are supported");
    std::vector<int64_t> out(a.Length());
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value e = a.Get(i);
      if (!e.IsNumber()) fail(idx, "expected an array of integers");
      out[i] = static_cast<int64_t>(e.As<Napi::Number>().DoubleValue());
    }
    return out;
  }

  DType dtype(size_t idx) const {
    int64_t d = i64(idx);
    if (d < 0 || d > tl::U8) fail(idx, "unknown dtype code " + std::to_string(d));
    return static_cast<DType>(d);
  }
};

size_t dtype_size(DType d) {
  switch (d) {
    case tl::F32: case tl::I32: return 4;
    case tl::BF16: case tl::F16: return 2;
    case tl::U8: return 1;
  }
  return 4;
}

int64_t product(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Elements spanned by a strided view: 1 + sum((shape-1)*stride) for non-empty views.
int64_t strided_span(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t span = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return 0;
    span += (shape[i] - 1) * strides[i];
  }
  return span;
}

Napi::Value Undefined(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

// ---- threads and CPU -------------------------------------------------------------------

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), tl::num_threads());
}

Napi::Value AvailableCpus(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), tl::available_cpus());
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setNumThreads", 1);
  tl::set_num_threads(static_cast<int>(a.i64(0)));
  return Undefined(info);
}

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  const tl::CpuFeatures& f = tl::cpu_features();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("avx2", f.avx2);
  o.Set("fma", f.fma);
  o.Set("f16c", f.f16c);
  o.Set("avx512f", f.avx512f);
  o.Set("avx512bw", f.avx512bw);
  o.Set("simdLevel", tl::simd_level());
  return o;
}

Napi::Value SetSimdLevel(const Napi::CallbackInfo& info) {
  Args a(info, "setSimdLevel", 1);
  tl::set_simd_level(static_cast<int>(a.i64(0)));
  return Undefined(info);
}

// ---- GEMM ------------------------------------------------------------------------------

// gemm(transA, transB, M, N, K, alpha, A, lda, strideA, B, bDtype, ldb, strideB,
//      beta, C, ldc, strideC, batch, bias): bias (N) or null, added to every row of C last
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a(info, "gemm", 19);
  bool ta = a.flag(0), tb = a.flag(1);
  int64_t M = a.size(2), N = a.size(3), K = a.size(4), batch = a.size(17);
  int64_t lda = a.size(7), sa = a.size(8), ldb = a.size(11), sb = a.size(12);
  int64_t ldc = a.size(15), sc = a.size(16);
  DType bt = a.dtype(10);
  if (bt != tl::F32 && bt != tl::BF16) a.fail(10, "B must be float32 or bfloat16");
  auto span = [&](bool trans, int64_t rows, int64_t cols, int64_t ld, int64_t stride) -> int64_t {
    if (batch == 0 || rows == 0 || cols == 0) return 0;
    int64_t r = trans ? cols : rows, c = trans ? rows : cols;
    return (batch - 1) * stride + (r - 1) * ld + c;
  };
  const float* A = a.f32(6, span(ta, M, K, lda, sa));
  const void* B = a.buf(9, span(tb, K, N, ldb, sb), dtype_size(bt));
  float* C = a.f32(14, span(false, M, N, ldc, sc));
  const float* bias = a.f32(18, N, true);
  tl::gemm(ta, tb, M, N, K, static_cast<float>(a.num(5)), A, lda, sa, B, bt, ldb, sb,
           static_cast<float>(a.num(13)), C, ldc, sc, batch, bias);
  return Undefined(info);
}

// ---- quantization ----------------------------------------------------------------------

tl::QuantType quant_type(const Args& a, size_t idx) {
  int64_t t = a.i64(idx);
  if (t != tl::Q_FP4 && t != tl::Q_NF4) a.fail(idx, "quant type must be 0 (fp4) or 1 (nf4)");
  return static_cast<tl::QuantType>(t);
}

int64_t block_size(const Args& a, size_t idx) {
  int64_t b = a.i64(idx);
  if (b < 2 || b > (1 << 20) || b % 2) a.fail(idx, "block size must be an even number in [2, 2^20]");
  return b;
}

Napi::Float32Array copy_floats(Napi::Env env, const float* v, size_t n) {
  Napi::Float32Array out = Napi::Float32Array::New(env, n);
  std::memcpy(out.Data(), v, n * sizeof(float));
  return out;
}

// A quantizer's source dtype: float32, bfloat16 or float16 (what checkpoints hold).
DType float_source(const Args& a, size_t idx) {
  const DType t = a.dtype(idx);
  if (t != tl::F32 && t != tl::BF16 && t != tl::F16) a.fail(idx, "x must be float32, bfloat16 or float16");
  return t;
}

// code4bit(quantType) -> Float32Array(16); dynamicCode8bit() -> Float32Array(256)
Napi::Value Code4bit(const Napi::CallbackInfo& info) {
  Args a(info, "code4bit", 1);
  return copy_floats(info.Env(), tl::code_4bit(quant_type(a, 0)), 16);
}

Napi::Value DynamicCode8bit(const Napi::CallbackInfo& info) {
  Args a(info, "dynamicCode8bit", 0);
  return copy_floats(info.Env(), tl::dynamic_code_8bit(), 256);
}

// quantize4bit(packed, absmax, x, xDtype, n, blocksize, quantType)
Napi::Value Quantize4bit(const Napi::CallbackInfo& info) {
  Args a(info, "quantize4bit", 7);
  int64_t n = a.size(4), bs = block_size(a, 5);
  const DType xt = float_source(a, 3);
  tl::quantize_4bit(a.u8(0, (n + 1) / 2), a.f32(1, (n + bs - 1) / bs), a.buf(2, n, dtype_size(xt)), xt, n, bs,
                    quant_type(a, 6));
  return Undefined(info);
}

// quantizeInt8Rows(codes (int8 bytes), rowAbsmax, x, xDtype, rows, cols)
Napi::Value QuantizeInt8Rows(const Napi::CallbackInfo& info) {
  Args a(info, "quantizeInt8Rows", 6);
  int64_t rows = a.size(4), cols = a.size(5);
  const DType xt = float_source(a, 3);
  tl::quantize_int8_rows(reinterpret_cast<int8_t*>(a.u8(0, rows * cols)), a.f32(1, rows), a.buf(2, rows * cols, dtype_size(xt)), xt,
                         rows, cols);
  return Undefined(info);
}

// dequantize4bit(out, packed, absmax, n, blocksize, quantType)
Napi::Value Dequantize4bit(const Napi::CallbackInfo& info) {
  Args a(info, "dequantize4bit", 6);
  int64_t n = a.size(3), bs = block_size(a, 4);
  tl::dequantize_4bit(a.f32(0, n), a.u8(1, (n + 1) / 2), a.f32(2, (n + bs - 1) / bs), n, bs, quant_type(a, 5));
  return Undefined(info);
}

// quantizeBlockwise8bit(q, absmax, x, code, n, blocksize)
Napi::Value QuantizeBlockwise8bit(const Napi::CallbackInfo& info) {
  Args a(info, "quantizeBlockwise8bit", 6);
  int64_t n = a.size(4), bs = block_size(a, 5);
  tl::quantize_blockwise_8bit(a.u8(0, n), a.f32(1, (n + bs - 1) / bs), a.f32(2, n), a.f32(3, 256), n, bs);
  return Undefined(info);
}

// dequantizeBlockwise8bit(out, q, absmax, code, n, blocksize, offset)
Napi::Value DequantizeBlockwise8bit(const Napi::CallbackInfo& info) {
  Args a(info, "dequantizeBlockwise8bit", 7);
  int64_t n = a.size(4), bs = block_size(a, 5);
  tl::dequantize_blockwise_8bit(a.f32(0, n), a.u8(1, n), a.f32(2, (n + bs - 1) / bs), a.f32(3, 256), n, bs,
                                static_cast<float>(a.num(6)));
  return Undefined(info);
}

Napi::Value DynamicCode8bitUnsigned(const Napi::CallbackInfo& info) {
  Args a(info, "dynamicCode8bitUnsigned", 0);
  return copy_floats(info.Env(), tl::dynamic_code_8bit_unsigned(), 256);
}

// adamw8bitStep(p, g, q1, q2, absmax1, absmax2, n, blocksize, lr, beta1, beta2, eps,
//               weightDecay, bc1, bc2, gradScale)
Napi::Value Adamw8bitStep(const Napi::CallbackInfo& info) {
  Args a(info, "adamw8bitStep", 16);
  int64_t n = a.size(6), bs = block_size(a, 7);
  const int64_t blocks = (n + bs - 1) / bs;
  auto f = [&](size_t i) { return static_cast<float>(a.num(i)); };
  tl::adamw8bit_step(a.f32(0, n), a.f32(1, n), a.u8(2, n), a.u8(3, n), a.f32(4, blocks), a.f32(5, blocks), n, bs,
                     f(8), f(9), f(10), f(11), f(12), f(13), f(14), f(15));
  return Undefined(info);
}

// mapStateFile(path, bytes) -> ArrayBuffer over a shared file mapping (unmapped when collected)
Napi::Value MapStateFile(const Napi::CallbackInfo& info) {
  Args a(info, "mapStateFile", 2);
  if (!info[0].IsString()) a.fail(0, "expected a file path");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const int64_t bytes = a.size(1);
  if (bytes == 0) return Napi::ArrayBuffer::New(info.Env(), 0);
  void* p = tl::map_state_file(path.c_str(), bytes);
  if (!p) {
    throw Napi::Error::New(info.Env(), "[native.mapStateFile] cannot map " + std::to_string(bytes) + " bytes at " + path +
                                           ": " + std::strerror(errno) + "; set TUNELAB_PAGED_DIR to a folder with free space");
  }
  return Napi::ArrayBuffer::New(info.Env(), p, size_t(bytes), [](Napi::Env, void* data, int64_t* len) {
    tl::unmap_state_file(data, *len);
    delete len;
  }, new int64_t(bytes));
}

// allocPages(bytes) -> zero-filled ArrayBuffer over its own mapping (unmapped when collected;
// V8 is told its size so collection keeps pace)
Napi::Value AllocPages(const Napi::CallbackInfo& info) {
  Args a(info, "allocPages", 1);
  const int64_t bytes = a.size(0);
  if (bytes == 0) return Napi::ArrayBuffer::New(info.Env(), 0);
  void* p = tl::alloc_pages(bytes);
  if (!p) {
    throw Napi::Error::New(info.Env(), "[native.allocPages] cannot map " + std::to_string(bytes) + " bytes: " + std::strerror(errno) +
                                           "; the machine is out of memory — use a smaller batch, gradient checkpointing or a 4-bit base");
  }
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), bytes);
  return Napi::ArrayBuffer::New(info.Env(), p, size_t(bytes), [](Napi::Env env, void* data, int64_t* len) {
    tl::free_pages(data, *len);
    Napi::MemoryManagement::AdjustExternalMemory(env, -*len);
    delete len;
  }, new int64_t(bytes));
}

// discardPages(buffer from allocPages): its pages go back to the OS now; it reads as zeros after
Napi::Value DiscardPages(const Napi::CallbackInfo& info) {
  Args a(info, "discardPages", 1);
  if (!info[0].IsArrayBuffer()) a.fail(0, "expected an ArrayBuffer from allocPages");
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  if (ab.ByteLength() > 0 && !tl::discard_pages(ab.Data(), int64_t(ab.ByteLength()))) {
    throw Napi::Error::New(info.Env(), std::string("[native.discardPages] madvise failed: ") + std::strerror(errno) + "; pass only buffers from allocPages");
  }
  return info.Env().Undefined();
}

// A {packed, n, blocksize, quantType, absmax | null, absmaxQ, nestedAbsmax, nestedCode,
// nestedBlocksize, offset} object as a Quant4Matrix; every buffer length is checked.
tl::Quant4Matrix quant4_matrix(const Args& a, size_t idx) {
  if (!a.info[idx].IsObject()) a.fail(idx, "expected a 4-bit weight object");
  Napi::Object o = a.info[idx].As<Napi::Object>();
  auto field = [&](const char* name) { return o.Get(name); };
  auto number = [&](const char* name) -> double {
    Napi::Value v = field(name);
    if (!v.IsNumber()) a.fail(idx, std::string("field ") + name + " must be a number");
    return v.As<Napi::Number>().DoubleValue();
  };
  auto array = [&](const char* name, int64_t need, size_t elem, bool nullable) -> void* {
    Napi::Value v = field(name);
    if (nullable && (v.IsNull() || v.IsUndefined())) return nullptr;
    if (!v.IsTypedArray()) a.fail(idx, std::string("field ") + name + " must be a typed array");
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    if (static_cast<double>(ta.ByteLength()) < static_cast<double>(need) * elem)
      a.fail(idx, std::string("field ") + name + " is too short");
    return static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  };
  tl::Quant4Matrix q;
  if (field("int8Codes").IsTypedArray()) {  // {int8Codes, rowAbsmax, rows, cols, unscaled}
    const double rows = number("rows"), cols = number("cols");
    if (!(rows >= 1 && cols >= 1 && rows * cols < 9.0e15 && rows == double(int64_t(rows)) && cols == double(int64_t(cols))))
      a.fail(idx, "fields rows and cols must be positive integers");
    q.n = int64_t(rows) * int64_t(cols), q.row_len = int64_t(cols);
    q.int8_codes = static_cast<const int8_t*>(array("int8Codes", q.n, 1, false));
    q.row_absmax = static_cast<const float*>(array("rowAbsmax", int64_t(rows), 4, false));
    q.int8_unscaled = field("unscaled").ToBoolean().Value();
    return q;
  }
  const double n = number("n"), bs = number("blocksize"), t = number("quantType");
  if (!(n >= 1 && n < 9.0e15 && n == double(int64_t(n)))) a.fail(idx, "field n must be a positive integer");
  if (!(bs >= 2 && bs <= (1 << 20) && int64_t(bs) % 2 == 0)) a.fail(idx, "field blocksize must be even");
  if (t != tl::Q_FP4 && t != tl::Q_NF4) a.fail(idx, "field quantType must be 0 (fp4) or 1 (nf4)");
  q.n = int64_t(n), q.blocksize = int64_t(bs), q.type = static_cast<tl::QuantType>(int(t));
  const int64_t blocks = (q.n + q.blocksize - 1) / q.blocksize;
  q.packed = static_cast<const uint8_t*>(array("packed", (q.n + 1) / 2, 1, false));
  q.absmax = static_cast<const float*>(array("absmax", blocks, 4, true));
  q.round_bf16 = field("roundBf16").ToBoolean().Value();
  if (!q.absmax) {
    const double nbs = number("nestedBlocksize");
    if (!(nbs >= 1 && nbs <= (1 << 20) && nbs == double(int64_t(nbs)))) a.fail(idx, "field nestedBlocksize must be a positive integer");
    q.nested_blocksize = int64_t(nbs);
    q.absmax_q = static_cast<const uint8_t*>(array("absmaxQ", blocks, 1, false));
    q.nested_absmax = static_cast<const float*>(array("nestedAbsmax", (blocks + q.nested_blocksize - 1) / q.nested_blocksize, 4, false));
    q.nested_code = static_cast<const float*>(array("nestedCode", 256, 4, false));
    q.offset = static_cast<float>(number("offset"));
  }
  return q;
}

// gemmQuantized(transA, transB, M, N, K, alpha, A, lda, strideA, qB, ldb, beta, C, ldc, strideC, batch):
// B a 4-bit or int8 matrix (quant4_matrix), decoded into the packed panels.
Napi::Value GemmQuantized(const Napi::CallbackInfo& info) {
  Args a(info, "gemmQuantized", 16);
  bool ta = a.flag(0), tb = a.flag(1);
  int64_t M = a.size(2), N = a.size(3), K = a.size(4), batch = a.size(15);
  int64_t lda = a.size(7), sa = a.size(8), ldb = a.size(10), ldc = a.size(13), sc = a.size(14);
  tl::Quant4Matrix q = quant4_matrix(a, 9);
  if (K > 0 && N > 0) {
    const int64_t rows = tb ? N : K, cols = tb ? K : N;
    if (ldb < cols || (rows - 1) * ldb + cols > q.n) a.fail(10, "B's rows and ldb exceed the quantized matrix");
  }
  auto span = [&](bool trans, int64_t rows, int64_t cols, int64_t ld, int64_t stride) -> int64_t {
    if (batch == 0 || rows == 0 || cols == 0) return 0;
    int64_t r = trans ? cols : rows, c = trans ? rows : cols;
    return (batch - 1) * stride + (r - 1) * ld + c;
  };
  const float* A = a.f32(6, span(ta, M, K, lda, sa));
  float* C = a.f32(12, span(false, M, N, ldc, sc));
  tl::gemm_4bit(ta, tb, M, N, K, static_cast<float>(a.num(5)), A, lda, sa, q, ldb,
                static_cast<float>(a.num(11)), C, ldc, sc, batch);
  return Undefined(info);
}

// ---- element-wise ----------------------------------------------------------------------

Napi::Value UnaryForward(const Napi::CallbackInfo& info) {
  Args a(info, "unaryForward", 4);
  int64_t n = a.size(3);
  tl::unary_forward(static_cast<tl::UnaryOp>(a.i64(0)), a.f32(1, n), a.f32(2, n), n);
  return Undefined(info);
}

Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  Args a(info, "unaryBackward", 6);
  int64_t n = a.size(5);
  tl::unary_backward(static_cast<tl::UnaryOp>(a.i64(0)), a.f32(1, n), a.f32(2, n),
                     a.f32(3, n, true), a.f32(4, n, true), n);
  return Undefined(info);
}

// binaryForward(op, out, shape, a, aStrides, b, bStrides)
Napi::Value BinaryForward(const Napi::CallbackInfo& info) {
  Args a(info, "binaryForward", 7);
  auto shape = a.dims(2), as = a.dims(4), bs = a.dims(6);
  if (as.size() != shape.size() || bs.size() != shape.size()) a.fail(4, "strides must match the shape's rank");
  tl::binary_forward(static_cast<tl::BinaryOp>(a.i64(0)), a.f32(1, product(shape)),
                     shape.data(), static_cast<int64_t>(shape.size()),
                     a.f32(3, strided_span(shape, as)), as.data(),
                     a.f32(5, strided_span(shape, bs)), bs.data());
  return Undefined(info);
}

// scalarForward(op, out, x, s, scalarFirst, n)
Napi::Value ScalarForward(const Napi::CallbackInfo& info) {
  Args a(info, "scalarForward", 6);
  int64_t n = a.size(5);
  tl::scalar_forward(static_cast<tl::BinaryOp>(a.i64(0)), a.f32(1, n), a.f32(2, n),
                     static_cast<float>(a.num(3)), a.flag(4), n);
  return Undefined(info);
}

// whereForward(out, shape, cond, condStrides, a, aStrides, b, bStrides)
Napi::Value WhereForward(const Napi::CallbackInfo& info) {
  Args a(info, "whereForward", 8);
  auto shape = a.dims(1), cs = a.dims(3), as = a.dims(5), bs = a.dims(7);
  if (cs.size() != shape.size() || as.size() != shape.size() || bs.size() != shape.size())
    a.fail(3, "strides must match the shape's rank");
  tl::where_forward(a.f32(0, product(shape)), shape.data(), static_cast<int64_t>(shape.size()),
                    a.u8(2, strided_span(shape, cs)), cs.data(),
                    a.f32(4, strided_span(shape, as)), as.data(),
                    a.f32(6, strided_span(shape, bs)), bs.data());
  return Undefined(info);
}

// ---- copies and casts ------------------------------------------------------------------

// copyStrided(out, x, shape, strides, elemSize)
Napi::Value CopyStrided(const Napi::CallbackInfo& info) {
  Args a(info, "copyStrided", 5);
  auto shape = a.dims(2), strides = a.dims(3);
  if (strides.size() != shape.size()) a.fail(3, "strides must match the shape's rank");
  int64_t es = a.size(4);
  if (es != 1 && es != 2 && es != 4) a.fail(4, "element size must be 1, 2 or 4");
  tl::copy_strided(a.buf(0, product(shape), es), a.buf(1, strided_span(shape, strides), es),
                   shape.data(), strides.data(), static_cast<int64_t>(shape.size()), es);
  return Undefined(info);
}

// cast(out, outDtype, x, xDtype, n)
Napi::Value Cast(const Napi::CallbackInfo& info) {
  Args a(info, "cast", 5);
  DType od = a.dtype(1), xd = a.dtype(3);
  int64_t n = a.size(4);
  tl::cast(a.buf(0, n, dtype_size(od)), od, a.buf(2, n, dtype_size(xd)), xd, n);
  return Undefined(info);
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  Args a(info, "fill", 3);
  int64_t n = a.size(2);
  tl::fill(a.f32(0, n), static_cast<float>(a.num(1)), n);
  return Undefined(info);
}

// ---- reductions ------------------------------------------------------------------------

// reduce(op, out, x, outer, R, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args a(info, "reduce", 6);
  int64_t outer = a.size(3), R = a.size(4), inner = a.size(5);
  tl::reduce(static_cast<tl::ReduceOp>(a.i64(0)), a.f32(1, outer * inner),
             a.f32(2, outer * R * inner), outer, R, inner);
  return Undefined(info);
}

// argmax(out, x, outer, R, inner)
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  Args a(info, "argmax", 5);
  int64_t outer = a.size(2), R = a.size(3), inner = a.size(4);
  tl::argmax(a.i32(0, outer * inner), a.f32(1, outer * R * inner), outer, R, inner);
  return Undefined(info);
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Args a(info, "sumSquares", 2);
  int64_t n = a.size(1);
  return Napi::Number::New(info.Env(), tl::sum_squares(a.f32(0, n), n));
}

// ---- softmax ---------------------------------------------------------------------------

template <void (*Fwd)(float*, const float*, int64_t, int64_t)>
Napi::Value RowForward(const Napi::CallbackInfo& info, const char* name) {
  Args a(info, name, 4);
  int64_t N = a.size(2), C = a.size(3);
  Fwd(a.f32(0, N * C), a.f32(1, N * C), N, C);
  return Undefined(info);
}

template <void (*Bwd)(float*, const float*, const float*, int64_t, int64_t)>
Napi::Value RowBackward(const Napi::CallbackInfo& info, const char* name) {
  Args a(info, name, 5);
  int64_t N = a.size(3), C = a.size(4);
  Bwd(a.f32(0, N * C), a.f32(1, N * C), a.f32(2, N * C), N, C);
  return Undefined(info);
}

Napi::Value SoftmaxForward(const Napi::CallbackInfo& i) { return RowForward<tl::softmax_forward>(i, "softmaxForward"); }
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& i) { return RowBackward<tl::softmax_backward>(i, "softmaxBackward"); }
Napi::Value LogSoftmaxForward(const Napi::CallbackInfo& i) { return RowForward<tl::log_softmax_forward>(i, "logSoftmaxForward"); }
Napi::Value LogSoftmaxBackward(const Napi::CallbackInfo& i) { return RowBackward<tl::log_softmax_backward>(i, "logSoftmaxBackward"); }

// ---- normalisation ---------------------------------------------------------------------

// layerNormForward(y, mean, rstd, x, w|null, b|null, N, C, eps)
Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormForward", 9);
  int64_t N = a.size(6), C = a.size(7);
  tl::layer_norm_forward(a.f32(0, N * C), a.f32(1, N), a.f32(2, N), a.f32(3, N * C),
                         a.f32(4, C, true), a.f32(5, C, true), N, C,
                         static_cast<float>(a.num(8)));
  return Undefined(info);
}

// layerNormBackward(dx|null, dw|null, db|null, dy, x, w|null, mean, rstd, N, C)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormBackward", 10);
  int64_t N = a.size(8), C = a.size(9);
  tl::layer_norm_backward(a.f32(0, N * C, true), a.f32(1, C, true), a.f32(2, C, true),
                          a.f32(3, N * C), a.f32(4, N * C), a.f32(5, C, true), a.f32(6, N),
                          a.f32(7, N), N, C);
  return Undefined(info);
}

// rmsNormForward(y, rstd, x, w|null, N, C, eps)
Napi::Value RmsNormForward(const Napi::CallbackInfo& info) {
  Args a(info, "rmsNormForward", 7);
  int64_t N = a.size(4), C = a.size(5);
  tl::rms_norm_forward(a.f32(0, N * C), a.f32(1, N), a.f32(2, N * C), a.f32(3, C, true), N, C,
                       static_cast<float>(a.num(6)));
  return Undefined(info);
}

// rmsNormBackward(dx|null, dw|null, dy, x, w|null, rstd, N, C)
Napi::Value RmsNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "rmsNormBackward", 8);
  int64_t N = a.size(6), C = a.size(7);
  tl::rms_norm_backward(a.f32(0, N * C, true), a.f32(1, C, true), a.f32(2, N * C),
                        a.f32(3, N * C), a.f32(4, C, true), a.f32(5, N), N, C);
  return Undefined(info);
}

// ---- embedding and gathers -------------------------------------------------------------

// embeddingForward(out, ids, weight, N, C, V)
Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingForward", 6);
  int64_t N = a.size(3), C = a.size(4), V = a.size(5);
  tl::embedding_forward(a.f32(0, N * C), a.i32(1, N), a.f32(2, V * C), N, C);
  return Undefined(info);
}

// embeddingBackward(dweight, dout, ids, N, C, V, paddingIdx)
Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingBackward", 7);
  int64_t N = a.size(3), C = a.size(4), V = a.size(5);
  tl::embedding_backward(a.f32(0, V * C), a.f32(1, N * C), a.i32(2, N), N, C, V, a.i64(6));
  return Undefined(info);
}

// indexSelectForward(out, x, idx, outer, R, inner, nIdx)
Napi::Value IndexSelectForward(const Napi::CallbackInfo& info) {
  Args a(info, "indexSelectForward", 7);
  int64_t outer = a.size(3), R = a.size(4), inner = a.size(5), n = a.size(6);
  tl::index_select_forward(a.f32(0, outer * n * inner), a.f32(1, outer * R * inner),
                           a.i32(2, n), outer, R, inner, n);
  return Undefined(info);
}

// indexSelectBackward(dx, dout, idx, outer, R, inner, nIdx)
Napi::Value IndexSelectBackward(const Napi::CallbackInfo& info) {
  Args a(info, "indexSelectBackward", 7);
  int64_t outer = a.size(3), R = a.size(4), inner = a.size(5), n = a.size(6);
  tl::index_select_backward(a.f32(0, outer * R * inner), a.f32(1, outer * n * inner),
                            a.i32(2, n), outer, R, inner, n);
  return Undefined(info);
}

// ---- rotary embedding ------------------------------------------------------------------

// ropeForward(out, x, cos, sin, pos, B, H, T, D, P, inverse)
Napi::Value RopeForward(const Napi::CallbackInfo& info) {
  Args a(info, "ropeForward", 11);
  int64_t B = a.size(5), H = a.size(6), T = a.size(7), D = a.size(8), P = a.size(9);
  int64_t n = B * H * T * D;
  tl::rope_forward(a.f32(0, n), a.f32(1, n), a.f32(2, P * D / 2), a.f32(3, P * D / 2),
                   a.i32(4, B * T), B, H, T, D, a.flag(10));
  return Undefined(info);
}

// ---- attention -------------------------------------------------------------------------

// The options object: { B, H, Hkv, Tq, Tk, D, scale, causal, keyMask, bias, biasBatch,
// dropoutP, seed }.
// Elements an attention operand spans: one past its last element under its row strides.
int64_t attn_extent(const tl::AttnRows& rw, const tl::AttentionArgs& r, int64_t heads, int64_t T) {
  if (r.B == 0 || T == 0) return 0;
  if (rw.b == 0 && rw.h == 0 && rw.t == 0) return r.B * heads * T * r.D;
  return (r.B - 1) * rw.b + (heads - 1) * rw.h + (T - 1) * rw.t + r.D;
}

tl::AttentionArgs attention_args(const Args& a, size_t idx) {
  if (!a.info[idx].IsObject()) a.fail(idx, "expected an options object");
  Napi::Object o = a.info[idx].As<Napi::Object>();
  auto num = [&](const char* key) -> double {
    Napi::Value v = o.Get(key);
    if (!v.IsNumber()) a.fail(idx, std::string("option ") + key + " must be a number");
    return v.As<Napi::Number>().DoubleValue();
  };
  tl::AttentionArgs r{};
  r.B = static_cast<int64_t>(num("B"));
  r.H = static_cast<int64_t>(num("H"));
  r.Hkv = static_cast<int64_t>(num("Hkv"));
  r.Tq = static_cast<int64_t>(num("Tq"));
  r.Tk = static_cast<int64_t>(num("Tk"));
  r.D = static_cast<int64_t>(num("D"));
  if (r.B < 0 || r.H < 1 || r.Hkv < 1 || r.H % r.Hkv != 0 || r.Tq < 0 || r.Tk < 0 || r.D < 1)
    a.fail(idx, "invalid attention sizes");
  r.scale = static_cast<float>(num("scale"));
  r.causal = o.Get("causal").ToBoolean().Value();
  r.bias_batch = static_cast<int64_t>(num("biasBatch"));
  r.dropout_p = static_cast<float>(num("dropoutP"));
  r.seed = static_cast<uint64_t>(num("seed"));
  Napi::Value km = o.Get("keyMask");
  r.key_mask = nullptr;
  if (!km.IsNull() && !km.IsUndefined()) {
    if (!km.IsTypedArray()) a.fail(idx, "option keyMask must be a Uint8Array or null");
    auto ta = km.As<Napi::TypedArray>();
    if (static_cast<int64_t>(ta.ByteLength()) < r.B * r.Tk) a.fail(idx, "keyMask is too short");
    r.key_mask = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  }
  // Optional row strides [b, head, position] per operand (kernels.h AttnRows); absent or
  // null = contiguous (B, heads, T, D).
  auto rows = [&](const char* key) -> tl::AttnRows {
    Napi::Value v = o.Get(key);
    if (v.IsNull() || v.IsUndefined()) return {};
    if (!v.IsArray() || v.As<Napi::Array>().Length() != 3) a.fail(idx, std::string("option ") + key + " must be [b, head, position] strides or null");
    Napi::Array arr = v.As<Napi::Array>();
    int64_t st[3];
    for (uint32_t i = 0; i < 3; ++i) {
      Napi::Value e = arr.Get(i);
      if (!e.IsNumber() || e.As<Napi::Number>().DoubleValue() < 0) a.fail(idx, std::string("option ") + key + " must hold non-negative strides");
      st[i] = static_cast<int64_t>(e.As<Napi::Number>().DoubleValue());
    }
    return tl::AttnRows{st[0], st[1], st[2]};
  };
  r.q_rows = rows("qRows"), r.k_rows = rows("kRows"), r.v_rows = rows("vRows");
  r.out_rows = rows("outRows"), r.dout_rows = rows("doutRows");
  r.dq_rows = rows("dqRows"), r.dk_rows = rows("dkRows"), r.dv_rows = rows("dvRows");
  Napi::Value bias = o.Get("bias");
  r.bias = nullptr;
  if (!bias.IsNull() && !bias.IsUndefined()) {
    if (!bias.IsTypedArray()) a.fail(idx, "option bias must be a Float32Array or null");
    auto ta = bias.As<Napi::TypedArray>();
    if (r.bias_batch != 1 && r.bias_batch != r.B) a.fail(idx, "biasBatch must be 1 or B");
    if (static_cast<int64_t>(ta.ByteLength()) < 4 * r.bias_batch * r.H * r.Tq * r.Tk)
      a.fail(idx, "bias is too short");
    r.bias = reinterpret_cast<const float*>(static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) +
                                            ta.ByteOffset());
  }
  return r;
}

// attentionForward(out, lse, q, k, v, opts)
Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  Args a(info, "attentionForward", 6);
  tl::AttentionArgs r = attention_args(a, 5);
  tl::attention_forward(a.f32(0, attn_extent(r.out_rows, r, r.H, r.Tq)), a.f32(1, r.B * r.H * r.Tq),
                        a.f32(2, attn_extent(r.q_rows, r, r.H, r.Tq)),
                        a.f32(3, attn_extent(r.k_rows, r, r.Hkv, r.Tk)),
                        a.f32(4, attn_extent(r.v_rows, r, r.Hkv, r.Tk)), r);
  return Undefined(info);
}

// attentionBackward(dq|null, dk|null, dv|null, dbias|null, dout, q, k, v, out, lse, opts)
Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  Args a(info, "attentionBackward", 11);
  tl::AttentionArgs r = attention_args(a, 10);
  auto q_ext = [&](const tl::AttnRows& rw) { return attn_extent(rw, r, r.H, r.Tq); };
  auto kv_ext = [&](const tl::AttnRows& rw) { return attn_extent(rw, r, r.Hkv, r.Tk); };
  tl::attention_backward(a.f32(0, q_ext(r.dq_rows), true), a.f32(1, kv_ext(r.dk_rows), true),
                         a.f32(2, kv_ext(r.dv_rows), true),
                         a.f32(3, r.bias_batch * r.H * r.Tq * r.Tk, true),
                         a.f32(4, q_ext(r.dout_rows)), a.f32(5, q_ext(r.q_rows)),
                         a.f32(6, kv_ext(r.k_rows)), a.f32(7, kv_ext(r.v_rows)),
                         a.f32(8, q_ext(r.out_rows)), a.f32(9, r.B * r.H * r.Tq), r);
  return Undefined(info);
}

// ---- cross-entropy ---------------------------------------------------------------------

// crossEntropyForward(lossRows, lse, logits, targets, N, V, ignoreIndex, labelSmoothing)
Napi::Value CrossEntropyForward(const Napi::CallbackInfo& info) {
  Args a(info, "crossEntropyForward", 8);
  int64_t N = a.size(4), V = a.size(5);
  tl::cross_entropy_forward(a.f32(0, N), a.f32(1, N), a.f32(2, N * V), a.i32(3, N), N, V,
                            a.i64(6), static_cast<float>(a.num(7)));
  return Undefined(info);
}

// crossEntropyBackward(dlogits, dlossRows, logits, lse, targets, N, V, ignoreIndex, ls)
Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  Args a(info, "crossEntropyBackward", 9);
  int64_t N = a.size(5), V = a.size(6);
  tl::cross_entropy_backward(a.f32(0, N * V), a.f32(1, N), a.f32(2, N * V), a.f32(3, N),
                             a.i32(4, N), N, V, a.i64(7), static_cast<float>(a.num(8)));
  return Undefined(info);
}

// ---- random ----------------------------------------------------------------------------

// randomUniform(out, n, seed, offset, low, high)
Napi::Value RandomUniform(const Napi::CallbackInfo& info) {
  Args a(info, "randomUniform", 6);
  int64_t n = a.size(1);
  tl::random_uniform(a.f32(0, n), n, static_cast<uint64_t>(a.size(2)),
                     static_cast<uint64_t>(a.size(3)), static_cast<float>(a.num(4)),
                     static_cast<float>(a.num(5)));
  return Undefined(info);
}

// randomNormal(out, n, seed, offset, mean, std)
Napi::Value RandomNormal(const Napi::CallbackInfo& info) {
  Args a(info, "randomNormal", 6);
  int64_t n = a.size(1);
  tl::random_normal(a.f32(0, n), n, static_cast<uint64_t>(a.size(2)),
                    static_cast<uint64_t>(a.size(3)), static_cast<float>(a.num(4)),
                    static_cast<float>(a.num(5)));
  return Undefined(info);
}

// dropoutForward(out, x, n, p, seed)
Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  Args a(info, "dropoutForward", 5);
  int64_t n = a.size(2);
  tl::dropout_forward(a.f32(0, n), a.f32(1, n), n, static_cast<float>(a.num(3)),
                      static_cast<uint64_t>(a.size(4)));
  return Undefined(info);
}

// ---- optimizer -------------------------------------------------------------------------

// adamwStep(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, bc1, bc2, gradScale)
Napi::Value AdamwStep(const Napi::CallbackInfo& info) {
  Args a(info, "adamwStep", 13);
  int64_t n = a.size(4);
  auto f = [&](size_t i) { return static_cast<float>(a.num(i)); };
  tl::adamw_step(a.f32(0, n), a.f32(1, n), a.f32(2, n), a.f32(3, n), n, f(5), f(6), f(7), f(8),
                 f(9), f(10), f(11), f(12));
  return Undefined(info);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  struct Entry { const char* name; Napi::Value (*fn)(const Napi::CallbackInfo&); };
  static const Entry table[] = {
      {"numThreads", NumThreads},
      {"availableCpus", AvailableCpus},
      {"setNumThreads", SetNumThreads},
      {"cpuFeatures", CpuFeatures},
      {"setSimdLevel", SetSimdLevel},
      {"gemm", Gemm},
      {"unaryForward", UnaryForward},
      {"unaryBackward", UnaryBackward},
      {"binaryForward", BinaryForward},
      {"scalarForward", ScalarForward},
      {"whereForward", WhereForward},
      {"copyStrided", CopyStrided},
      {"cast", Cast},
      {"fill", Fill},
      {"reduce", Reduce},
      {"argmax", Argmax},
      {"sumSquares", SumSquares},
      {"softmaxForward", SoftmaxForward},
      {"softmaxBackward", SoftmaxBackward},
      {"logSoftmaxForward", LogSoftmaxForward},
      {"logSoftmaxBackward", LogSoftmaxBackward},
      {"layerNormForward", LayerNormForward},
      {"layerNormBackward", LayerNormBackward},
      {"rmsNormForward", RmsNormForward},
      {"rmsNormBackward", RmsNormBackward},
      {"embeddingForward", EmbeddingForward},
      {"embeddingBackward", EmbeddingBackward},
      {"indexSelectForward", IndexSelectForward},
      {"indexSelectBackward", IndexSelectBackward},
      {"ropeForward", RopeForward},
      {"attentionForward", AttentionForward},
      {"attentionBackward", AttentionBackward},
      {"crossEntropyForward", CrossEntropyForward},
      {"crossEntropyBackward", CrossEntropyBackward},
      {"randomUniform", RandomUniform},
      {"randomNormal", RandomNormal},
      {"dropoutForward", DropoutForward},
      {"adamwStep", AdamwStep},
      {"code4bit", Code4bit},
      {"dynamicCode8bit", DynamicCode8bit},
      {"quantize4bit", Quantize4bit},
      {"dequantize4bit", Dequantize4bit},
      {"quantizeBlockwise8bit", QuantizeBlockwise8bit},
      {"dequantizeBlockwise8bit", DequantizeBlockwise8bit},
      {"gemmQuantized", GemmQuantized},
      {"quantizeInt8Rows", QuantizeInt8Rows},
      {"dynamicCode8bitUnsigned", DynamicCode8bitUnsigned},
      {"adamw8bitStep", Adamw8bitStep},
      {"mapStateFile", MapStateFile},
      {"allocPages", AllocPages},
      {"discardPages", DiscardPages},
  };
  for (const Entry& e : table) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(tunelab_native, Init)
