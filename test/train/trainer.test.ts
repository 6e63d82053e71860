import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { bufferCache, type Tensor } from "../../src/tensor/index.js";
import { loadTensors } from "../../src/io/tensors.js";
import { EarlyStoppingCallback, NonFiniteLossError, TrainerState, getLastCheckpoint, type TrainerCallback } from "../../src/train/index.js";
import type { ModelInputs } from "../../src/models/modeling_utils.js";
import { demoTrainer, losses, tempDir } from "./helpers.js";

test("resuming reproduces the uninterrupted run exactly (2N steps vs N + resume)", async () => {
  const base = { max_steps: 24, logging_steps: 4, save_steps: 12, eval_strategy: "steps" as const, eval_steps: 12 };
  const full = await demoTrainer({ ...base, output_dir: tempDir() });
  await full.train();
  const outB = tempDir();
  // Interrupted: stop right after the checkpoint at step 12.
  const stopAt12: TrainerCallback = { onStepEnd: (_a, state, control) => { if (state.global_step === 12) control.should_training_stop = true; } };
  const first = await demoTrainer({ ...base, output_dir: outB }, { callbacks: [stopAt12] });
  await first.train();
  assert.equal(first.state.global_step, 12);
  const resumed = await demoTrainer({ ...base, output_dir: outB });
  await resumed.train({ resume_from_checkpoint: path.join(outB, "checkpoint-12") });
  assert.equal(resumed.state.global_step, 24);
  assert.deepEqual(losses(resumed.state.log_history), losses(full.state.log_history));
  const evals = (t: typeof full) => t.state.log_history.filter((e) => "eval_loss" in e).map((e) => [e.step, e.eval_loss, e.eval_accuracy]);
  assert.deepEqual(evals(resumed), evals(full));
  // The final weights agree bit for bit.
  const a = loadTensors(path.join(getLastCheckpoint(outB)!, "model.safetensors"));
  const [name, w] = [...a][3];
  const fullW = [...full.model.namedParameters()].find(([k]) => k === name)![1] as Tensor;
  assert.deepEqual([...w.f32()], [...fullW.f32()]);
});

test("checkpoints hold HF's files and fields; save_total_limit never deletes the best", async () => {
  const out = tempDir();
  const script = [0.5, 0.9, 0.6, 0.7];
  let evals = 0;
  const trainer = await demoTrainer(
    { output_dir: out, max_steps: 16, logging_steps: 4, eval_strategy: "steps", eval_steps: 4, save_steps: 4, save_total_limit: 1, load_best_model_at_end: true, metric_for_best_model: "score" },
    { compute_metrics: () => ({ score: script[evals++] }) },
  );
  let bestWeights: Float32Array | null = null;
  trainer.addCallback({
    onSave: (_a, state, _c, extras) => {
      if (state.global_step === 8) bestWeights = Float32Array.from(loadTensors(path.join(extras.checkpoint!, "model.safetensors")).get("classifier.weight")!.f32());
    },
  });
  await trainer.train();
  const left = fs.readdirSync(out).filter((n) => n.startsWith("checkpoint-")).sort();
  assert.deepEqual(left, ["checkpoint-16", "checkpoint-8"], "the best (step 8) survives the limit of 1 beside the newest");
  const ckpt = path.join(out, "checkpoint-16");
  for (const f of ["model.safetensors", "config.json", "optimizer.safetensors", "optimizer.json", "scheduler.json", "rng_state.json", "trainer_state.json", "training_args.json"]) {
    assert.ok(fs.existsSync(path.join(ckpt, f)), `${f} in checkpoint`);
  }
  const state = TrainerState.load(ckpt);
  assert.equal(state.global_step, 16);
  assert.equal(state.best_metric, 0.9);
  assert.equal(state.best_model_checkpoint, path.join(out, "checkpoint-8"));
  for (const k of ["log_history", "epoch", "max_steps", "logging_steps", "eval_steps", "save_steps", "train_batch_size", "num_train_epochs", "trial_name", "is_local_process_zero", "is_world_process_zero", "total_flos"]) {
    assert.ok(k in state, `trainer_state.json has ${k}`);
  }
  // load_best_model_at_end restored the step-8 weights.
  const now = [...trainer.model.namedParameters()].find(([k]) => k === "classifier.weight")![1];
  assert.deepEqual([...now.f32()], [...bestWeights!]);
});

test("early stopping stops after `patience` evaluations without improvement", async () => {
  const out = tempDir();
  const trainer = await demoTrainer(
    { output_dir: out, num_train_epochs: 10, learning_rate: 0, eval_strategy: "epoch", save_strategy: "no", metric_for_best_model: "accuracy", logging_steps: 100 },
    { callbacks: [new EarlyStoppingCallback({ early_stopping_patience: 2 })] },
  );
  await trainer.train();
  const evalsRun = trainer.state.log_history.filter((e) => "eval_accuracy" in e).length;
  assert.equal(evalsRun, 3, "the first evaluation sets the best, two more without improvement stop");
  assert.equal(trainer.state.epoch, 3);
  assert.ok(trainer.state.global_step < trainer.state.max_steps);
});

test("a non-finite loss stops training naming the step, before any weight update", async () => {
  const out = tempDir();
  const trainer = await demoTrainer({ output_dir: out, max_steps: 10, logging_steps: 100, save_strategy: "no" });
  const model = trainer.model;
  const forward = model.forward.bind(model);
  let calls = 0;
  model.forward = (inputs: ModelInputs) => {
    const outp = forward(inputs);
    return ++calls === 3 ? { ...outp, loss: outp.loss!.mul(Number.NaN) } : outp;
  };
  let snapshot: number[] = [];
  trainer.addCallback({ onStepEnd: () => { snapshot = [...([...model.namedParameters()][0][1] as Tensor).f32()]; } });
  await assert.rejects(trainer.train(), (err: Error) => {
    assert.ok(err instanceof NonFiniteLossError);
    assert.match(err.message, /the loss is NaN at step 3; training stopped before updating the weights/);
    return true;
  });
  assert.deepEqual([...([...model.namedParameters()][0][1] as Tensor).f32()], snapshot, "weights are those after step 2");
});

test("memory stays flat across steps; a JSONL log of every logged value is written", async () => {
  const out = tempDir();
  const trainer = await demoTrainer({ output_dir: out, max_steps: 30, logging_steps: 5, save_strategy: "no", gradient_accumulation_steps: 2 });
  const live: number[] = [];
  trainer.addCallback({ onStepEnd: () => { live.push(bufferCache.liveBytes); } });
  await trainer.train();
  assert.ok(live.slice(1).every((b) => b === live[1]), `live bytes drifted: ${live[1]} → ${live[live.length - 1]}`);
  const lines = fs.readFileSync(path.join(out, "trainer_log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => "loss" in l).length, 6);
  assert.ok(lines.every((l) => typeof l.step === "number" && typeof l.epoch === "number"));
  assert.ok("train_runtime" in lines[lines.length - 1]);
});

test("interrupted saves leave no half checkpoint: temporaries and incomplete folders are ignored", async () => {
  const out = tempDir();
  fs.mkdirSync(path.join(out, "checkpoint-99"));
  fs.mkdirSync(path.join(out, ".tmp-checkpoint-5-123"));
  assert.equal(getLastCheckpoint(out), null);
  // A fresh run refuses a non-empty folder unless told to overwrite it (issue 9: output-dir lock).
  const trainer = await demoTrainer({ output_dir: out, max_steps: 4, save_steps: 2, logging_steps: 2, overwrite_output_dir: true });
  await trainer.train();
  assert.ok(!fs.existsSync(path.join(out, ".tmp-checkpoint-5-123")));
  assert.equal(getLastCheckpoint(out), path.join(out, "checkpoint-4"));
});
