import { test } from "node:test";
import assert from "node:assert/strict";
import { TrainingArguments, TrainingArgumentsError, nearestName } from "../../src/train/index.js";

test("defaults are Hugging Face's", () => {
  const a = new TrainingArguments({ output_dir: "out" });
  assert.equal(a.learning_rate, 5e-5);
  assert.equal(a.num_train_epochs, 3);
  assert.equal(a.per_device_train_batch_size, 8);
  assert.equal(a.max_steps, -1);
  assert.equal(a.lr_scheduler_type, "linear");
  assert.equal(a.adam_epsilon, 1e-8);
  assert.equal(a.max_grad_norm, 1);
  assert.equal(a.logging_steps, 500);
  assert.equal(a.save_strategy, "steps");
  assert.equal(a.eval_strategy, "no");
  assert.equal(a.seed, 42);
  assert.equal(a.optim, "adamw_torch");
});

test("evaluation_strategy is the older name of eval_strategy; derived defaults follow HF", () => {
  const a = new TrainingArguments({ evaluation_strategy: "steps", logging_steps: 10, load_best_model_at_end: true, save_steps: 20 });
  assert.equal(a.eval_strategy, "steps");
  assert.equal(a.eval_steps, 10, "eval_steps defaults to logging_steps");
  assert.equal(a.metric_for_best_model, "loss");
  assert.equal(a.greater_is_better, false);
  assert.equal(new TrainingArguments({ metric_for_best_model: "accuracy" }).greater_is_better, true);
});

test("unknown keys suggest the nearest name; every problem is reported at once", () => {
  // As a YAML file would give them: untyped.
  const typos: Record<string, unknown> = { learning_rte: 1e-4, num_train_epoch: 2, per_device_train_batch_size: 0, lr_scheduler_type: "cosin", eval_strategy: "epoch", load_best_model_at_end: true, save_strategy: "steps" };
  assert.throws(
    () => new TrainingArguments(typos),
    (err: Error) => {
      assert.ok(err instanceof TrainingArgumentsError);
      assert.equal(err.problems.length, 5, err.message);
      assert.match(err.message, /unknown key "learning_rte"; did you mean "learning_rate"\?/);
      assert.match(err.message, /unknown key "num_train_epoch"; did you mean "num_train_epochs"\?/);
      assert.match(err.message, /per_device_train_batch_size must be a positive integer, got 0/);
      assert.match(err.message, /lr_scheduler_type must be one of linear, cosine/);
      assert.match(err.message, /requires save_strategy to match eval_strategy, but they are "steps" and "epoch"/);
      return true;
    },
  );
  assert.throws(() => new TrainingArguments({ eval_strategy: "steps", eval_steps: 30, save_steps: 50, load_best_model_at_end: true }), /save_steps to be a multiple of eval_steps, but they are 50 and 30/);
  assert.equal(nearestName("zzzzzzzzzz", ["learning_rate"]), null);
});

test("GPU-only and reporting keys from a pasted Python config are accepted and ignored; only those asking for something are reported", () => {
  const off = new TrainingArguments({ fp16: false, report_to: "none", logging_dir: "logs", do_train: true, push_to_hub: false });
  assert.deepEqual(off.ignoredKeys, [], "report_to: none, fp16: false, do_train: nothing to warn about");
  const on = new TrainingArguments({ fp16: true, report_to: ["wandb"], logging_dir: "logs", torch_compile: true });
  assert.deepEqual(on.ignoredKeys, ["fp16", "report_to", "torch_compile"]);
});
