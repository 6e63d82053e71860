/**
 * Where a whole-model training step spends its time, by phase (forward, backward, optimizer)
 * and by kind of work (GEMM, attention, norms, element-wise, copies, optimizer kernels,
 * allocation, and the TypeScript left over: autograd, scopes, op dispatch). Runs in its own
 * process (`npm run bench -- models --profile`, `node dist/bench/model_profile.js bert-base|gpt2|... [generate|inference] [steps]`
 * on the bench's cached checkpoint, or `... <dir> <family> <B> <T> [steps]`):
 * it wraps every function of the native kernel table and the buffer cache's acquire/release
 * with a timer — nothing in src/ changes, and the timers cost nothing in other processes.
 */
import {
  BertForSequenceClassification, GPT2LMHeadModel, LlamaForCausalLM, type PreTrainedModel, type Tensor,
  generate, manualSeed, noGrad, scope, tensor,
} from "../src/index.js";
import { createOptimizerByName } from "../src/optim/index.js";
import { native } from "../src/tensor/native.js";
import { bufferCache } from "../src/tensor/storage.js";
import { table } from "./common.js";
import { CASES, type Family, SPECS, checkpointDir, checkpointReady, tokenIds } from "./models_cases.js";

type Phase = "forward" | "backward" | "optimizer";
let phase: Phase = "forward";

const KIND: [RegExp, string][] = [
  [/^gemm/, "GEMM"],
  [/^(attention|softmax)/, "attention (fused kernel, softmax)"],
  [/^(layerNorm|rmsNorm)/, "norms"],
  [/^adamw/, "optimizer kernels"],
  [/^(copyStrided|cast|fill)$/, "copies, casts, fills"],
  [/^(embedding|indexSelect)/, "embedding gathers"],
  [/^(crossEntropy|logSoftmax)/, "loss"],
];
const kindOf = (name: string) => KIND.find(([re]) => re.test(name))?.[1] ?? "element-wise (unary, binary, reduce, dropout, rope)";

/** ms per (phase, kind); GEMM FLOPs per phase; GEMM ms by shape. */
const byKind = new Map<string, number>();
const gemmFlops = new Map<Phase, number>();
const gemmShapes = new Map<string, { calls: number; ms: number; flops: number }>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

function instrument(): void {
  const table_ = native() as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(table_)) {
    if (typeof fn !== "function" || /^(numThreads|availableCpus|setNumThreads|cpuFeatures|setSimdLevel)$/.test(name)) continue;
    table_[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const r = (fn as (...a: unknown[]) => unknown)(...args);
      const ms = performance.now() - t0;
      add(byKind, `${phase}\t${kindOf(name)}`, ms);
      if (name === "gemm") {
        const [tA, tB, M, N, K] = args as [boolean, boolean, number, number, number];
        const batch = args[17] as number;
        const flops = 2 * M * N * K * batch;
        gemmFlops.set(phase, (gemmFlops.get(phase) ?? 0) + flops);
        const key = `${phase} ${tA ? "T" : "N"}${tB ? "T" : "N"} ${M}x${N}x${K}${batch > 1 ? ` x${batch}` : ""}`;
        const g = gemmShapes.get(key) ?? { calls: 0, ms: 0, flops: 0 };
        g.calls++;
        g.ms += ms;
        g.flops += flops;
        gemmShapes.set(key, g);
      }
      return r;
    };
  }
  for (const method of ["acquire", "release"] as const) {
    const original = bufferCache[method].bind(bufferCache) as (x: never) => unknown;
    (bufferCache as unknown as Record<string, unknown>)[method] = (x: never) => {
      const t0 = performance.now();
      const r = original(x);
      add(byKind, `${phase}\tallocation (buffer cache)`, performance.now() - t0);
      return r;
    };
  }
}

const CLASSES = { bert: BertForSequenceClassification, gpt2: GPT2LMHeadModel, llama: LlamaForCausalLM };

async function main(): Promise<void> {
  // `bert-base [steps]` (the cached checkpoint, the bench's full-step shape) or `<dir> <family> <B> <T> [steps]`.
  const argv = process.argv.slice(2);
  // `generate` / `inference` after the model name, or `--mode generate|inference` anywhere,
  // profile those rows instead of the full step.
  const flag = argv.indexOf("--mode");
  const mode = flag >= 0 ? argv.splice(flag, 2)[1] : ["full", "generate", "inference"].includes(argv[1]) ? argv.splice(1, 1)[0] : "full";
  if (!["full", "generate", "inference"].includes(mode)) throw new Error(`model_profile: --mode ${mode}: use full, inference or generate`);
  const generating = mode === "generate";
  const known = CASES.find((c) => c.spec.key === argv[0] && c.mode === mode);
  if (known && !checkpointReady(checkpointDir(known.spec.family, known.spec.config))) throw new Error(`no cached ${argv[0]} checkpoint yet: run npm run bench -- models ${argv[0]} first`);
  const [dir, family, b, t, n] = known ? [checkpointDir(known.spec.family, known.spec.config), known.spec.family, known.B, known.T, argv[1]] : argv;
  const B = Number(b), T = Number(t), steps = Number(n ?? 3);
  if (!dir || !(family in CLASSES) || !(B > 0) || !(T > 0) || !(Number.isInteger(steps) && steps > 0)) throw new Error(`usage: model_profile.js ${SPECS.map((s) => s.key).join("|")} [full|generate|inference] [steps], or <dir> bert|gpt2|llama <B> <T> [steps]`);
  manualSeed(0);
  const model = (await (CLASSES[family as Family] as unknown as { fromPretrained(d: string, o: object): Promise<PreTrainedModel> }).fromPretrained(dir, { quiet: true })) as PreTrainedModel;
  model.train(mode === "full");
  const params = model.trainableParameters();
  const opt = createOptimizerByName("adamw_torch", params, { lr: 1e-5, weight_decay: 0.01 });
  const ids = tokenIds(B, T, model.config.vocab_size as number);
  const wall = new Map<string, number>();
  const timed = (p: Phase, fn: () => void) => {
    phase = p;
    const t0 = performance.now();
    fn();
    add(wall, p, performance.now() - t0);
  };
  // Greedy generation (the prompt, then known.newTokens tokens over the KV cache): all "forward".
  const decode = () => timed("forward", () => void generate(model, ids, { max_new_tokens: known?.newTokens ?? 32, eos_token_id: null }));
  const train = () => {
    scope(() => {
      const input_ids = tensor(ids, { dtype: "int32" });
      const inputs = family === "bert" ? { input_ids, attention_mask: tensor(ids.map((r) => r.map(() => 1)), { dtype: "int32" }), labels: tensor(ids.map((_, i) => i % 2), { dtype: "int32" }) } : { input_ids, labels: input_ids };
      let loss: Tensor | undefined;
      timed("forward", () => void (loss = model.forward(inputs).loss));
      timed("backward", () => loss!.backward());
    });
    timed("optimizer", () => {
      opt.step();
      opt.zeroGrad();
    });
  };
  // Inference: one no-grad forward of the batch, all "forward".
  const infer = () => timed("forward", () => noGrad(() => scope(() => {
    const input_ids = tensor(ids, { dtype: "int32" });
    void model.forward(family === "bert" ? { input_ids, attention_mask: tensor(ids.map((r) => r.map(() => 1)), { dtype: "int32" }) } : { input_ids }).logits;
  })));
  const step = generating ? decode : mode === "inference" ? infer : train;
  step(); // warm-up, untimed
  instrument();
  wall.clear();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const total = (performance.now() - t0) / steps;
  const rows: (string | number)[][] = [];
  for (const p of ["forward", "backward", "optimizer"] as Phase[]) {
    const phaseMs = (wall.get(p) ?? 0) / steps;
    let accounted = 0;
    const kinds = [...byKind.entries()].filter(([k]) => k.startsWith(`${p}\t`)).sort((a, b) => b[1] - a[1]);
    for (const [k, ms] of kinds) {
      const per = ms / steps;
      accounted += per;
      const kind = k.split("\t")[1];
      const rate = kind === "GEMM" ? ` (${((gemmFlops.get(p) ?? 0) / steps / per / 1e6).toFixed(0)} GFLOP/s)` : "";
      rows.push([p, `${kind}${rate}`, per.toFixed(1), `${((100 * per) / total).toFixed(1)}%`]);
    }
    rows.push([p, "TypeScript (autograd, dispatch, scopes) = phase wall − the above", (phaseMs - accounted).toFixed(1), `${((100 * (phaseMs - accounted)) / total).toFixed(1)}%`]);
  }
  rows.push(["step", "between phases (input tensors, scope exit)", (total - [...wall.values()].reduce((a, x) => a + x, 0) / steps).toFixed(1), ""]);
  const gemmMs = [...byKind.entries()].filter(([k]) => k.endsWith("\tGEMM")).reduce((a, [, ms]) => a + ms, 0) / steps;
  const flops = [...gemmFlops.values()].reduce((a, x) => a + x, 0) / steps;
  const calls = [...gemmShapes.values()].reduce((a, g) => a + g.calls, 0) / steps;
  console.log(`${family} ${generating ? `greedy generation ${T}+${known?.newTokens ?? 32}` : mode === "inference" ? "inference (no-grad forward)" : "full step"} ${B}x${T}, ${steps} calls after a warm-up: ${total.toFixed(0)} ms each (with the timers on)`);
  console.log(`GEMM: ${calls} calls, ${(flops / 1e9).toFixed(0)} GFLOP, ${gemmMs.toFixed(0)} ms = ${((100 * gemmMs) / total).toFixed(0)}% of the step, ${(flops / gemmMs / 1e6).toFixed(0)} GFLOP/s inside GEMM calls\n`);
  console.log(table(["phase", "work", "ms/step", "share of step"], rows));
  const top = [...gemmShapes.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
  console.log("\nThe 12 costliest GEMM shapes (M x N x K; N/T: operand as stored / transposed):\n");
  console.log(table(["phase, layout, shape", "calls/step", "ms/step", "GFLOP/s"], top.map(([k, g]) => [k, g.calls / steps, (g.ms / steps).toFixed(1), (g.flops / g.ms / 1e6).toFixed(0)])));
}

await main();
