// Packing for causal-LM training: tokenized examples (each ending with EOS) are concatenated
// and cut into max_length blocks whose labels are the input ids; the streamed packer cuts
// the same blocks as the in-memory one.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { Dataset } from "../../src/data/dataset.js";
import { BadRowLog } from "../../src/data/bad_rows.js";
import { IterableDataset } from "../../src/data/stream.js";
import { encodeCausalLm, pack, packStream } from "../../src/data/formats/causal_lm.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
const STORIES = path.join(datasetsDir, "stories260k", "hf");
test("packing concatenates examples with EOS and cuts max_length blocks; labels = input ids", { skip: skipIfMissing(STORIES) }, async () => {
    const tok = await AutoTokenizer.fromPretrained(STORIES);
    const texts = ["Once upon a time there was a cat.", "Tom ran to the park.", "The sun was warm.", "Lily smiled."];
    const ds = Dataset.fromList(texts.map((text) => ({ text })));
    const packed = encodeCausalLm(ds, tok, { packing: true, max_length: 8 }, new BadRowLog());
    const stream = texts.flatMap((t) => [...tok.encode(t), tok.eos_token_id]);
    assert.equal(stream.filter((t) => t === 2).length, 4, "every example ends with EOS");
    assert.equal(packed.length, Math.ceil(stream.length / 8));
    assert.deepEqual(packed.rows.flatMap((r) => r.input_ids), stream);
    for (const r of packed.rows) {
        assert.deepEqual(r.labels, r.input_ids);
        assert.deepEqual(r.attention_mask, r.input_ids.map(() => 1));
    }
    assert.ok(packed.rows.slice(0, -1).every((r) => r.input_ids.length === 8));
});
test("packStream cuts the same blocks as pack, and keeps prompt masking in the labels", async () => {
    const rows = Array.from({ length: 9 }, (_, i) => {
        const ids = Array.from({ length: 3 + (i % 4) }, (_, k) => 10 + i * 10 + k);
        return { input_ids: ids, labels: ids.map((t, k) => (k === 0 ? -100 : t)) };
    });
    const inMemory = pack(Dataset.fromList(rows), 5).rows;
    const streamed = await packStream(IterableDataset.fromList(rows), 5).toList();
    assert.deepEqual(streamed, inMemory);
    assert.equal(inMemory.at(-1).input_ids instanceof Array, true);
    assert.ok(inMemory.flatMap((r) => r.labels).filter((l) => l === -100).length === 9);
});
//# sourceMappingURL=packing.test.js.map