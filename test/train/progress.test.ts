import { test } from "node:test";
import assert from "node:assert/strict";
import { ProgressCallback, TrainerControl, TrainerState, TrainingArguments } from "../../src/train/index.js";
import { batchOrder } from "../../src/train/batching.js";

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, columns: 200, write: (s: string) => chunks.push(s), chunks };
}

test("progress: a live bar on a TTY (step, epoch, loss, lr, it/s, ETA); plain lines otherwise", () => {
  const args = new TrainingArguments({ output_dir: "x" });
  const state = Object.assign(new TrainerState(), { max_steps: 10, global_step: 3, epoch: 0.3 });
  const tty = fakeStream(true);
  const bar = new ProgressCallback({ stream: tty });
  bar.onTrainBegin(args, state);
  bar.onStepEnd(args, state, new TrainerControl(), { live: { loss: 0.6931, learning_rate: 5e-5 } });
  assert.match(tty.chunks.join(""), /\r\x1b\[2K.*3\/10 \| epoch 0\.30 \| loss 0\.6931 \| lr 5\.00e-5 \| [\d.]+ it\/s, [\d.]+ samples\/s \| ETA /);
  const plain = fakeStream(false);
  const lines = new ProgressCallback({ stream: plain });
  lines.onTrainBegin(args, state);
  lines.onStepEnd(args, state, new TrainerControl(), { live: { loss: 1, learning_rate: 1 } });
  assert.equal(plain.chunks.length, 0, "no bar when not a terminal");
  lines.onLog(args, state, new TrainerControl(), { logs: { loss: 0.5, learning_rate: 1e-4 } });
  assert.match(plain.chunks.join(""), /^step 3\/10 \| epoch 0\.30 \| loss 0\.5000 \| lr 1\.00e-4/);
  assert.ok(plain.chunks.join("").endsWith("\n"));
});

test("batch order: seeded per epoch; group_by_length sorts within megabatches", () => {
  const a = batchOrder({ numExamples: 20, batchSize: 4, seed: 1, epoch: 0 });
  assert.deepEqual(a, batchOrder({ numExamples: 20, batchSize: 4, seed: 1, epoch: 0 }));
  assert.notDeepEqual(a, batchOrder({ numExamples: 20, batchSize: 4, seed: 1, epoch: 1 }));
  assert.deepEqual(a.flat().sort((x, y) => x - y), [...Array(20).keys()]);
  const lengths = Array.from({ length: 20 }, (_, i) => i);
  const grouped = batchOrder({ numExamples: 20, batchSize: 4, seed: 1, epoch: 0, lengths });
  assert.deepEqual(grouped.flat(), [...Array(20).keys()].reverse(), "one megabatch, longest first");
  assert.equal(batchOrder({ numExamples: 10, batchSize: 4, seed: 1, epoch: 0, dropLast: true }).length, 2);
});

test("progress: short evaluation lines without eval_ prefixes or timings; none with a step 0/0 outside training", () => {
  const args = new TrainingArguments({ output_dir: "x" });
  const logs = { eval_loss: 0.5, eval_accuracy: 0.75, eval_f1: 0.7, eval_precision: 0.6, eval_recall: 0.8, eval_macro_f1: 0.7, eval_weighted_f1: 0.71, eval_runtime: 1.2, eval_samples_per_second: 200, eval_steps_per_second: 4 };
  const during = fakeStream(false);
  new ProgressCallback({ stream: during }).onLog(args, Object.assign(new TrainerState(), { max_steps: 96, global_step: 12, epoch: 1 }), new TrainerControl(), { logs });
  assert.equal(during.chunks.join(""), "eval @ step 12/96 | epoch 1.00 | loss 0.5000 | accuracy 0.7500 | f1 0.7000 | macro_f1 0.7000 | weighted_f1 0.7100\n");
  const before = fakeStream(false);
  new ProgressCallback({ stream: before }).onLog(args, new TrainerState(), new TrainerControl(), { logs });
  assert.match(before.chunks.join(""), /^eval \| loss 0\.5000 \| accuracy/);
  const summary = fakeStream(false);
  new ProgressCallback({ stream: summary }).onLog(args, Object.assign(new TrainerState(), { max_steps: 96, global_step: 96, epoch: 8 }), new TrainerControl(), {
    logs: { train_runtime: 75.2, train_samples_per_second: 20.4, train_steps_per_second: 1.3, train_loss: 0.42, total_flos: 0 },
  });
  assert.equal(summary.chunks.join(""), "step 96/96 | epoch 8.00 | train_runtime 1:15 | 20.4 samples/s | train_loss 0.4200\n");
});
