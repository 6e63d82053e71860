// A streamed train_dataset (IterableDataset over a JSONL file, mapped and shuffled lazily):
// it needs max_steps, trains across passes, resumes exactly from checkpoints taken
// mid-pass, and its memory does not grow with the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { getLastCheckpoint, type TrainerCallback } from "../../src/train/index.js";
import { IterableDataset } from "../../src/data/stream.js";
import { streamBatches } from "../../src/train/batching.js";
import { losses, tempDir } from "./helpers.js";
import { streamTrainer, streamedDataset, writeTextJsonl } from "./stream_helpers.js";

const dir = tempDir("tunelab-stream-");
const file = path.join(dir, "train.jsonl");
writeTextJsonl(file, 90);

test("a streamed train_dataset needs max_steps, as HF's Trainer does", async () => {
  const trainer = streamTrainer(streamedDataset(file), { output_dir: tempDir(), num_train_epochs: 2 });
  await assert.rejects(trainer.train(), /max_steps must be set to a positive number when train_dataset is an IterableDataset/);
  const grouped = streamTrainer(streamedDataset(file), { output_dir: tempDir(), max_steps: 2, group_by_length: true });
  await assert.rejects(grouped.train(), /group_by_length needs every example's length/);
});

test("batches are formed on the fly; a pass can be replayed from any example", async () => {
  const ds = IterableDataset.fromFile(file).shuffle({ seed: 1, buffer_size: 8 });
  const ids = async (epoch: number, skip = 0) => {
    const out: number[][] = [];
    for await (const b of streamBatches(ds, { epoch, batchSize: 8, dropLast: false, skipExamples: skip })) out.push(b.map((r) => r.id as number));
    return out;
  };
  const pass0 = await ids(0);
  assert.equal(pass0.length, 12);
  assert.equal(pass0.at(-1)!.length, 2, "the last short batch is kept");
  assert.deepEqual(pass0.flat().sort((a, b) => a - b), [...Array(90).keys()]);
  assert.notDeepEqual(await ids(1), pass0, "each epoch reshuffles (seed + epoch)");
  assert.deepEqual((await ids(0, 24)).flat(), pass0.flat().slice(24));
});

test("streaming trains across passes and resumes exactly (losses equal the uninterrupted run)", async () => {
  // 90 examples, 4 per micro-batch, 2 micro-batches per step: 12 steps per pass (the last
  // one short), so 30 steps cross two pass boundaries; checkpoints at 7 (mid pass 0) and 21 (mid pass 1).
  const base = { max_steps: 30, gradient_accumulation_steps: 2, logging_steps: 1, save_strategy: "steps" as const, save_steps: 7 };
  const fullDir = tempDir();
  const full = streamTrainer(streamedDataset(file), { ...base, output_dir: fullDir });
  await full.train();
  assert.equal(full.state.global_step, 30);
  assert.equal(full.state.epoch, 2, "two passes completed (the third was under way)");
  const all = losses(full.state.log_history);
  assert.equal(all.length, 30);
  assert.ok(all.slice(-5).reduce((s, [, l]) => s + l, 0) < all.slice(0, 5).reduce((s, [, l]) => s + l, 0), "the loss falls");

  const outB = tempDir();
  const stopAt7: TrainerCallback = { onStepEnd: (_a, state, control) => { if (state.global_step === 7) control.should_training_stop = true; } };
  await streamTrainer(streamedDataset(file), { ...base, output_dir: outB }, { callbacks: [stopAt7] }).train();
  const rng = JSON.parse(fs.readFileSync(path.join(outB, "checkpoint-7", "rng_state.json"), "utf8"));
  assert.deepEqual(rng.data, { epoch: 0, batches_in_epoch: 14, seed: 5, global_batch_size: 8, examples_in_epoch: 56 });
  const resumed = streamTrainer(streamedDataset(file), { ...base, output_dir: outB });
  await resumed.train({ resume_from_checkpoint: path.join(outB, "checkpoint-7") });
  assert.equal(resumed.state.global_step, 30);
  assert.deepEqual(losses(resumed.state.log_history), all);

  // From the full run's step-21 checkpoint (in the second pass).
  const outC = tempDir();
  fs.cpSync(path.join(fullDir, "checkpoint-21"), path.join(outC, "checkpoint-21"), { recursive: true });
  const late = streamTrainer(streamedDataset(file), { ...base, output_dir: outC });
  await late.train({ resume_from_checkpoint: true });
  assert.deepEqual(losses(late.state.log_history), all);
  assert.equal(path.basename(getLastCheckpoint(outC)!), "checkpoint-30");
});

test("peak memory does not grow with the streamed file's size (20x more rows)", () => {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "stream_memory_child.js");
  const run = (rows: number) => {
    const f = path.join(dir, `mem-${rows}.jsonl`);
    writeTextJsonl(f, rows, 2000);
    const r = spawnSync(process.execPath, [child, f, String(rows)], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { steps: number; epoch: number; maxRSS: number };
    fs.rmSync(f);
    return { ...out, bytes: rows * 2000 };
  };
  const small = run(1000);
  const big = run(20000);
  assert.equal(big.epoch, 1, "the big file was read to its end");
  const grewMb = (big.maxRSS - small.maxRSS) / 1024;
  console.log(`streaming peak RSS: ${(small.maxRSS / 1024).toFixed(0)} MB for ${small.bytes / 1e6} MB, ${(big.maxRSS / 1024).toFixed(0)} MB for ${big.bytes / 1e6} MB`);
  // Holding the big file would add at least its 40 MB of text.
  assert.ok(grewMb < 24, `peak RSS grew by ${grewMb.toFixed(1)} MB for a file 20x bigger`);
});
