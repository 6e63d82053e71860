import { test } from "node:test";
import assert from "node:assert/strict";
import { Dataset } from "../../src/data/dataset.js";
import { DataCollatorForLanguageModeling } from "../../src/data/collators.js";
import { noGrad } from "../../src/tensor/index.js";
import { Trainer } from "../../src/train/index.js";
import { trainingLoss } from "../../src/train/loss.js";
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
