// Shared by the PEFT tests: the fixture models, their inputs, and comparisons restricted to real tokens.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Tensor, noGrad } from "../../src/tensor/index.js";
import type { PreTrainedModel, ModelInputs } from "../../src/models/modeling_utils.js";
import { GPT2LMHeadModel } from "../../src/models/gpt2/modeling.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { BertForSequenceClassification } from "../../src/models/bert/heads.js";
import { loadTensors } from "../../src/io/tensors.js";
import { fixturesDir } from "../helpers/paths.js";

export const FIXTURE_MODELS = {
  bert_tiny: BertForSequenceClassification,
  gpt2_tiny: GPT2LMHeadModel,
  llama_tiny: LlamaForCausalLM,
} as const;
export type FixtureName = keyof typeof FIXTURE_MODELS;

export function fixturePath(name: FixtureName, ...parts: string[]): string {
  return path.join(fixturesDir, name, ...parts);
}

export async function loadBase(name: FixtureName): Promise<PreTrainedModel> {
  const cls = FIXTURE_MODELS[name] as unknown as { fromPretrained(dir: string, o: object): Promise<PreTrainedModel> };
  return cls.fromPretrained(fixturePath(name, "model"), { quiet: true });
}

const cache = new Map<string, Map<string, Tensor>>();
export function expected(name: FixtureName): Map<string, Tensor> {
  if (!cache.has(name)) {
    const m = loadTensors(fixturePath(name, "expected.safetensors"));
    for (const t of m.values()) t.keep();
    cache.set(name, m);
  }
  return cache.get(name)!;
}

export function fixtureInputs(name: FixtureName): ModelInputs {
  const e = expected(name);
  const inputs: ModelInputs = { input_ids: e.get("input_ids")!, attention_mask: e.get("attention_mask")!, labels: e.get("labels")! };
  if (e.has("token_type_ids")) inputs.token_type_ids = e.get("token_type_ids")!;
  return inputs;
}

/** Per-position 0/1 weights for (B, T, V) logits: decoders compare real tokens only; `prefix` virtual positions always count. */
export function logitMask(name: FixtureName, prefix = 0): Float32Array | null {
  if (name === "bert_tiny") return null;
  const m = expected(name).get("attention_mask")!;
  const [B, L] = m.shape;
  const v = m.toFloat32Array();
  const out = new Float32Array(B * (prefix + L));
  for (let b = 0; b < B; b++) {
    out.fill(1, b * (prefix + L), b * (prefix + L) + prefix);
    for (let t = 0; t < L; t++) out[b * (prefix + L) + prefix + t] = v[b * L + t];
  }
  return out;
}

export function logits(model: { forward(i: ModelInputs): { logits: Tensor } }, inputs: ModelInputs): Float32Array {
  return noGrad(() => model.forward(inputs).logits.toFloat32Array());
}

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tunelab-peft-${tag}-`));
}
