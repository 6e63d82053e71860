/**
 * What the server serves: one base model and its tokenizer, plus named adapters that sit
 * in the base model's layers side by side (PEFT's named adapters: the base weights exist
 * once; a request picks its adapter by name).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readJsonFile } from "../io/json.js";
import { AutoTokenizer, type PreTrainedTokenizer } from "../data/tokenizer.js";
import { AutoModel, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoModelForSequenceClassification } from "../models/auto.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import "../train/peft_methods.js";
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
  info: ServedModelInfo;
}

type Kind = ServedModelInfo["kind"];

const KINDS: [RegExp, Kind][] = [
  [/(ForCausalLM|LMHeadModel)$/, "causal_lm"],
  [/ForConditionalGeneration$/, "seq2seq"],
  [/ForSequenceClassification$/, "classify"],
];

function kindOf(dir: string): Kind {
  const file = path.join(dir, "config.json");
  if (!fs.existsSync(file)) throw new Error(`[serve] ${dir} has no config.json; --model takes a Hugging Face model folder (tunelab train's output, or \`tunelab merge\`'s for a LoRA run)`);
  const archs = readJsonFile<{ architectures?: string[] }>(file).architectures ?? [];
  return KINDS.find(([re]) => archs.some((a) => re.test(a)))?.[1] ?? "embed";
}

async function loadBaseModel(dir: string, kind: Kind): Promise<PreTrainedModel> {
  const auto = { causal_lm: AutoModelForCausalLM, seq2seq: AutoModelForSeq2SeqLM, classify: AutoModelForSequenceClassification, embed: AutoModel }[kind];
  return auto.fromPretrained(dir, { quiet: true });
}

/** Loads the base model of `modelDir` and each adapter onto it, under its name. */
export async function loadServing(modelDir: string, adapters: AdapterSpec[], servedName: string): Promise<LoadedServing> {
  const dir = path.resolve(modelDir);
  const kind = kindOf(dir);
  const base = await loadBaseModel(dir, kind);
  const tokenizer = await AutoTokenizer.fromPretrained(dir);
  let model: PreTrainedModel | PeftModel = base;
  const names = new Set([servedName]);
  for (const a of adapters) {
    if (names.has(a.name)) throw new Error(`[serve] --adapter ${a.name}: the name is taken (the base model is served as "${servedName}"); pick another name`);
    names.add(a.name);
    if (!fs.existsSync(path.join(a.dir, "adapter_config.json"))) throw new Error(`[serve] --adapter ${a.name}=${a.dir}: no adapter_config.json there; pass the folder tunelab train (or PEFT) saved the adapter in`);
    model = model instanceof PeftModel ? (model.loadAdapter(a.dir, a.name), model) : PeftModel.fromPretrained(base, a.dir, { adapter_name: a.name });
    if (model.isPromptLearning) throw new Error(`[serve] --adapter ${a.name}: ${model.activeConfig.peft_type} adapters are not served yet; serve LoRA, IA3 or bottleneck adapters (or merge the model first)`);
  }
  base.eval();
  const cfg = base.config as unknown as Record<string, unknown>;
  const positions = [cfg.max_position_embeddings, cfg.n_positions].find((v): v is number => typeof v === "number");
  const tokenizerMax = tokenizer.model_max_length < 1e9 ? tokenizer.model_max_length : 512;
  const id2label = cfg.id2label as Record<string, string> | undefined;
  return {
    model, base, tokenizer,
    info: {
      names: [...names],
      kind,
      labels: kind === "classify" && id2label ? Object.keys(id2label).sort((a, b) => Number(a) - Number(b)).map((k) => id2label[k]) : null,
      context_length: positions ?? tokenizerMax,
      has_chat_template: tokenizer.chat_template !== null && tokenizer.chat_template !== undefined,
    },
  };
}
