/**
 * `npm run bench -- gemm-chain [--rounds N] [--quick]`: BERT-base's GEMMs alone, in tunelab
 * and in onnxruntime-node, alternately in one run. 12 layers of x @ W^T + b on 8x128 tokens:
 * four 768 -> 768 products and the 768 -> 3072 -> 768 pair per layer, chained (each output the
 * next input), 72 distinct weights (340 MB), so each is read from memory once per pass as in
 * a forward. The same weights on both sides: the chain goes to onnxruntime as an ONNX graph of
 * MatMul + Add written by tunelab's exporter (src/export/onnx_graph.ts), and the session
 * prepacks its constant weights (graphOptimizationLevel "all"). It separates GEMM speed from
 * the rest of the models bench's BERT-base inference row, which runs exactly these products
 * (its last layer for the first position only). `--quick`: one tiny layer (a test runs it).
 */
import { loadavg } from "node:os";
import { Tensor, getNumThreads, linear, noGrad, scope } from "../src/index.js";
import { OPSET, OnnxGraph } from "../src/export/onnx_graph.js";
import { OnnxDataType, encodeModel } from "../src/export/onnx_proto.js";
import { OtherCpuUse, hashUniform, maxAbsDiff, measurePeak, quantile, table } from "./common.js";

interface Chain {
  tokens: number;
  /** (in, out) of each product, in order. */
  shapes: [number, number][];
}

/** (in, out) of one BERT layer's products at `hidden`, in order. */
const layerShapes = (hidden: number): [number, number][] => [
  [hidden, hidden], [hidden, hidden], [hidden, hidden], [hidden, hidden], [hidden, 4 * hidden], [4 * hidden, hidden],
];
const BERT_BASE: Chain = { tokens: 8 * 128, shapes: Array.from({ length: 12 }, () => layerShapes(768)).flat() };
const QUICK: Chain = { tokens: 16, shapes: layerShapes(32) };

/** Weights of variance 1/in (activations keep their scale down the chain), small biases. */
function chainParams(c: Chain): { w: Tensor; b: Tensor }[] {
  return c.shapes.map(([i, o], n) => ({
    w: Tensor.fromTypedArray(hashUniform(o * i, 2 * n + 1, 1 / Math.sqrt(i)), [o, i], "float32").keep(),
    b: Tensor.fromTypedArray(hashUniform(o, 2 * n + 2, 0.01), [o], "float32").keep(),
  }));
}

/** The chain as a serialized ONNX model: input x (tokens, in), output y. */
function chainOnnx(c: Chain, params: { w: Tensor; b: Tensor }[]): Uint8Array {
  const g = new OnnxGraph();
  let h = g.input("x", OnnxDataType.FLOAT, [c.tokens, c.shapes[0][0]]);
  params.forEach((p, n) => (h = g.linear(h, `chain.${n}`, p.w, p.b)));
  g.output("y", h, OnnxDataType.FLOAT, [c.tokens, c.shapes[c.shapes.length - 1][1]]);
  return encodeModel({ graphName: "gemm_chain", nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs: g.outputs, opset: OPSET, producerVersion: "0.1.0", metadata: {} });
}

export async function benchGemmChain(args: string[]): Promise<string> {
  const flag = args.indexOf("--rounds");
  const rounds = flag >= 0 ? Number(args[flag + 1]) : 5;
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`gemm-chain: --rounds needs a positive integer, got ${args[flag + 1]}`);
  const quick = args.includes("--quick");
  const c = quick ? QUICK : BERT_BASE;
  const flops = c.shapes.reduce((a, [i, o]) => a + 2 * c.tokens * i * o, 0);
  const threads = getNumThreads();
  const peak = measurePeak(threads);
  const params = chainParams(c);
  const ort = await import("onnxruntime-node").catch((e: Error) => {
    throw new Error(`gemm-chain: onnxruntime-node (a dev dependency: npm ci) did not load: ${e.message}`);
  });
  const session = await ort.InferenceSession.create(chainOnnx(c, params), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });
  const x = hashUniform(c.tokens * c.shapes[0][0], 7, 1);
  const ours = (): Float32Array =>
    noGrad(() => scope(() => {
      let h = Tensor.fromTypedArray(x, [c.tokens, c.shapes[0][0]], "float32");
      for (const p of params) h = linear(h, p.w, p.b);
      return h.f32().slice();
    }));
  const feeds = { x: new ort.Tensor("float32", x, [c.tokens, c.shapes[0][0]]) };
  const theirs = async (): Promise<Float32Array> => (await session.run(feeds)).y.data as Float32Array;

  // The same computation on both sides: outputs agree to float rounding.
  const { diff, scale } = maxAbsDiff(ours(), await theirs());
  if (!(diff <= 1e-3 * scale)) throw new Error(`gemm-chain: tunelab and onnxruntime disagree (max |diff| ${diff} of ${scale})`);

  const other = new OtherCpuUse();
  const times = { tunelab: [] as number[], onnxruntime: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const engine of r % 2 ? (["onnxruntime", "tunelab"] as const) : (["tunelab", "onnxruntime"] as const)) {
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        if (engine === "tunelab") ours();
        else await theirs();
        times[engine].push((performance.now() - t0) / 1000);
      }
    }
  }
  const busy = other.share();
  const row = (engine: keyof typeof times) => {
    const s = quantile(times[engine], 0.5);
    return [engine, s.toPrecision(4), (flops / s / 1e9).toFixed(0), `${((100 * flops) / s / 1e9 / peak.all).toFixed(0)}%`];
  };
  const ratio = quantile(times.onnxruntime, 0.5) / quantile(times.tunelab, 0.5);
  return [
    `# tunelab bench: gemm-chain (${quick ? "--quick: one tiny layer" : "BERT-base's 72 products, 8x128 tokens"}, no other ops)`,
    "",
    `- limit: ${peak.note}`,
    `- ${threads} thread(s) each (onnxruntime intraOpNumThreads); ${rounds} rounds of 3 passes, engines alternating; median s/pass; ${(flops / 1e9).toPrecision(3)} GFLOP per pass`,
    `- outputs agree: max |diff| ${diff.toExponential(1)} of ${scale.toFixed(2)}`,
    `- other processes used ${busy === null ? "?" : `${Math.round(100 * busy)}%`} of the CPUs during the run (load average ${loadavg()[0].toFixed(2)})`,
    "",
    table(["engine", "s/pass", "GFLOP/s", "% of limit"], [row("tunelab"), row("onnxruntime")]),
    "",
    `tunelab is ${ratio.toFixed(2)}x onnxruntime on these products.`,
  ].join("\n");
}
