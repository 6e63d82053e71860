/** `tunelab merge <run or adapter dir> --out DIR`: base + adapter → a plain Hugging Face folder. */
import { mergeAdapter } from "../../pipelines/merge.js";
import { consoleOutput, type Output } from "../../pipelines/run.js";

const DTYPES = ["float32", "bfloat16"] as const;

export async function mergeCommand(dir: string, opts: { out: string; base?: string; dequantize?: string | boolean }, out: Output = consoleOutput): Promise<string> {
  const dequantize = opts.dequantize === true ? "float32" : opts.dequantize || undefined;
  if (dequantize !== undefined && !(DTYPES as readonly string[]).includes(dequantize)) {
    throw new Error(`[merge] --dequantize ${JSON.stringify(dequantize)} is not a dtype; use float32 (the default) or bfloat16`);
  }
  const r = await mergeAdapter(dir, opts.out, { ...(opts.base ? { model: { name_or_path: opts.base } } : {}), dequantize: dequantize as (typeof DTYPES)[number] | undefined });
  out.info(`[merge] ${r.architecture} with the adapter merged${r.quantized ? " into its quantized base, re-quantized (PEFT's way; --dequantize gives an exact float model)" : ""} → ${r.out} (${r.files.join(", ")})`);
  return r.out;
}
