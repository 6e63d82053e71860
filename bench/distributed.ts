/**
 * `node dist/bench/distributed.js [steps]`: data parallel over MPI against threads, end to end
 * through `tunelab train` on BERT-small's shape (4 layers, hidden 512, 8 heads, intermediate
 * 2048; random weights: speed does not depend on them) and SST-2 sentences from ../shared:
 *   1 rank × 2 threads, per_device_train_batch_size 32     (TUNELAB_NUM_THREADS=2)
 *   2 ranks × 1 thread, per_device_train_batch_size 16     (mpirun -np 2, TUNELAB_NUM_THREADS=1)
 * — the same 32 examples per optimizer step — for full fine-tuning and LoRA (r 8 on query/value),
 * and the bytes each rank all-reduces per step (its trainable gradients, float32). Steps/s is
 * (long - short run steps) / (long - short train_runtime), so start-up and the first step cancel.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { loadRunConfig } from "../src/cli/config.js";
import { buildRun } from "../src/pipelines/run.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = process.env.TUNELAB_SHARED ?? path.resolve(ROOT, "../shared");
const TUNELAB = path.join(ROOT, "bin", "tunelab.js");
const STEPS = Number(process.argv[2] ?? 12);
const SHORT = 3;

function writeConfig(dir: string, method: "full" | "lora"): string {
  fs.writeFileSync(path.join(dir, "arch.json"), JSON.stringify({
    model_type: "bert", vocab_size: 30522, hidden_size: 512, num_hidden_layers: 4, num_attention_heads: 8, intermediate_size: 2048,
    max_position_embeddings: 512, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
  }));
  const cfg = {
    model: { from_config: "arch.json" }, tokenizer: path.join(SHARED, "datasets", "tokenizers", "bert-base-uncased"),
    task: { type: "text_classification", max_length: 64, text_column: "sentence", label_column: "label" },
    dataset: { train_file: path.join(SHARED, "datasets", "sst2", "train.tsv"), max_train_samples: 2048 },
    method, ...(method === "lora" ? { peft: { r: 8, lora_alpha: 16, target_modules: ["query", "value"] } } : {}),
    training: { output_dir: "out", max_steps: STEPS, per_device_train_batch_size: 32, learning_rate: 1e-4, save_strategy: "no", logging_steps: 1000, seed: 1 },
  };
  const file = path.join(dir, `${method}.yaml`);
  fs.writeFileSync(file, stringify(cfg));
  return file;
}

function trainRuntime(cmd: string, args: string[], env: Record<string, string>, dir: string): number {
  fs.rmSync(path.join(dir, "out"), { recursive: true, force: true });
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8", cwd: dir });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return (JSON.parse(fs.readFileSync(path.join(dir, "out", "all_results.json"), "utf8")) as { train_runtime: number }).train_runtime;
}

function stepsPerSecond(ranks: number, cfg: string, dir: string): number {
  const batch = 32 / ranks;
  const run = (steps: number) => {
    const set = ["--set", `per_device_train_batch_size=${batch}`, "--set", `max_steps=${steps}`, "--quiet"];
    return ranks === 1
      ? trainRuntime(process.execPath, [TUNELAB, "train", cfg, ...set], { TUNELAB_NUM_THREADS: "2" }, dir)
      : trainRuntime("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), "-x", "TUNELAB_NUM_THREADS", process.execPath, TUNELAB, "train", cfg, ...set], { TUNELAB_NUM_THREADS: "1" }, dir);
  };
  const short = run(SHORT);
  const long = run(STEPS);
  return (STEPS - SHORT) / (long - short);
}

async function trainableBytes(cfg: string): Promise<number> {
  const run = await buildRun(loadRunConfig(cfg, []), { quiet: true, out: { info: () => {}, warn: () => {} } });
  return run.model.trainableParameters().reduce((s, p) => s + p.numel * 4, 0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-bench-dp-"));
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(`# data parallel over MPI vs threads — ${cpu}, ${os.cpus().length} cores; load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`BERT-small shape (L4 H512 A8 I2048), SST-2, max_length 64, 32 examples per step, ${SHORT} and ${STEPS} steps timed\n`);
console.log("| method | trainable | all-reduced per step per rank | 1 rank × 2 threads | 2 ranks × 1 thread | ratio |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const method of ["full", "lora"] as const) {
  const cfg = writeConfig(dir, method);
  const bytes = await trainableBytes(cfg);
  const threads = stepsPerSecond(1, cfg, dir);
  const ranks = stepsPerSecond(2, cfg, dir);
  const size = bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`| ${method} | ${(bytes / 4 / 1e6).toFixed(2)} M params | ${size} (+8 B loss) | ${threads.toFixed(2)} steps/s | ${ranks.toFixed(2)} steps/s | ${(ranks / threads).toFixed(2)}x |`);
}
console.log(`\nload average after: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
fs.rmSync(dir, { recursive: true, force: true });
