import { test } from "node:test";
import assert from "node:assert/strict";
import { ProgressCallback, TrainerControl, TrainerState, TrainingArguments } from "../../src/train/index.js";
import { batchOrder } from "../../src/train/batching.js";
function fakeStream(isTTY) {
    const chunks = [];
    return { isTTY, columns: 200, write: (s) => chunks.push(s), chunks };
}
test("progress: a live bar on a TTY (step, epoch, loss, lr, it/s, ETA); plain lines otherwise", () => {
    const args = new TrainingArguments({ output_dir: "x" });
    const state = Object.assign(new TrainerState(), { max_steps: 10, global_step: 3, epoch: 0.3 });
    const tty = fakeStream(true);
    const bar = new ProgressCallback({ stream: tty });
    bar.onTrainBegin(args, state);
    bar.onStepEnd(args, state, new TrainerControl(), { live: { loss: 0.6931, learning_rate: 5e-5 } });
    assert.match(tty.chunks.join(""), /\r\x1b\[2K.*3\/10 \| epoch 0\.30 \| loss 0\.6931 \| lr 5\.00e-5 \| [\d.]+ it\/s \| ETA /);
    const plain = fakeStream(false);
    const lines = new ProgressCallback({ stream: plain });
    lines.onTrainBegin(args, state);
    lines.onStepEnd(args, state, new TrainerControl(), { live: { loss: 1, learning_rate: 1 } });
    assert.equal(plain.chunks.length, 0, "no bar when not a terminal");
    lines.onLog(args, state, new TrainerControl(), { logs: { loss: 0.5, learning_rate: 1e-4 } });
    assert.match(plain.chunks.join(""), /^step 3\/10 \| epoch 0\.30 \| loss 0\.5000 \| learning_rate 1\.000e-4/);
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
//# sourceMappingURL=progress.test.js.map