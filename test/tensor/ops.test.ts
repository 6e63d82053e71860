// The generic sweep, after PyTorch's OpInfo: every differentiable op gets finite-difference
// gradient cases (one table row each: name, inputs, function), and every op's argument
// checks get error cases (call, expected message).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as tl from "../../src/index.js";
import { Tensor, tensor } from "../../src/index.js";
import { gradcheck, leaf, type GradcheckOptions } from "../helpers/gradcheck.js";

interface OpCase {
  name: string;
  inputs: () => Tensor[];
  fn: (...xs: Tensor[]) => Tensor;
  opts?: GradcheckOptions;
}

/** A leaf whose values are pairwise at least 2/n apart (safe for max/min/relu kinks). */
function distinct(shape: number[], seed = 3): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tensor(Float32Array.from(order, (v) => (v - n / 2 + 0.5) * (2 / n)), { shape }).setRequiresGrad(true);
}

/** A leaf with |values| in [0.2, 1.2] (away from kinks and poles at 0). */
function awayFromZero(shape: number[], seed = 5): Tensor {
  const t = leaf(shape, seed);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = Math.sign(d[i] || 1) * (0.2 + Math.abs(d[i]));
  return t;
}

const positive = (shape: number[], seed = 7) => leaf(shape, seed, 0.5, 1.5);
const L = leaf;

const CASES: OpCase[] = [
  // binary, broadcasting and scalar forms
  { name: "add", inputs: () => [L([2, 3], 1), L([2, 3], 2)], fn: (a, b) => tl.add(a, b) },
  { name: "add broadcast [2,1,3]+[4,1]", inputs: () => [L([2, 1, 3], 1), L([4, 1], 2)], fn: (a, b) => tl.add(a, b) },
  { name: "add scalar both sides", inputs: () => [L([3], 1)], fn: (a) => tl.add(tl.add(a, 2), tl.add(1.5, a)) },
  { name: "add size-1 and empty", inputs: () => [L([1, 3], 1), L([0, 3], 2)], fn: (a, b) => tl.add(a, b) },
  { name: "sub", inputs: () => [L([2, 3], 1), L([3], 2)], fn: (a, b) => tl.sub(a, b) },
  { name: "sub scalar / rsub", inputs: () => [L([4], 1)], fn: (a) => tl.mul(tl.sub(a, 3), tl.sub(2, a)) },
  { name: "mul", inputs: () => [L([2, 3], 1), L([2, 1], 2)], fn: (a, b) => tl.mul(a, b) },
  { name: "mul same tensor", inputs: () => [L([5], 1)], fn: (a) => tl.mul(a, a) },
  { name: "mul scalar", inputs: () => [L([2, 2], 1)], fn: (a) => tl.mul(3, tl.mul(a, -0.5)) },
  { name: "div", inputs: () => [L([2, 3], 1), positive([3], 2)], fn: (a, b) => tl.div(a, b) },
  { name: "div scalar / rdiv", inputs: () => [positive([4], 1)], fn: (a) => tl.add(tl.div(a, 4), tl.div(2, a)) },
  { name: "pow tensor^tensor", inputs: () => [positive([2, 3], 1), L([3], 2)], fn: (a, b) => tl.pow(a, b) },
  { name: "pow scalar exponents", inputs: () => [positive([4], 1)], fn: (a) => tl.add(tl.pow(a, 3), tl.pow(a, 0.5)) },
  { name: "pow scalar base (rpow)", inputs: () => [L([4], 1)], fn: (a) => tl.pow(2, a) },
  {
    name: "maximum / minimum",
    inputs: () => {
      const a = distinct([6], 1);
      const b = tensor(Array.from(a.data as Float32Array, (v, i) => v + (i % 2 ? 0.3 : -0.3))).setRequiresGrad(true);
      return [a, b];
    },
    fn: (a, b) => tl.add(tl.maximum(a, b), tl.mul(tl.minimum(a, b), 2)),
  },
  { name: "maximum scalar / clamp", inputs: () => [distinct([8], 2)], fn: (a) => tl.clamp(a, -0.55, 0.45) },
  // unary
  ...(["neg", "exp", "tanh", "sigmoid", "silu", "square", "sin", "cos"] as const).map((op) => ({
    name: op, inputs: () => [L([2, 3], 4)], fn: (a: Tensor) => (tl as unknown as Record<string, (x: Tensor) => Tensor>)[op](a),
  })),
  ...(["log", "sqrt", "rsqrt"] as const).map((op) => ({
    name: op, inputs: () => [positive([2, 3], 4)], fn: (a: Tensor) => (tl as unknown as Record<string, (x: Tensor) => Tensor>)[op](a),
  })),
  ...(["relu", "abs", "reciprocal"] as const).map((op) => ({
    name: op, inputs: () => [awayFromZero([2, 3], 4)], fn: (a: Tensor) => (tl as unknown as Record<string, (x: Tensor) => Tensor>)[op](a),
  })),
  { name: "gelu (erf)", inputs: () => [L([2, 4], 3, 2)], fn: (a) => tl.gelu(a) },
  { name: "gelu (tanh)", inputs: () => [L([2, 4], 3, 2)], fn: (a) => tl.gelu(a, "tanh") },
  { name: "unary on a transposed view", inputs: () => [L([3, 2], 3)], fn: (a) => tl.tanh(a.T) },
  // reductions
  { name: "sum all", inputs: () => [L([2, 3], 1)], fn: (a) => tl.sum(a) },
  { name: "sum dim", inputs: () => [L([2, 3, 4], 1)], fn: (a) => tl.sum(a, 1) },
  { name: "sum dims keepdim", inputs: () => [L([2, 3, 4], 1)], fn: (a) => tl.sum(a, [0, -1], true) },
  { name: "sum over a size-1 and an empty dim", inputs: () => [L([1, 3], 1), L([2, 0], 2)], fn: (a, b) => tl.add(tl.sum(a, 0), tl.sum(b, 1).sum()) },
  { name: "mean dim", inputs: () => [L([2, 3, 4], 1)], fn: (a) => tl.mean(a, -1) },
  { name: "mean dims keepdim", inputs: () => [L([2, 3, 4], 1)], fn: (a) => tl.mean(a, [1, 2], true) },
  { name: "mean of a non-contiguous view", inputs: () => [L([3, 4], 1)], fn: (a) => tl.mean(a.T, 1) },
  { name: "amax dim", inputs: () => [distinct([3, 4])], fn: (a) => tl.amax(a, 1) },
  { name: "amax keepdim all", inputs: () => [distinct([2, 3, 2])], fn: (a) => tl.amax(a, [0, 2], true) },
  { name: "amin dim", inputs: () => [distinct([3, 4])], fn: (a) => tl.amin(a, 0) },
  // views and joins
  { name: "reshape", inputs: () => [L([2, 6], 1)], fn: (a) => tl.mul(a.reshape(3, -1), L([3, 4], 9)) },
  { name: "reshape non-contiguous", inputs: () => [L([3, 4], 1)], fn: (a) => a.T.reshape(2, 6) },
  { name: "view / flatten / unsqueeze / squeeze", inputs: () => [L([2, 3], 1)], fn: (a) => a.view(6).unsqueeze(0).squeeze(0).reshape(2, 1, 3).flatten() },
  { name: "permute", inputs: () => [L([2, 3, 4], 1)], fn: (a) => tl.mul(a.permute(2, 0, 1), L([4, 2, 3], 8)) },
  { name: "transpose", inputs: () => [L([2, 3, 4], 1)], fn: (a) => a.transpose(0, 2).contiguous() },
  { name: "expand", inputs: () => [L([3, 1], 1)], fn: (a) => tl.mul(a.expand(2, 3, 4), L([2, 3, 4], 8)) },
  { name: "slice with step", inputs: () => [L([7, 3], 1)], fn: (a) => a.slice(0, 1, 7, 2) },
  { name: "slice negative bounds", inputs: () => [L([3, 6], 1)], fn: (a) => a.slice(1, -4, -1) },
  { name: "select / narrow", inputs: () => [L([3, 4], 1)], fn: (a) => tl.add(a.select(0, -1), a.narrow(0, 0, 1).squeeze(0)) },
  { name: "cat dim 0", inputs: () => [L([2, 3], 1), L([1, 3], 2)], fn: (a, b) => tl.cat([a, b], 0) },
  { name: "cat dim 1 three inputs one empty", inputs: () => [L([2, 1], 1), L([2, 3], 2), L([2, 0], 3)], fn: (a, b, c) => tl.cat([a, b, c], 1) },
  { name: "cat of views", inputs: () => [L([3, 2], 1)], fn: (a) => tl.cat([a.T, a.T.slice(1, 1)], 1) },
  { name: "stack", inputs: () => [L([2, 3], 1), L([2, 3], 2)], fn: (a, b) => tl.stack([a, b], 1) },
  { name: "split / chunk", inputs: () => [L([2, 5], 1)], fn: (a) => { const [x, y] = tl.split(a, [2, 3], 1); const [p, q] = tl.chunk(y, 2, 1); return tl.cat([q, x, p.mul(2)], 1); } },
  { name: "clone", inputs: () => [L([3], 1)], fn: (a) => a.clone().mul(a) },
  // matmul and linear
  { name: "matmul 2-D", inputs: () => [L([2, 3], 1), L([3, 4], 2)], fn: (a, b) => tl.matmul(a, b) },
  { name: "matmul batched", inputs: () => [L([2, 2, 3], 1), L([2, 3, 2], 2)], fn: (a, b) => tl.matmul(a, b) },
  { name: "matmul broadcast batch", inputs: () => [L([2, 1, 2, 3], 1), L([3, 3, 2], 2)], fn: (a, b) => tl.matmul(a, b) },
  { name: "matmul 3-D @ 2-D", inputs: () => [L([2, 2, 3], 1), L([3, 2], 2)], fn: (a, b) => tl.matmul(a, b) },
  { name: "matmul 1-D @ 2-D, 2-D @ 1-D, 1-D @ 1-D", inputs: () => [L([3], 1), L([3, 2], 2), L([2], 3)], fn: (v, m, w) => tl.add(tl.matmul(tl.matmul(v, m), w), tl.matmul(m, w).sum()) },
  { name: "matmul transposed views", inputs: () => [L([3, 2], 1), L([4, 3], 2)], fn: (a, b) => tl.matmul(a.T, b.T) },
  { name: "matmul batched transposed", inputs: () => [L([2, 3, 2], 1), L([2, 4, 3], 2)], fn: (a, b) => tl.matmul(a.transpose(1, 2), b.transpose(-1, -2)) },
  { name: "matmul empty K", inputs: () => [L([2, 0], 1), L([0, 3], 2)], fn: (a, b) => tl.matmul(a, b) },
  { name: "linear (out, in) with bias", inputs: () => [L([2, 3], 1), L([4, 3], 2), L([4], 3)], fn: (x, w, b) => tl.linear(x, w, b) },
  { name: "linear 3-D x, no bias", inputs: () => [L([2, 2, 3], 1), L([4, 3], 2)], fn: (x, w) => tl.linear(x, w) },
  { name: "linear (in, out) Conv1D", inputs: () => [L([2, 3], 1), L([3, 4], 2), L([4], 3)], fn: (x, w, b) => tl.linear(x, w, b, "in_out") },
  { name: "linear non-contiguous x", inputs: () => [L([3, 2], 1), L([4, 3], 2)], fn: (x, w) => tl.linear(x.T, w) },
  // loraLinear: x, W (out, in), bias, A (r, in), B (out, r); every input trained
  {
    name: "loraLinear, everything trained",
    inputs: () => [L([2, 3, 5], 1), L([4, 5], 2), L([4], 3), L([2, 5], 4), L([4, 2], 5)],
    fn: (x, w, b, a, bb) => tl.loraLinear(x, w, b, "out_in", a, bb, 1.5),
  },
  {
    name: "loraLinear, frozen base (LoRA training), Conv1D layout",
    inputs: () => [L([3, 5], 1), leaf([5, 4], 2).detach(), leaf([4], 3).detach(), L([2, 5], 4), L([4, 2], 5)],
    fn: (x, w, b, a, bb) => tl.loraLinear(x, w, b, "in_out", a, bb, 0.5),
  },
  {
    name: "loraLinear, adapter input apart from x (dropout), no bias",
    inputs: () => [L([3, 5], 1), leaf([4, 5], 2).detach(), L([2, 5], 4), L([4, 2], 5), L([3, 5], 6)],
    fn: (x, w, a, bb, xd) => tl.loraLinear(x, w, null, "out_in", a, bb, 2, xd),
  },
  // selection and casts
  { name: "where", inputs: () => [L([2, 3], 1), L([3], 2)], fn: (a, b) => tl.where(tensor([[1, 0, 1], [0, 0, 1]]), a, b) },
  { name: "maskedFill", inputs: () => [L([2, 3], 1)], fn: (a) => a.maskedFill(tensor([[1, 0, 0]], { dtype: "uint8" }), -5) },
  // new ops
  { name: "softmax last dim", inputs: () => [L([3, 5], 1, 2)], fn: (a) => tl.softmax(a, -1) },
  { name: "softmax dim 0 (non-last)", inputs: () => [L([3, 4, 2], 1, 2)], fn: (a) => tl.softmax(a, 1) },
  { name: "softmax of a view", inputs: () => [L([4, 3], 1, 2)], fn: (a) => a.T.softmax(-1) },
  { name: "logSoftmax", inputs: () => [L([3, 5], 1, 2)], fn: (a) => a.logSoftmax(1) },
  { name: "logSoftmax dim 0", inputs: () => [L([3, 5], 1, 2)], fn: (a) => tl.logSoftmax(a, 0) },
  { name: "logsumexp", inputs: () => [L([3, 5], 1, 2)], fn: (a) => tl.logsumexp(a, 1) },
  { name: "layerNorm affine", inputs: () => [L([3, 6], 1, 2), L([6], 2, 0.5, 1), L([6], 3)], fn: (x, w, b) => tl.layerNorm(x, 6, w, b), opts: { eps: 3e-3 } },
  { name: "layerNorm no affine, 2-D normalizedShape", inputs: () => [L([2, 2, 3], 1, 2)], fn: (x) => tl.layerNorm(x, [2, 3]), opts: { eps: 3e-3 } },
  { name: "layerNorm 2-D weight", inputs: () => [L([2, 2, 3], 1, 2), L([2, 3], 2)], fn: (x, w) => tl.layerNorm(x, [2, 3], w), opts: { eps: 3e-3 } },
  { name: "layerNorm frozen x", inputs: () => [tensor([[1, 2, 4], [0, -1, 3]]), L([3], 2), L([3], 3)], fn: (x, w, b) => tl.layerNorm(x, 3, w, b) },
  { name: "rmsNorm", inputs: () => [L([3, 6], 1, 2), L([6], 2, 0.5, 1)], fn: (x, w) => tl.rmsNorm(x, w), opts: { eps: 3e-3 } },
  { name: "rmsNorm no weight", inputs: () => [L([2, 5], 1, 2)], fn: (x) => tl.rmsNorm(x), opts: { eps: 3e-3 } },
  { name: "embedding", inputs: () => [L([5, 3], 1)], fn: (w) => tl.embedding(tensor([[1, 4, 1], [0, 2, 4]], { dtype: "int32" }), w) },
  { name: "embedding paddingIdx", inputs: () => [L([5, 3], 1)], fn: (w) => tl.embedding([[1, 3, 1]], w, 0) },
  { name: "indexSelect", inputs: () => [L([3, 4, 2], 1)], fn: (x) => tl.indexSelect(x, 1, [3, 0, 3]) },
  { name: "gather", inputs: () => [L([3, 4], 1)], fn: (x) => tl.gather(x, 1, [[0, 3], [1, 1], [2, 0]]) },
  { name: "gather dim 0", inputs: () => [L([3, 2], 1)], fn: (x) => tl.gather(x, 0, [[2, 0], [2, 2]]) },
  {
    name: "applyRotaryEmb",
    inputs: () => [L([2, 2, 3, 4], 1)],
    fn: (x) => { const { cos, sin } = tl.ropeTables(4, 8, 100); return tl.applyRotaryEmb(x, cos, sin, [[0, 1, 2], [5, 6, 7]]); },
  },
  {
    name: "applyRotaryEmb of a permuted view, shared positions",
    inputs: () => [L([2, 3, 2, 4], 1)],
    fn: (x) => { const { cos, sin } = tl.ropeTables(4, 8); return tl.applyRotaryEmb(x.transpose(1, 2), cos, sin, [0, 3, 1]); },
  },
  { name: "sdpa", inputs: () => [L([1, 2, 3, 4], 1), L([1, 2, 5, 4], 2), L([1, 2, 5, 4], 3)], fn: (q, k, v) => tl.scaledDotProductAttention(q, k, v) },
  { name: "sdpa causal GQA", inputs: () => [L([2, 4, 3, 2], 1), L([2, 2, 3, 2], 2), L([2, 2, 3, 2], 3)], fn: (q, k, v) => tl.scaledDotProductAttention(q, k, v, { isCausal: true }) },
  {
    name: "sdpa causal with past, padding mask",
    inputs: () => [L([2, 1, 2, 3], 1), L([2, 1, 4, 3], 2), L([2, 1, 4, 3], 3)],
    fn: (q, k, v) => tl.scaledDotProductAttention(q, k, v, { isCausal: true, keyPaddingMask: tensor([[0, 1, 1, 1], [1, 1, 1, 0]], { dtype: "int32" }) }),
  },
  {
    name: "sdpa bias (1, H, Tq, Tk), scale 1",
    inputs: () => [L([2, 2, 3, 2], 1), L([2, 2, 4, 2], 2), L([2, 2, 4, 2], 3), L([1, 2, 3, 4], 4)],
    fn: (q, k, v, b) => tl.scaledDotProductAttention(q, k, v, { bias: b, scale: 1 }),
  },
  {
    name: "sdpa bias broadcast (Tq, Tk), frozen q",
    inputs: () => [leaf([1, 2, 3, 2], 1).detach(), L([1, 2, 3, 2], 2), L([1, 2, 3, 2], 3), L([3, 3], 4)],
    fn: (q, k, v, b) => tl.scaledDotProductAttention(q, k, v, { bias: b }),
  },
  { name: "sdpa transposed inputs", inputs: () => [L([1, 3, 2, 4], 1), L([1, 3, 2, 4], 2)], fn: (q, k) => tl.scaledDotProductAttention(q.transpose(1, 2), k.transpose(1, 2), k.transpose(1, 2)) },
  { name: "crossEntropy mean", inputs: () => [L([4, 5], 1, 2)], fn: (x) => tl.crossEntropy(x, tensor([1, 0, 4, 2], { dtype: "int32" })) },
  { name: "crossEntropy ignore_index, sum, smoothing", inputs: () => [L([4, 5], 1, 2)], fn: (x) => tl.crossEntropy(x, [1, -100, 4, 2], { reduction: "sum", label_smoothing: 0.1 }) },
  { name: "crossEntropy none, 3-D logits", inputs: () => [L([2, 3, 4], 1, 2)], fn: (x) => tl.crossEntropy(x, [[1, 0, 3], [2, 2, -1]], { reduction: "none", ignore_index: -1 }) },
  { name: "crossEntropy of a non-contiguous view", inputs: () => [L([5, 3], 1, 2)], fn: (x) => tl.crossEntropy(x.T, [0, 4, 2]) },
  { name: "dropout (p=0.3)", inputs: () => [L([4, 8], 1)], fn: (x) => { tl.manualSeed(5); return tl.dropout(x, 0.3, true); } },
];

for (const c of CASES) {
  test(`gradcheck: ${c.name}`, () => {
    gradcheck(c.fn, c.inputs(), c.opts);
  });
}

test("every differentiable op of the tensor layer is swept (or deliberately covered elsewhere)", () => {
  // Ops added later must join CASES; "to" (cast) has an exact test in ops/cast.test.ts
  // because finite differences through bf16/f16 rounding are meaningless.
  const covered = new Set([
    "add", "sub", "mul", "div", "pow", "maximum", "minimum", "add_scalar", "mul_scalar", "rsub_scalar", "rdiv_scalar",
    "pow_scalar", "rpow_scalar", "neg", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "gelu_erf", "gelu_tanh",
    "silu", "abs", "square", "reciprocal", "sin", "cos", "sum", "mean", "amax", "amin", "reshape", "permute", "expand",
    "slice", "clone", "matmul", "linear", "lora_linear", "where", "to", "cat", "softmax", "log_softmax", "layer_norm", "rms_norm",
    "embedding", "index_select", "gather", "apply_rotary_emb", "scaled_dot_product_attention", "cross_entropy", "dropout",
  ]);
  // Ask a fresh process that loads only the tensor layer (other layers register their own ops).
  const tensorIndex = new URL("../../src/tensor/index.js", import.meta.url).href;
  const script = `import(${JSON.stringify(tensorIndex)}).then((m) => console.log(JSON.stringify(m.registeredOps())))`;
  const registered = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as string[];
  assert.ok(registered.includes("matmul"));
  const missing = registered.filter((n) => !covered.has(n));
  assert.deepEqual(missing, [], `ops without a gradcheck case (add one to CASES, or to the layer's own test, and list it here): ${missing.join(", ")}`);
});

interface ErrorCase {
  name: string;
  call: () => unknown;
  message: RegExp;
}

const ids = (v: number[]) => tensor(v, { dtype: "int32" });

const ERROR_CASES: ErrorCase[] = [
  { name: "add: shapes do not broadcast", call: () => tl.add(tl.zeros([2, 3]), tl.zeros([4])), message: /^\[add\] shapes \[2, 3\] and \[4\] cannot be broadcast together/ },
  { name: "matmul: inner dims differ", call: () => tl.matmul(tl.zeros([2, 3]), tl.zeros([4, 5])), message: /^\[matmul\] a is \[2, 3\] but b is \[4, 5\]/ },
  { name: "linear: in features differ", call: () => tl.linear(tl.zeros([2, 3]), tl.zeros([4, 5])), message: /^\[linear\] x is \[2, 3\] but weight is \[4, 5\]/ },
  { name: "reshape: wrong numel", call: () => tl.zeros([2, 3]).reshape(4, 2), message: /^\[reshape\] cannot reshape 6 elements into \[4, 2\]/ },
  { name: "expand: -1 for a new leading dim", call: () => tl.zeros([2]).expand(-1, 2), message: /^\[expand\] size -1 at dim 0 of \[-1, 2\] is invalid/ },
  { name: "expand: fractional size", call: () => tl.zeros([1]).expand(2.5), message: /^\[expand\] size 2.5 at dim 0/ },
  { name: "slice: fractional bound", call: () => tl.zeros([4]).slice(0, 0.5, 3), message: /^\[slice\] bounds must be integers, got start 0.5 and end 3/ },
  { name: "split: fractional size", call: () => tl.split(tl.zeros([3]), 1.5), message: /^\[split\] size must be a positive integer, got 1.5/ },
  { name: "split: fractional sizes", call: () => tl.split(tl.zeros([3]), [1.5, 1.5]), message: /^\[split\] sizes \[1.5, 1.5\] must be non-negative integers adding up to 3/ },
  { name: "chunk: zero chunks", call: () => tl.chunk(tl.zeros([3]), 0), message: /^\[chunk\] chunks must be a positive integer, got 0/ },
  { name: "cat: mismatched dims", call: () => tl.cat([tl.zeros([2, 3]), tl.zeros([2, 4])], 0), message: /^\[cat\] tensor 1 is \[2, 4\]/ },
  { name: "softmax: dim out of range", call: () => tl.softmax(tl.zeros([2, 3]), 2), message: /^\[softmax\] dim 2 is out of range for a tensor with 2 dimensions/ },
  { name: "softmax: int input", call: () => tl.softmax(ids([1, 2]), 0), message: /^\[softmax\] expects float32, got int32/ },
  { name: "layerNorm: normalizedShape mismatch", call: () => tl.layerNorm(tl.zeros([2, 3]), 4), message: /^\[layer_norm\] x is \[2, 3\] but normalizedShape is \[4\]/ },
  { name: "layerNorm: weight mismatch", call: () => tl.layerNorm(tl.zeros([2, 3]), 3, tl.zeros([2])), message: /^\[layer_norm\] weight is \[2\] but normalizedShape is \[3\]/ },
  { name: "rmsNorm: weight mismatch", call: () => tl.rmsNorm(tl.zeros([2, 3]), tl.zeros([4])), message: /^\[rms_norm\] x is \[2, 3\] but weight is \[4\]; weight must be \[3\]/ },
  { name: "embedding: id out of range", call: () => tl.embedding(ids([1, 7]), tl.zeros([5, 2])), message: /^\[embedding\] id 7 at position 1 is out of range \[0, 5\)/ },
  { name: "embedding: negative id", call: () => tl.embedding([[0, -1]], tl.zeros([5, 2])), message: /^\[embedding\] id -1 at position 1/ },
  { name: "embedding: float ids", call: () => tl.embedding(tl.zeros([2]), tl.zeros([5, 2])), message: /^\[embedding\] ids must be an int32 tensor, got float32/ },
  { name: "indexSelect: index out of range", call: () => tl.indexSelect(tl.zeros([2, 3]), 1, [3]), message: /^\[index_select\] index 3 at position 0 is out of range \[0, 3\)/ },
  { name: "gather: index dims", call: () => tl.gather(tl.zeros([2, 3]), 1, [0, 1]), message: /^\[gather\] x is \[2, 3\] but index is \[2\]/ },
  { name: "rope: odd table width", call: () => { const t = tl.ropeTables(4, 3); return tl.applyRotaryEmb(tl.zeros([1, 1, 2, 6]), t.cos, t.sin, [0, 1]); }, message: /^\[apply_rotary_emb\] x is \[1, 1, 2, 6\] but cos is \[3, 2\]/ },
  { name: "rope: position past the table", call: () => { const t = tl.ropeTables(4, 3); return tl.applyRotaryEmb(tl.zeros([1, 1, 2, 4]), t.cos, t.sin, [0, 3]); }, message: /^\[apply_rotary_emb\] position 3 at position 1 is out of range \[0, 3\); the tables hold 3 positions/ },
  { name: "rope: unknown scaling", call: () => tl.ropeTables(4, 3, 10000, { rope_type: "yarn", factor: 2 }), message: /^\[rope\] rope_scaling type "yarn" is not supported; supported types are default, linear, llama3/ },
  { name: "rope: llama3 without its keys", call: () => tl.ropeTables(4, 3, 10000, { rope_type: "llama3", factor: 8 }), message: /^\[rope\] rope_scaling of type "llama3" needs low_freq_factor/ },
  { name: "sdpa: heads not a multiple", call: () => tl.scaledDotProductAttention(tl.zeros([1, 3, 2, 4]), tl.zeros([1, 2, 2, 4]), tl.zeros([1, 2, 2, 4])), message: /^\[scaled_dot_product_attention\] q has 3 heads but k\/v have 2/ },
  { name: "sdpa: head dims differ", call: () => tl.scaledDotProductAttention(tl.zeros([1, 2, 2, 4]), tl.zeros([1, 2, 2, 3]), tl.zeros([1, 2, 2, 3])), message: /^\[scaled_dot_product_attention\] q is \[1, 2, 2, 4\], k is \[1, 2, 2, 3\]/ },
  { name: "sdpa: mask shape", call: () => tl.scaledDotProductAttention(tl.zeros([1, 1, 2, 4]), tl.zeros([1, 1, 3, 4]), tl.zeros([1, 1, 3, 4]), { keyPaddingMask: tl.ones([1, 2]) }), message: /^\[scaled_dot_product_attention\] keyPaddingMask is \[1, 2\] but must be \(B, Tk\) = \(1, 3\)/ },
  { name: "sdpa: bias shape", call: () => tl.scaledDotProductAttention(tl.zeros([1, 1, 2, 4]), tl.zeros([1, 1, 3, 4]), tl.zeros([1, 1, 3, 4]), { bias: tl.zeros([2, 2]) }), message: /^\[scaled_dot_product_attention\] bias is \[2, 2\] but must broadcast to \(B, H, Tq, Tk\) = \[1, 1, 2, 3\]/ },
  { name: "crossEntropy: target out of range", call: () => tl.crossEntropy(tl.zeros([2, 3]), [0, 3]), message: /^\[cross_entropy\] target 3 at position 1 is out of range \[0, 3\) and is not ignore_index \(-100\)/ },
  { name: "crossEntropy: target shape", call: () => tl.crossEntropy(tl.zeros([2, 3]), [0, 1, 2]), message: /^\[cross_entropy\] logits are \[2, 3\] but target is \[3\]; target must be \[2\]/ },
  { name: "crossEntropy: float target", call: () => tl.crossEntropy(tl.zeros([2, 3]), tl.zeros([2])), message: /^\[cross_entropy\] target must hold int32 class indices, got float32/ },
  { name: "crossEntropy: bad reduction", call: () => tl.crossEntropy(tl.zeros([2, 3]), [0, 1], { reduction: "avg" as "mean" }), message: /^\[cross_entropy\] reduction must be "mean", "sum" or "none", got "avg"/ },
  { name: "dropout: p out of range", call: () => tl.dropout(tl.zeros([2]), 1.5), message: /^\[dropout\] p must be in \[0, 1\], got 1.5/ },
  { name: "backward of a non-scalar", call: () => tl.mul(leaf([2], 1), 2).backward(), message: /^\[backward\] gradient can be implied only for scalar outputs/ },
];

for (const c of ERROR_CASES) {
  test(`error: ${c.name}`, () => {
    assert.throws(c.call, (err: Error) => {
      assert.match(err.message, c.message);
      return true;
    });
  });
}

test("chunk of an empty dim gives the one empty tensor, as torch.chunk", () => {
  assert.deepEqual(tl.chunk(tl.zeros([0, 2]), 2, 0).map((t) => t.shape), [[0, 2]]);
  assert.deepEqual(tl.chunk(tl.zeros([5]), 2).map((t) => t.shape), [[3], [2]]);
});
