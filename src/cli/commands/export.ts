/**
 * `tunelab export DIR --format onnx|gguf --out PATH`: a trained run folder, checkpoint,
 * adapter folder (merged into its base first) or Hugging Face model folder, as files for
 * other runtimes — an ONNX folder for onnxruntime / Transformers.js, a GGUF file for llama.cpp.
 */
import * as path from "node:path";
import { consoleOutput, type Output } from "../../pipelines/run.js";
import { loadTrained } from "../../pipelines/trained.js";
import { TASK_NAMES, type TaskName } from "../../pipelines/tasks.js";
import { PeftModel } from "../../peft/peft_model.js";
import type { PreTrainedModel } from "../../models/modeling_utils.js";
import { dequantizeModel } from "../../models/dequantize.js";
import { isQuantized } from "../../quant/prepare.js";
import { exportOnnx } from "../../export/onnx.js";
import { GGUF_OUTTYPES, exportGguf, type GgufOuttype } from "../../export/gguf.js";

export const EXPORT_FORMATS = ["onnx", "gguf"] as const;

export interface ExportCommandOptions {
  format: string;
  out: string;
  /** The folder's task when it does not say it (text_classification, causal_lm, ...). */
  task?: string;
  /** GGUF: f32, f16 (default), q8_0, q4_0. */
  outtype?: string;
  /** ONNX: weights in onnx/model.onnx_data even below the 2 GB protobuf limit. */
  externalData?: boolean;
  tokenizer?: string;
}

export async function exportCommand(dir: string, opts: ExportCommandOptions, out: Output = consoleOutput): Promise<string> {
  const format = opts.format;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new Error(`[export] --format ${JSON.stringify(format)} is not supported; use one of: ${EXPORT_FORMATS.join(", ")}`);
  if (opts.task !== undefined && !(TASK_NAMES as readonly string[]).includes(opts.task)) throw new Error(`[export] --task ${JSON.stringify(opts.task)} is not a task; use one of: ${TASK_NAMES.join(", ")}`);
  if (format === "gguf" && opts.outtype !== undefined && !(GGUF_OUTTYPES as readonly string[]).includes(opts.outtype)) {
    throw new Error(`[export] --outtype ${JSON.stringify(opts.outtype)} is not supported; use one of: ${GGUF_OUTTYPES.join(", ")}`);
  }
  if (format === "onnx" && opts.outtype !== undefined) throw new Error("[export] --outtype is for --format gguf; ONNX exports are float32");
  const trained = await loadTrained(dir, { task: opts.task as TaskName | undefined, tokenizer: opts.tokenizer ?? null });
  let model = trained.model as unknown as PreTrainedModel;
  const quantized = isQuantized(model);
  const bits = quantized ? " (its base is 4-/8-bit: dequantized to float32 first, as the files hold float weights)" : "";
  if (model instanceof PeftModel) {
    out.info(`[export] ${dir} is an adapter: merging it into its base model before export${bits}`);
    model = model.mergeAndUnload(quantized ? { dequantize: "float32" } : {});
  } else if (quantized) {
    dequantizeModel(model);
    out.info(`[export] ${dir} holds a quantized model: dequantized to float32 first, as the files hold float weights`);
  }
  model.eval();
  const target = path.resolve(opts.out);
  if (format === "onnx") {
    const r = await exportOnnx(model, target, { tokenizer: trained.tokenizer, externalData: opts.externalData ? true : "auto" });
    out.info(`[export] ${model.constructor.name} → ${r.modelFile}${r.externalDataFile ? ` (+ ${path.basename(r.externalDataFile)})` : ""}`);
    out.info(`  inputs: ${r.inputs.join(", ")}`);
    out.info(`  outputs: ${r.outputs.join(", ")}`);
    return r.dir;
  }
  const r = await exportGguf(model, target, { outtype: (opts.outtype ?? "f16") as GgufOuttype, tokenizer: trained.tokenizer });
  const counts = new Map<string, number>();
  for (const t of r.tensors) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  out.info(`[export] ${model.constructor.name} → ${r.file} (${[...counts].map(([t, n]) => `${n} ${t}`).join(", ")} tensors)`);
  return r.file;
}
