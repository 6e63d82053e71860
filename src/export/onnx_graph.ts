/**
 * A small builder for ONNX graphs (opset 17): values are names, each op call appends one
 * node and returns its output's name, weights become initializers. Model exporters
 * (onnx_encoders.ts, onnx_decoders.ts) describe the forward pass with it.
 */
import type { Tensor } from "../tensor/index.js";
import {
  type AttributeProto, type Dim, type NodeProto, type OnnxDataTypeCode, type TensorProto, type ValueInfoProto,
  OnnxAttributeType, OnnxDataType,
} from "./onnx_proto.js";

export const OPSET = 17;

/** The smallest finite float32: the additive mask transformers uses (finfo.min), never -inf (a fully masked row stays finite). */
export const MASK_MIN = -3.4028234663852886e38;

export type Attr = { i: number } | { f: number } | { ints: number[] } | { t: TensorProto };

function toAttribute(name: string, a: Attr): AttributeProto {
  if ("i" in a) return { name, type: OnnxAttributeType.INT, i: a.i };
  if ("f" in a) return { name, type: OnnxAttributeType.FLOAT, f: a.f };
  if ("ints" in a) return { name, type: OnnxAttributeType.INTS, ints: a.ints };
  return { name, type: OnnxAttributeType.TENSOR, t: a.t };
}

function bytesOf(a: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;

  private fresh(hint: string): string {
    let name = `/${hint}_${this.counter++}`;
    while (this.names.has(name)) name = `/${hint}_${this.counter++}`;
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`[onnx] value name "${name}" is used twice`);
    this.names.add(name);
    return name;
  }

  input(name: string, elemType: OnnxDataTypeCode, dims: Dim[]): string {
    this.inputs.push({ name: this.claim(name), elemType, dims });
    return name;
  }

  /** Names `value` as a graph output (through Identity, so one value may feed several outputs). */
  output(name: string, value: string, elemType: OnnxDataTypeCode, dims: Dim[]): void {
    this.nodes.push({ name: `/output/${name}`, op_type: "Identity", input: [value], output: [this.claim(name)], attribute: [] });
    this.outputs.push({ name, elemType, dims });
  }

  /** A float32 initializer from the model's weights (any dtype is widened to float32). */
  weight(name: string, t: Tensor | Float32Array, dims?: number[]): string {
    const data = t instanceof Float32Array ? t : t.toFloat32Array();
    const shape = dims ?? (t instanceof Float32Array ? [t.length] : t.shape);
    this.initializers.push({ name: this.claim(name), dims: shape, data_type: OnnxDataType.FLOAT, raw_data: bytesOf(data) });
    return name;
  }

  /** The transpose (in, out) of a Linear weight (out, in), so that x @ W needs no Transpose node. */
  linearWeight(name: string, t: Tensor): string {
    const [out, inp] = t.shape;
    const src = t.toFloat32Array();
    const dst = new Float32Array(src.length);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) dst[i * out + o] = src[o * inp + i];
    return this.weight(name, dst, [inp, out]);
  }

  /** An int64 constant (shared between uses); a scalar when `dims` is []. */
  i64(values: number[], dims: number[] = [values.length]): string {
    const key = `i64:${values.join(",")}:${dims.join("x")}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.fresh("const_i64");
    this.initializers.push({ name, dims, data_type: OnnxDataType.INT64, raw_data: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 scalar constant (shared between uses). */
  f32(value: number): string {
    const key = `f32:${value}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.fresh("const_f32");
    this.initializers.push({ name, dims: [], data_type: OnnxDataType.FLOAT, raw_data: bytesOf(Float32Array.of(value)) });
    this.constants.set(key, name);
    return name;
  }

  /** Appends a node; returns its output names. */
  opN(opType: string, inputs: string[], outputs: number, attrs: Record<string, Attr> = {}): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(opType));
    this.nodes.push({
      name: `/${opType}_node_${this.nodes.length}`,
      op_type: opType,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([n, a]) => toAttribute(n, a)),
    });
    return outs;
  }

  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.opN(opType, inputs, 1, attrs)[0];
  }

  // ---- the ops the exporters use, with PyTorch-like names ----
  add(a: string, b: string): string { return this.op("Add", [a, b]); }
  sub(a: string, b: string): string { return this.op("Sub", [a, b]); }
  mul(a: string, b: string): string { return this.op("Mul", [a, b]); }
  div(a: string, b: string): string { return this.op("Div", [a, b]); }
  matmul(a: string, b: string): string { return this.op("MatMul", [a, b]); }
  transpose(x: string, perm: number[]): string { return this.op("Transpose", [x], { perm: { ints: perm } }); }
  reshape(x: string, shape: number[]): string { return this.op("Reshape", [x, this.i64(shape)]); }
  unsqueeze(x: string, axes: number[]): string { return this.op("Unsqueeze", [x, this.i64(axes)]); }
  concat(xs: string[], axis: number): string { return this.op("Concat", xs, { axis: { i: axis } }); }
  gather(data: string, indices: string, axis = 0): string { return this.op("Gather", [data, indices], { axis: { i: axis } }); }
  softmax(x: string, axis = -1): string { return this.op("Softmax", [x], { axis: { i: axis } }); }
  cast(x: string, to: OnnxDataTypeCode): string { return this.op("Cast", [x], { to: { i: to } }); }
  shape(x: string, start?: number, end?: number): string {
    const attrs: Record<string, Attr> = {};
    if (start !== undefined) attrs.start = { i: start };
    if (end !== undefined) attrs.end = { i: end };
    return this.op("Shape", [x], attrs);
  }
  /** x[..., start:end] along `axis`. */
  slice(x: string, start: number, end: number, axis: number): string {
    return this.op("Slice", [x, this.i64([start]), this.i64([end]), this.i64([axis])]);
  }

  /** x @ W + b for a Linear (weight (out, in)), bias optional. */
  linear(x: string, prefix: string, weight: Tensor, bias: Tensor | null): string {
    const y = this.matmul(x, this.linearWeight(`${prefix}.weight`, weight));
    return bias ? this.add(y, this.weight(`${prefix}.bias`, bias)) : y;
  }

  layerNorm(x: string, prefix: string, weight: Tensor, bias: Tensor, eps: number): string {
    return this.op("LayerNormalization", [x, this.weight(`${prefix}.weight`, weight), this.weight(`${prefix}.bias`, bias)], {
      axis: { i: -1 }, epsilon: { f: eps },
    });
  }

  /** w · x / sqrt(mean(x²) + eps) (Llama's RMSNorm). */
  rmsNorm(x: string, prefix: string, weight: Tensor, eps: number): string {
    const meanSquare = this.op("ReduceMean", [this.mul(x, x)], { axes: { ints: [-1] }, keepdims: { i: 1 } });
    const inv = this.op("Reciprocal", [this.op("Sqrt", [this.add(meanSquare, this.f32(eps))])]);
    return this.mul(this.mul(x, inv), this.weight(`${prefix}.weight`, weight));
  }

  /** Hugging Face's ACT2FN activations by name. */
  activation(x: string, name: string): string {
    switch (name) {
      case "gelu": {
        const erf = this.op("Erf", [this.mul(x, this.f32(Math.SQRT1_2))]);
        return this.mul(this.mul(x, this.f32(0.5)), this.add(erf, this.f32(1)));
      }
      case "gelu_new":
      case "gelu_pytorch_tanh":
      case "gelu_fast": {
        const cube = this.mul(this.mul(x, x), x);
        const inner = this.mul(this.add(x, this.mul(cube, this.f32(0.044715))), this.f32(Math.sqrt(2 / Math.PI)));
        return this.mul(this.mul(x, this.f32(0.5)), this.add(this.op("Tanh", [inner]), this.f32(1)));
      }
      case "relu": return this.op("Relu", [x]);
      case "silu":
      case "swish": return this.mul(x, this.op("Sigmoid", [x]));
      case "tanh": return this.op("Tanh", [x]);
      case "sigmoid": return this.op("Sigmoid", [x]);
      case "quick_gelu": return this.mul(x, this.op("Sigmoid", [this.mul(x, this.f32(1.702))]));
      default:
        throw new Error(`[export] activation "${name}" has no ONNX form here; supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, tanh, sigmoid, quick_gelu`);
    }
  }

  /**
   * softmax(q kᵀ · scale + bias) v for q (…, S, D), k/v (…, T, D) of the given rank (4, or 5
   * for grouped-query attention), bias broadcastable to (…, S, T).
   */
  attention(q: string, k: string, v: string, scale: number, bias: string, rank = 4): string {
    const perm = Array.from({ length: rank }, (_, i) => i);
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    const scores = this.add(this.mul(this.matmul(q, this.transpose(k, perm)), this.f32(scale)), bias);
    return this.matmul(this.softmax(scores, -1), v);
  }
}
