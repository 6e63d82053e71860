/**
 * One engine of one row of `npm run bench -- models`, in its own process so its peak RSS
 * (VmHWM) is that row's: `node dist/bench/models_worker.js tunelab|ort`. Speaks the protocol
 * bench/models_torch.py speaks: one JSON command per line on stdin, one JSON answer per line.
 *   {"cmd":"load", dir, family, mode, B, T, new_tokens?, lora?, onnx?} -> {load_s, loss | logits | tokens}
 *   {"cmd":"time", threads, steps, warmup} -> {samples: [seconds per step]}
 *   {"cmd":"rss"} -> {vmhwm, vmrss}
 *   {"cmd":"prepare", family, config, dir} -> {} (writes the cached checkpoint)
 * The tunelab engine is the real library: fromPretrained on the saved folder, applyMethod's
 * LoRA, the Trainer's optimizer factory (adamw_torch), generate().
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import {
  BertForSequenceClassification, GPT2LMHeadModel, LlamaForCausalLM, type Module, type PreTrainedModel, type Tensor,
  applyMethod, generate, manualSeed, noGrad, scope, setNumThreads, tensor,
} from "../src/index.js";
import { createOptimizerByName } from "../src/optim/index.js";
import { type Family, type Mode, LORA, tokenIds, writeCheckpoint } from "./models_cases.js";

interface LoadJob {
  dir: string;
  family: Family;
  mode: Mode;
  B: number;
  T: number;
  new_tokens?: number;
  lora?: { target_modules: string[]; task_type: string; trainable: string[]; r: number; lora_alpha: number };
  /** ort: the .onnx file torch exported. */
  onnx?: string;
}

type Answer = Record<string, unknown>;

interface Engine {
  /** What the other engines must reproduce (first loss, first logits, generated tokens). */
  check(): Promise<Answer>;
  step(): Promise<void>;
  setThreads(n: number): Promise<void>;
}

const CLASSES = { bert: BertForSequenceClassification, gpt2: GPT2LMHeadModel, llama: LlamaForCausalLM };

async function tunelabEngine(job: LoadJob): Promise<Engine> {
  manualSeed(0);
  const base = (await (CLASSES[job.family] as unknown as { fromPretrained(d: string, o: object): Promise<PreTrainedModel> }).fromPretrained(job.dir, { quiet: true })) as PreTrainedModel;
  const vocab = base.config.vocab_size as number;
  const ids = tokenIds(job.B, job.T, vocab);
  const inputs = () => {
    const input_ids = tensor(ids, { dtype: "int32" });
    if (job.family !== "bert") return { input_ids, labels: input_ids };
    const numLabels = (base.config.num_labels as number | undefined) ?? 2;
    return { input_ids, attention_mask: tensor(ids.map((r) => r.map(() => 1)), { dtype: "int32" }), labels: tensor(ids.map((_, i) => i % numLabels), { dtype: "int32" }) };
  };
  if (job.mode === "inference" || job.mode === "generate") {
    base.eval();
    const logits = () => noGrad(() => scope(() => {
      const { labels: _, ...x } = inputs();
      return ((base.forward(x).logits as Tensor).tolist() as unknown[]).flat(3).slice(0, 16) as number[];
    }));
    const gen = () => generate(base, ids, { max_new_tokens: job.new_tokens, eos_token_id: null, do_sample: false }).map((r) => r.slice(job.T));
    return {
      check: async () => (job.mode === "inference" ? { logits: logits() } : { tokens: gen()[0] }),
      step: async () => void (job.mode === "inference" ? logits() : gen()),
      setThreads: async (n) => setNumThreads(n),
    };
  }
  // PEFT's SEQ_CLS task makes the classifier trainable itself (modules_to_save); `trainable` tells torch the same.
  const { trainable: _, ...lora } = job.lora ?? { trainable: [] };
  const model: Module & { forward(i: object): { loss?: Tensor } } = job.mode === "lora" ? applyMethod(base, { method: "lora", ...lora, lora_dropout: LORA.lora_dropout }) : base;
  model.train();
  const params = (model as unknown as { trainableParameters(): Tensor[] }).trainableParameters();
  const opt = createOptimizerByName("adamw_torch", params, { lr: 1e-5, weight_decay: 0.01 });
  return {
    check: async () => ({ loss: noGrad(() => scope(() => model.forward(inputs()).loss!.item())), trainable: params.reduce((n, p) => n + p.numel, 0) }),
    step: async () => {
      scope(() => model.forward(inputs()).loss!.backward());
      opt.step();
      opt.zeroGrad();
    },
    setThreads: async (n) => setNumThreads(n),
  };
}

async function ortEngine(job: LoadJob): Promise<Engine> {
  const ort = await import("onnxruntime-node");
  let session: import("onnxruntime-node").InferenceSession | null = null;
  const open = async (threads: number) => {
    await session?.release();
    session = await ort.InferenceSession.create(job.onnx!, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });
  };
  const config = JSON.parse(readFileSync(`${job.dir}/config.json`, "utf8")) as Record<string, number>;
  const ids = tokenIds(job.B, job.T, config.vocab_size);
  const i64 = (rows: number[][]) => new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
  const infer = async () => {
    const out = await session!.run({ input_ids: i64(ids), attention_mask: i64(ids.map((r) => r.map(() => 1))) });
    return Array.from((out.logits.data as Float32Array).slice(0, 16));
  };
  // GPT-2 exported as one step graph (ids, past) -> (last logits, presents): prefill with an empty past, then one token at a time.
  const generateTokens = async () => {
    const layers = config.n_layer, heads = config.n_head, d = config.n_embd / heads;
    let feeds: Record<string, import("onnxruntime-node").Tensor> = { input_ids: i64(ids) };
    for (let l = 0; l < layers; l++) for (const k of ["key", "value"]) feeds[`past_${l}_${k}`] = new ort.Tensor("float32", new Float32Array(0), [job.B, heads, 0, d]);
    const out: number[][] = ids.map(() => []);
    for (let s = 0; s < job.new_tokens!; s++) {
      const r = await session!.run(feeds);
      const logits = r.logits.data as Float32Array, V = config.vocab_size;
      const next = ids.map((_, b) => {
        let best = 0;
        for (let v = 1; v < V; v++) if (logits[b * V + v] > logits[b * V + best]) best = v;
        return best;
      });
      next.forEach((t, b) => out[b].push(t));
      feeds = { input_ids: i64(next.map((t) => [t])) };
      for (let l = 0; l < layers; l++) for (const k of ["key", "value"]) feeds[`past_${l}_${k}`] = r[`present_${l}_${k}`];
    }
    return out;
  };
  await open(1);
  return {
    check: async () => (job.mode === "generate" ? { tokens: (await generateTokens())[0] } : { logits: await infer() }),
    step: async () => void (job.mode === "generate" ? await generateTokens() : await infer()),
    setThreads: open, // a session's thread pool is fixed when it is created
  };
}

function vm(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind !== "tunelab" && kind !== "ort") throw new Error(`models_worker: engine "${kind}"? use tunelab or ort`);
  let engine: Engine | null = null;
  let threads = 0;
  const handle = async (cmd: Answer): Promise<Answer> => {
    switch (cmd.cmd) {
      case "prepare":
        await writeCheckpoint(cmd.family as Family, cmd.config as Record<string, unknown>, cmd.dir as string);
        return {};
      case "load": {
        const t0 = performance.now();
        engine = kind === "tunelab" ? await tunelabEngine(cmd as unknown as LoadJob) : await ortEngine(cmd as unknown as LoadJob);
        return { load_s: (performance.now() - t0) / 1000, ...(await engine.check()) };
      }
      case "time": {
        const n = cmd.threads as number;
        if (n !== threads) {
          await engine!.setThreads(n);
          threads = n;
        }
        for (let i = 0; i < ((cmd.warmup as number) ?? 0); i++) await engine!.step();
        const samples: number[] = [];
        for (let i = 0; i < (cmd.steps as number); i++) {
          const t0 = performance.now();
          await engine!.step();
          samples.push((performance.now() - t0) / 1000);
        }
        return { samples };
      }
      case "rss":
        return { vmhwm: vm("VmHWM"), vmrss: vm("VmRSS") };
      default:
        throw new Error(`unknown command ${JSON.stringify(cmd.cmd)}`);
    }
  };
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let out: Answer;
    try {
      out = await handle(JSON.parse(line) as Answer);
    } catch (err) {
      out = { error: err instanceof Error ? err.message : String(err), trace: err instanceof Error ? err.stack?.slice(0, 1500) : undefined };
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}

await main();
