// ONNX export, checked by onnxruntime-node (not by a reader of ours): every encoder family
// with every head, and GPT-2 / Llama (grouped-query) with and without past key values, give
// tunelab's logits within 1e-4, on padded batches.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ort from "onnxruntime-node";
import { manualSeed, noGrad, tensor } from "../../src/tensor/index.js";
import { AutoModelForCausalLM, AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoModelForMaskedLM, AutoModelForQuestionAnswering, AutoModel } from "../../src/models/auto.js";
import type { PreTrainedModel } from "../../src/models/modeling_utils.js";
import { exportOnnx } from "../../src/export/onnx.js";
import { REPO_ROOT, datasetsDir, skipIfMissing } from "../helpers/paths.js";

const TOL = 1e-4;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-onnx-"));
process.on("exit", () => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let counter = 0;

function i64(rows: number[][]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
}

/** max |a - b|, Infinity when either holds a NaN or the lengths differ (so a broken export fails). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

async function exported(model: PreTrainedModel, opts: Parameters<typeof exportOnnx>[2] = {}): Promise<ort.InferenceSession> {
  const r = await exportOnnx(model, path.join(tmpRoot, `m${counter++}`), opts);
  return ort.InferenceSession.create(r.modelFile);
}

const IDS = [[2, 17, 9, 31, 5, 3], [2, 44, 12, 3, 0, 0]];
const MASK = IDS.map((r, b) => r.map((_, t) => (b === 1 && t >= 4 ? 0 : 1)));
const TYPES = [[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 0, 0]];

const ENCODERS = {
  bert: { model_type: "bert", vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 32, type_vocab_size: 2, pad_token_id: 0 },
  roberta: { model_type: "roberta", vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 40, type_vocab_size: 1, pad_token_id: 0 },
  distilbert: { model_type: "distilbert", vocab_size: 64, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 24, max_position_embeddings: 32, pad_token_id: 0 },
};
const HEADS = {
  base: AutoModel,
  "sequence-classification": AutoModelForSequenceClassification,
  "token-classification": AutoModelForTokenClassification,
  "masked-lm": AutoModelForMaskedLM,
  "question-answering": AutoModelForQuestionAnswering,
};

for (const [family, config] of Object.entries(ENCODERS)) {
  for (const [head, Auto] of Object.entries(HEADS)) {
    test(`onnxruntime runs the ${family} ${head} export with tunelab's outputs`, async () => {
      manualSeed(3);
      const numLabels = head === "question-answering" ? 2 : 3;
      const model = Auto.fromConfig({ ...config, num_labels: numLabels, id2label: Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [i, `L${i}`])) }).eval();
      const types = family === "bert" ? TYPES : null;
      const ref = noGrad(() => model.forward({ input_ids: tensor(IDS, { dtype: "int32" }), attention_mask: tensor(MASK, { dtype: "int32" }), ...(types ? { token_type_ids: tensor(types, { dtype: "int32" }) } : {}) }));
      const session = await exported(model);
      const feeds: Record<string, ort.Tensor> = { input_ids: i64(IDS), attention_mask: i64(MASK) };
      if (types) feeds.token_type_ids = i64(types);
      const out = await session.run(feeds);
      const pairs: [string, ArrayLike<number>][] = head === "question-answering"
        ? [["start_logits", ref.start_logits!.toFloat32Array()], ["end_logits", ref.end_logits!.toFloat32Array()]]
        : head === "base" ? [["last_hidden_state", ref.last_hidden_state!.toFloat32Array()]] : [["logits", ref.logits.toFloat32Array()]];
      // Padded positions of token-level outputs attend to nothing real in either engine; compare real tokens.
      const tokenLevel = head !== "sequence-classification";
      for (const [name, expected] of pairs) {
        const got = out[name].data as Float32Array;
        const width = got.length / (tokenLevel ? 12 : 2);
        const keep = (i: number) => !tokenLevel || MASK.flat()[Math.floor(i / width)] === 1;
        const a = Array.from(got).filter((_, i) => keep(i));
        const b = Array.from(expected).filter((_, i) => keep(i));
        assert.ok(a.length > 0);
        const d = maxDiff(a, b);
        assert.ok(d < TOL, `${name}: max |onnx - tunelab| = ${d}`);
      }
    });
  }
}

/** Logits of a decoder run through onnxruntime for `ids` after `past` (null: the first step, an empty past). */
async function runDecoder(session: ort.InferenceSession, model: PreTrainedModel, ids: number[][], mask: number[][], positions: number[][], past: Record<string, ort.Tensor> | null) {
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(positions) };
  const layers = (model.config.num_hidden_layers ?? model.config.n_layer) as number;
  const kv = (model.config.num_key_value_heads ?? model.config.n_head) as number;
  const hd = (model.config.head_dim ?? (model.config.n_embd as number) / (model.config.n_head as number)) as number;
  for (let i = 0; i < layers; i++) {
    for (const part of ["key", "value"]) {
      feeds[`past_key_values.${i}.${part}`] = past?.[`present.${i}.${part}`] ?? new ort.Tensor("float32", new Float32Array(0), [ids.length, kv, 0, hd]);
    }
  }
  return session.run(feeds);
}

/** Position ids as transformers makes them for a left-padded batch: cumsum(mask) - 1, 1 on padding. */
function positionsFor(mask: number[][]): number[][] {
  return mask.map((row) => {
    let n = -1;
    return row.map((m) => (m ? ++n : 1));
  });
}

async function checkDecoder(model: PreTrainedModel, opts: Parameters<typeof exportOnnx>[2] = {}) {
  model.eval();
  const full = [[0, 0, 5, 9, 14, 3, 7, 11], [4, 8, 15, 16, 23, 42 % 30, 6, 2]];
  const fullMask = [[0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]];
  const positions = positionsFor(fullMask);
  const V = model.config.vocab_size as number;
  const ref = noGrad(() => model.forward({ input_ids: tensor(full, { dtype: "int32" }), attention_mask: tensor(fullMask, { dtype: "int32" }), position_ids: tensor(positions, { dtype: "int32" }) }).logits.toFloat32Array());
  const session = await exported(model, opts);
  const P = 5; // the prompt; then 3 tokens with the past
  const first = await runDecoder(session, model, full.map((r) => r.slice(0, P)), fullMask.map((r) => r.slice(0, P)), positions.map((r) => r.slice(0, P)), null);
  const second = await runDecoder(session, model, full.map((r) => r.slice(P)), fullMask, positions.map((r) => r.slice(P)), first);
  assert.deepEqual(second["present.0.key"].dims.slice(2, 3), [8]);
  for (let b = 0; b < 2; b++) {
    for (let t = 0; t < 8; t++) {
      if (!fullMask[b][t]) continue;
      const step = t < P ? first : second;
      const at = t < P ? t : t - P;
      const len = t < P ? P : 8 - P;
      const got = (step.logits.data as Float32Array).subarray((b * len + at) * V, (b * len + at + 1) * V);
      const d = maxDiff(got, ref.subarray((b * 8 + t) * V, (b * 8 + t + 1) * V));
      assert.ok(d < TOL, `row ${b} position ${t} (${t < P ? "no past" : "with past"}): max |onnx - tunelab| = ${d}`);
    }
  }
}

test("onnxruntime runs the GPT-2 export with tunelab's logits, without and with past key values", async () => {
  manualSeed(5);
  await checkDecoder(AutoModelForCausalLM.fromConfig({ model_type: "gpt2", vocab_size: 48, n_embd: 16, n_layer: 2, n_head: 4, n_positions: 32 }));
});

test("onnxruntime runs the Llama export (grouped-query attention) with tunelab's logits, without and with past key values", async () => {
  manualSeed(6);
  await checkDecoder(AutoModelForCausalLM.fromConfig({ model_type: "llama", vocab_size: 48, hidden_size: 32, intermediate_size: 40, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rope_theta: 500 }));
});

test("the Llama export with weights in onnx/model.onnx_data runs the same", async () => {
  manualSeed(7);
  await checkDecoder(AutoModelForCausalLM.fromConfig({ model_type: "llama", vocab_size: 48, hidden_size: 32, intermediate_size: 40, num_hidden_layers: 1, num_attention_heads: 4 }), { externalData: true });
});

const stories = path.join(datasetsDir, "stories260k", "hf");
test("onnxruntime runs stories260K's export with tunelab's logits", { skip: !process.env.CI && skipIfMissing(stories) }, async () => {
  await checkDecoder(await AutoModelForCausalLM.fromPretrained(stories));
});

test("export refuses unsupported models and non-export folders, naming what is supported", async () => {
  manualSeed(8);
  const t5 = AutoModelForCausalLM.fromConfig({ model_type: "gpt2", vocab_size: 8, n_embd: 8, n_layer: 1, n_head: 2 });
  const cls = AutoModelForSequenceClassification.fromConfig({ model_type: "gpt2", vocab_size: 8, n_embd: 8, n_layer: 1, n_head: 2, pad_token_id: 0 });
  await assert.rejects(exportOnnx(cls, path.join(tmpRoot, "refused")), /GPT2ForSequenceClassification is not supported; supported classes: .*BertForSequenceClassification.*GPT2LMHeadModel.*LlamaForCausalLM/);
  const busy = path.join(tmpRoot, "busy");
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, "notes.txt"), "mine");
  await assert.rejects(exportOnnx(t5, busy), /not empty and holds no earlier export/);
  assert.equal(fs.readFileSync(path.join(busy, "notes.txt"), "utf8"), "mine");
  assert.ok(fs.existsSync(path.join(REPO_ROOT, "package.json")));
});
