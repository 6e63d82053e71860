/**
 * PretrainedConfig: config.json with Hugging Face's keys verbatim. Unknown keys are kept
 * so a config survives a load/save round trip; each family subclass supplies defaults.
 */
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";
import { checkModelSize } from "./model_size.js";

export type ConfigDict = Record<string, unknown>;

export class PretrainedConfig {
  [key: string]: unknown;
  model_type = "";
  architectures?: string[];
  id2label: Record<string, string> = { 0: "LABEL_0", 1: "LABEL_1" };
  label2id: Record<string, number> = { LABEL_0: 0, LABEL_1: 1 };
  problem_type?: "regression" | "single_label_classification" | "multi_label_classification" | null;
  tie_word_embeddings = true;
  pad_token_id?: number | null;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  torch_dtype?: string;

  /** Family defaults (HF's __init__ defaults), applied under the given keys. */
  static defaults: ConfigDict = {};

  /** Builds a config from a dict (config.json) on top of the class's defaults. */
  static fromDict<C extends PretrainedConfig>(this: new () => C, dict: ConfigDict, source = "config"): C {
    const cls = this as unknown as typeof PretrainedConfig;
    const cfg = new this();
    Object.assign(cfg, structuredClone(cls.defaults), structuredClone(dict));
    cfg.normaliseLabels(dict);
    checkModelSize(cfg, source);
    cfg.validate();
    return cfg;
  }

  /** `extra` keys apply before the checks (a quantization_config changes the memory bound). */
  static fromFile<C extends PretrainedConfig>(this: (new () => C) & { fromDict(d: ConfigDict, source?: string): C }, dirOrFile: string, extra: ConfigDict = {}): C {
    const file = dirOrFile.endsWith(".json") ? dirOrFile : path.join(dirOrFile, "config.json");
    return this.fromDict({ ...readJsonFile<ConfigDict>(file, { maxBytes: 16 * 1024 * 1024 }), ...extra }, file);
  }

  private normaliseLabels(dict: ConfigDict): void {
    const given = dict.id2label as Record<string, string> | undefined;
    const n = dict.num_labels as number | undefined;
    if (given) {
      this.id2label = Object.fromEntries(Object.entries(given).map(([k, v]) => [String(Number(k)), String(v)]));
    } else if (typeof n === "number") {
      this.id2label = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), `LABEL_${i}`]));
    }
    if (!dict.label2id || given || typeof n === "number") {
      this.label2id = Object.fromEntries(Object.entries(this.id2label).map(([k, v]) => [v, Number(k)]));
    }
    // num_labels is derived from id2label (an accessor); an own key would shadow it.
    delete (this as ConfigDict).num_labels;
  }

  /** Subclasses check divisibility etc., quoting both numbers. */
  validate(): void {}

  get num_labels(): number {
    return Object.keys(this.id2label).length;
  }

  set num_labels(n: number) {
    if (n === undefined) return;
    this.id2label = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), this.id2label[String(i)] ?? `LABEL_${i}`]));
    this.label2id = Object.fromEntries(Object.entries(this.id2label).map(([k, v]) => [v, Number(k)]));
  }

  /** Applies overrides (num_labels, id2label, problem_type, ...) from fromPretrained options. */
  update(overrides: ConfigDict): void {
    const { num_labels, id2label, label2id, ...rest } = overrides;
    Object.assign(this, rest);
    if (id2label) this.normaliseLabels({ id2label, label2id });
    else if (typeof num_labels === "number" && num_labels !== this.num_labels) this.num_labels = num_labels;
    checkModelSize(this, "config overrides");
    this.validate();
  }

  /** The dict config.json holds: sorted keys, as save_pretrained writes them. */
  toDict(): ConfigDict {
    const out: ConfigDict = {};
    for (const key of Object.keys(this).sort()) {
      const v = this[key];
      if (v !== undefined && typeof v !== "function") out[key] = v;
    }
    return out;
  }

  save(dir: string): void {
    writeJsonAtomic(path.join(dir, "config.json"), this.toDict());
  }
}
