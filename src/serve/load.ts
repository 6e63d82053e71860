/**
 * What the server serves: one base model and its tokenizer, plus named adapters that sit
 * in the base model's layers side by side (PEFT's named adapters: the base weights exist
 * once; a request picks its adapter by name).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AutoTokenizer, type PreTrainedTokenizer } from "../data/tokenizer.js";
import { AutoModel } from "../models/auto.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import { loadTrained } from "../pipelines/trained.js";
import type { TaskName } from "../pipelines/tasks.js";
import type { ServedModelInfo } from "./protocol.js";

export interface AdapterSpec {
  name: string;
  dir: string;
}

export interface LoadedServing {
  /** The base model, or a PeftModel holding every adapter when there are any. */
  model: PreTrainedModel | PeftModel;
  base: PreTrainedModel;
  tokenizer: PreTrainedTokenizer;
  /** Per served name, the adapter it runs (null: the base model with adapters off). */
  adapterOf: Map<string, string | null>;
  info: ServedModelInfo;
}

type Kind = ServedModelInfo["kind"];

const KINDS: Partial<Record<TaskName, Kind>> = { causal_lm: "causal_lm", seq2seq: "seq2seq", text_classification: "classify" };

/**
 * Loads `modelDir` (a model folder, a run folder, or an adapter folder on its base) with the
 * library's loadTrained, then each extra adapter onto the same base, under its name.
 */
export async function loadServing(modelDir: string, adapters: AdapterSpec[], servedName: string): Promise<LoadedServing> {
  const trained = await loadTrained(path.resolve(modelDir), { quiet: true }).catch(async (err: Error) => {
    // A bare encoder (BertModel, ...) has no task to tell; it serves embeddings.
    if (!/cannot tell its task/.test(err.message)) throw err;
    const dir = path.resolve(modelDir);
    return { task: "embeddings", labels: null, model: await AutoModel.fromPretrained(dir, { quiet: true }), tokenizer: await AutoTokenizer.fromPretrained(dir) };
  });
  const kind = KINDS[trained.task as TaskName] ?? "embed";
  let model = trained.model as PreTrainedModel | PeftModel;
  const base = model instanceof PeftModel ? model.model : model;
  // The served name runs the folder's own adapter when it has one, else the base with adapters off.
  const adapterOf = new Map<string, string | null>([[servedName, model instanceof PeftModel ? model.activeAdapter : null]]);
  for (const a of adapters) {
    if (adapterOf.has(a.name)) throw new Error(`[serve] --adapter ${a.name}: the name is taken (the model is served as "${servedName}"); pick another name`);
    if (!fs.existsSync(path.join(a.dir, "adapter_config.json"))) throw new Error(`[serve] --adapter ${a.name}=${a.dir}: no adapter_config.json there; pass the folder tunelab train (or PEFT) saved the adapter in`);
    if (model instanceof PeftModel) model.loadAdapter(a.dir, a.name);
    else model = PeftModel.fromPretrained(base, a.dir, { adapter_name: a.name });
    adapterOf.set(a.name, a.name);
  }
  if (model instanceof PeftModel && model.isPromptLearning) {
    throw new Error(`[serve] ${model.activeConfig.peft_type} adapters are not served yet; serve LoRA, IA3 or bottleneck adapters (or \`tunelab merge\` the model first)`);
  }
  if (model instanceof PeftModel) model.setAdapter(adapterOf.get(servedName) ?? model.activeAdapter);
  base.eval();
  const tokenizer = trained.tokenizer;
  const cfg = base.config as unknown as Record<string, unknown>;
  const positions = [cfg.max_position_embeddings, cfg.n_positions].find((v): v is number => typeof v === "number");
  const tokenizerMax = tokenizer.model_max_length < 1e9 ? tokenizer.model_max_length : 512;
  const labels = trained.labels?.id2label ?? (cfg.id2label as Record<string, string> | undefined);
  return {
    model, base, tokenizer, adapterOf,
    info: {
      names: [...adapterOf.keys()],
      kind,
      labels: kind === "classify" && labels ? Object.keys(labels).sort((a, b) => Number(a) - Number(b)).map((k) => labels[k]) : null,
      context_length: positions ?? tokenizerMax,
      has_chat_template: tokenizer.chat_template !== null && tokenizer.chat_template !== undefined,
    },
  };
}
