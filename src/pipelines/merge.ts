/**
 * Base + adapter → one plain Hugging Face folder: the adapter's update is merged into the
 * base weights (PEFT's merge_and_unload) and the result is saved as transformers saves a
 * model (config.json, model.safetensors with the base model's own keys, tokenizer files),
 * so Transformers, `tunelab serve` and the exporters read it without PEFT.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeJsonAtomic } from "../io/json.js";
import { PeftModel } from "../peft/peft_model.js";
import { isQuantized } from "../quant/prepare.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { loadTrained, TASK_FILE, type LoadTrainedOptions } from "./trained.js";

export interface MergeResult {
  out: string;
  /** The merged model's class (config.json's architectures). */
  architecture: string;
  files: string[];
  /** Whether the merged model is still 4-/8-bit (a quantized base merged without `dequantize`). */
  quantized: boolean;
}

export interface MergeOptions extends LoadTrainedOptions {
  /**
   * A 4-/8-bit base: merge into its dequantized weights and save a float model of this dtype
   * (exact), instead of re-quantizing the merged weights as PEFT does by default.
   */
  dequantize?: "float32" | "bfloat16";
}

/** Files of the base model folder that describe generation and travel with the weights. */
const CARRIED_FILES = ["generation_config.json"];

/**
 * Merges the adapter in `dir` (an adapter folder, or a run folder tunelab train saved an
 * adapter in) into its base model and writes the result to `out`, a new or empty folder.
 * The folder is written beside `out` first and renamed into place, so `out` never holds half
 * a model.
 */
export async function mergeAdapter(dir: string, out: string, opts: MergeOptions = {}): Promise<MergeResult> {
  const target = path.resolve(out);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) throw new Error(`[merge] ${target} exists and is not empty; pass a new folder to --out`);
  const trained = await loadTrained(dir, opts);
  if (!(trained.model instanceof PeftModel)) {
    throw new Error(`[merge] ${trained.dir} holds a full model, not an adapter: it is already a plain Hugging Face folder (nothing to merge)`);
  }
  const merged: PreTrainedModel = trained.model.mergeAndUnload(opts.dequantize ? { dequantize: opts.dequantize } : {});
  const staging = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.merge-`));
  try {
    merged.savePretrained(staging);
    trained.tokenizer.savePretrained(staging);
    const baseDir = trained.base_model_name_or_path;
    for (const f of CARRIED_FILES) {
      if (baseDir && fs.existsSync(path.join(baseDir, f))) fs.copyFileSync(path.join(baseDir, f), path.join(staging, f));
    }
    writeJsonAtomic(path.join(staging, TASK_FILE), { task: trained.task, task_options: trained.taskOptions });
    if (fs.existsSync(target)) fs.rmdirSync(target);
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const quantized = isQuantized(merged);
  return { out: target, architecture: merged.constructor.name, files: fs.readdirSync(target).sort(), quantized };
}
