import { test } from "node:test";
import assert from "node:assert/strict";
import { Dataset } from "../../src/data/dataset.js";
import { DataCollatorForLanguageModeling } from "../../src/data/collators.js";
import { noGrad } from "../../src/tensor/index.js";
import { Trainer } from "../../src/train/index.js";
import { trainingLoss } from "../../src/train/loss.js";
import { getPeftModel } from "../../src/peft/index.js";
import { tinyLlama } from "./stream_helpers.js";
import { tempDir } from "./helpers.js";

// Eval and predict must score a batch with the loss training minimises (HF's compute_loss,
// label smoother included): on the training batch in eval mode the two numbers are one.
test("eval_loss and test_loss equal the label-smoothed training loss of a causal LM on the same batch", () => {
  const rows = [
    { input_ids: [3, 7, 9, 4, 12, 5, 8] },
    { input_ids: [6, 10, 3, 3, 11] },
    { input_ids: [4, 4, 9, 14, 2, 20, 7, 19] },
  ];
  const data = new Dataset(rows);
  const collator = new DataCollatorForLanguageModeling({ mlm: false, pad_token_id: 0 });
  const model = tinyLlama();
  const trainer = new Trainer({
    model, args: { per_device_eval_batch_size: rows.length, label_smoothing_factor: 0.2, save_strategy: "no", output_dir: tempDir() },
    eval_dataset: data, data_collator: collator, quiet: true,
  });

  model.eval();
  const expected = noGrad(() => trainingLoss(model, collator.collate(rows), 0.2).item());
  const unsmoothed = noGrad(() => trainingLoss(model, collator.collate(rows), 0).item());
  model.train();
  assert.ok(Math.abs(expected - unsmoothed) > 1e-3, `smoothing should change the loss (${expected} vs ${unsmoothed})`);

  const evalLoss = trainer.evaluate().eval_loss;
  assert.ok(Math.abs(evalLoss - expected) < 1e-6, `eval_loss ${evalLoss} != training loss ${expected}`);
  const testLoss = trainer.predict(data).metrics.test_loss;
  assert.ok(Math.abs(testLoss - expected) < 1e-6, `test_loss ${testLoss} != training loss ${expected}`);
});

// A PEFT wrapper is the model it wraps as far as the loss goes: LoRA starts with B = 0, so the
// wrapped and the bare causal LM hold identical weights and must score a batch identically —
// the smoothed loss shifted by one position, and perplexity over the shifted tokens (batches of
// one row of different lengths, so the per-batch weights differ between the two counts).
function bareAndWrapped() {
  const rows = [
    { input_ids: [3, 7, 9, 4, 12, 5, 8] },
    { input_ids: [6, 10, 3, 3, 11] },
  ];
  const collator = new DataCollatorForLanguageModeling({ mlm: false, pad_token_id: 0 });
  const base = tinyLlama();
  const wrapped = getPeftModel(tinyLlama(), { peft_type: "LORA", r: 2, target_modules: ["q_proj", "v_proj"], task_type: "CAUSAL_LM" });
  wrapped.model.loadStateDict(base.stateDict(), { strict: false });
  base.eval();
  wrapped.eval();
  return { rows, collator, base, wrapped };
}

test("a PEFT-wrapped causal LM minimises the shifted label-smoothed loss, as the bare model does", () => {
  const { rows, collator, base, wrapped } = bareAndWrapped();
  assert.equal(wrapped.taskKind, "causal-lm");
  const smoothed = (m: typeof base | typeof wrapped) => noGrad(() => trainingLoss(m, collator.collate(rows), 0.1).item());
  assert.ok(Number.isFinite(smoothed(base)));
  assert.ok(Math.abs(smoothed(wrapped) - smoothed(base)) < 1e-6, `PEFT loss ${smoothed(wrapped)} != base loss ${smoothed(base)}`);
});

test("eval_perplexity of a PEFT-wrapped causal LM counts the shifted tokens, as the bare model's does", () => {
  const { rows, collator, base, wrapped } = bareAndWrapped();
  const perplexity = (model: typeof base | typeof wrapped) =>
    new Trainer({
      model, args: { per_device_eval_batch_size: 1, save_strategy: "no", output_dir: tempDir() },
      eval_dataset: new Dataset(rows), data_collator: collator, quiet: true, report_perplexity: true,
    }).evaluate().eval_perplexity;
  const expected = perplexity(base);
  assert.ok(Number.isFinite(expected) && expected > 1);
  assert.ok(Math.abs(perplexity(wrapped) - expected) < 1e-4 * expected, `PEFT perplexity ${perplexity(wrapped)} != base ${expected}`);
});
