/** `tunelab merge <run or adapter dir> --out DIR`: base + adapter → a plain Hugging Face folder. */
import { mergeAdapter } from "../../pipelines/merge.js";
import { consoleOutput, type Output } from "../../pipelines/run.js";

export async function mergeCommand(dir: string, opts: { out: string; base?: string }, out: Output = consoleOutput): Promise<string> {
  const r = await mergeAdapter(dir, opts.out, opts.base ? { model: { name_or_path: opts.base } } : {});
  out.info(`[merge] ${r.architecture} with the adapter merged → ${r.out} (${r.files.join(", ")})`);
  return r.out;
}
