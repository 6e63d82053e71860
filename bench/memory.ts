/**
 * `npm run bench -- memory [1b] [7b]`: peak resident memory and seconds per training step of
 * full fine-tuning, LoRA and QLoRA on Llama-shaped checkpoints the bench writes as bf16
 * safetensors (random weights) under TUNELAB_BENCH_DIR (default /tmp/tunelab-bench), each
 * configuration in its own process (peak RSS = VmHWM of that process). Batch 1 x 512 for the
 * ~1.1B model; the 7B-shaped one (~13.5 GB) runs QLoRA only, at TUNELAB_BENCH_7B_SEQ tokens
 * (default 512). TUNELAB_BENCH_STEPS steps per configuration (default 2; s/step excludes the first
 * unless there is only one). TUNELAB_BENCH_KEEP=1 keeps the generated checkpoints; they are deleted otherwise.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { SHAPES, parameterCount, writeLlamaCheckpoint } from "./memory_model.js";

interface Row {
  mode: string; gc: boolean; optim: string; steps: number; seq: number;
  peak_rss?: number; rss_after_load?: number; hwm_after_load?: number; step_s?: number; load_s?: number; trainable?: number; loss?: number; error?: string;
}

const GB = 1024 ** 3;

function runChild(job: Record<string, unknown>, timeoutS: number): Row {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "memory_child.js");
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--max-old-space-size=4096", child, JSON.stringify(job)], { encoding: "utf8", timeout: timeoutS * 1000, maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Row;
  } catch {
    const why = r.signal ? `killed by ${r.signal} after ${((Date.now() - started) / 1000).toFixed(0)} s` : (r.stderr.trim().split("\n").slice(-3).join(" ") || `exit ${r.status}`);
    return { ...(job as unknown as Row), error: why };
  }
}

const METHOD: Record<string, string> = { full: "full fine-tuning, fp32", lora: "LoRA, fp32 base", qlora: "QLoRA, NF4 base" };

function fmt(rows: Row[], baseline: number | undefined): string {
  const head = "| method | grad. checkpointing | optimizer | peak RSS | RSS after loading | vs fp32 LoRA | s / step | trainable params |\n| --- | --- | --- | --- | --- | --- | --- | --- |";
  const lines = rows.map((r) => {
    const m = METHOD[r.mode] ?? r.mode;
    if (r.error) return `| ${m} | ${r.gc ? "yes" : "no"} | ${r.optim} | — | — | — | — | ${r.error} |`;
    const rel = baseline ? `${((100 * r.peak_rss!) / baseline).toFixed(0)}%` : "";
    return `| ${m} | ${r.gc ? "yes" : "no"} | ${r.optim} | ${(r.peak_rss! / GB).toFixed(2)} GiB | ${(r.rss_after_load! / GB).toFixed(2)} GiB | ${rel} | ${r.step_s!.toFixed(1)} | ${r.trainable!.toLocaleString("en-US")} |`;
  });
  return [head, ...lines].join("\n");
}

/** A configuration this machine cannot hold is reported as such, not run (it would push others' processes out). */
function tooBig(size: string, job: { mode: string; optim: string }): string | null {
  if (size === "1b" && job.mode === "full" && job.optim === "adamw_torch") {
    return "not run: ~18 GiB (weights + gradients + two fp32 moments, 4 x 4.4 GB) on a 23 GiB machine shared with other work";
  }
  return null;
}

export async function benchMemory(args: string[]): Promise<string> {
  const root = process.env.TUNELAB_BENCH_DIR ?? "/tmp/tunelab-bench";
  const which = args.filter((a) => a in SHAPES);
  const sizes = which.length ? which : ["1b", "7b"];
  const keep = process.env.TUNELAB_BENCH_KEEP === "1";
  const out: string[] = [];
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  for (const size of sizes) {
    const dir = path.join(root, `llama-${size}`);
    const shape = SHAPES[size];
    const t0 = Date.now();
    writeLlamaCheckpoint(dir, shape);
    const load = os.loadavg().map((x) => x.toFixed(1)).join(" ");
    console.log(`[bench memory] ${size}: ${(parameterCount(shape) / 1e9).toFixed(2)}B parameters, bf16 checkpoint in ${dir} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    const seq = size === "7b" ? Number(process.env.TUNELAB_BENCH_7B_SEQ ?? 512) : 512;
    const jobs = size === "7b"
      ? [{ mode: "qlora", gc: true, optim: "adamw_8bit" }, { mode: "qlora", gc: true, optim: "paged_adamw_8bit" }].slice(0, Number(process.env.TUNELAB_BENCH_7B_JOBS ?? 1))
      : [
          { mode: "lora", gc: false, optim: "adamw_torch" },
          { mode: "lora", gc: true, optim: "adamw_torch" },
          { mode: "qlora", gc: false, optim: "adamw_torch" },
          { mode: "qlora", gc: true, optim: "adamw_torch" },
          { mode: "qlora", gc: false, optim: "adamw_8bit" },
          { mode: "qlora", gc: true, optim: "adamw_8bit" },
          { mode: "full", gc: false, optim: "adamw_8bit" },
          { mode: "full", gc: true, optim: "adamw_8bit" },
          { mode: "full", gc: true, optim: "adamw_torch" },
        ].filter((j) => !process.env.TUNELAB_BENCH_ONLY || j.mode === process.env.TUNELAB_BENCH_ONLY);
    const rows: Row[] = [];
    for (const j of jobs) {
      const skip = tooBig(size, j);
      if (skip) {
        rows.push({ ...j, steps: 0, seq, error: skip });
        continue;
      }
      const row = runChild({ dir, steps: Number(process.env.TUNELAB_BENCH_STEPS ?? 2), seq, ...j }, Number(process.env.TUNELAB_BENCH_TIMEOUT ?? 1800));
      console.log(`[bench memory] ${size} ${JSON.stringify(row)}`);
      rows.push(row);
    }
    const baseline = rows.find((r) => r.mode === "lora" && !r.gc && !r.error)?.peak_rss;
    out.push(`### Llama-shaped ${size} (${(parameterCount(shape) / 1e9).toFixed(2)}B parameters), batch 1 x ${seq}, LoRA r=16 on q_proj/v_proj\n\n` +
      `${cpu}, ${os.cpus().length} threads, load average before the runs: ${load} (shared machine)\n\n${fmt(rows, baseline)}\n`);
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  return out.join("\n");
}
