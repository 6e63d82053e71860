// A streamed causal-LM setup for the streaming tests: JSONL rows of text, a character-level
// "tokenizer" applied lazily with map, and a tiny random Llama (no dropout, so the data
// order alone decides the losses).
import * as fs from "node:fs";
import { manualSeed } from "../../src/tensor/index.js";
import { IterableDataset } from "../../src/data/stream.js";
import { DataCollatorForLanguageModeling } from "../../src/data/collators.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { Trainer } from "../../src/train/index.js";
const WORDS = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "park", "sun", "was", "warm"];
/** Writes `rows` JSONL lines { id, text }, each text padded to about `chars` characters. */
export function writeTextJsonl(file, rows, chars = 64) {
    const fd = fs.openSync(file, "w");
    let chunk = "";
    for (let i = 0; i < rows; i++) {
        let text = "";
        for (let k = 0; text.length < chars; k++)
            text += WORDS[(i * 7 + k * (i % 5 + 1)) % WORDS.length] + " ";
        chunk += JSON.stringify({ id: i, text: text.trim() }) + "\n";
        if (chunk.length > 1 << 20) {
            fs.writeSync(fd, chunk);
            chunk = "";
        }
    }
    fs.writeSync(fd, chunk);
    fs.closeSync(fd);
}
/** Characters → ids in [3, 32), cut at maxLength: enough of a tokenizer to learn from. */
export function charIds(text, maxLength) {
    return [...text.slice(0, maxLength)].map((c) => 3 + (c.charCodeAt(0) % 29));
}
export function streamedDataset(file, opts = {}) {
    return IterableDataset.fromFile(file)
        .map((r) => ({ input_ids: charIds(r.text, opts.maxLength ?? 16) }), { remove_columns: ["text", "id"] })
        .shuffle({ seed: opts.seed ?? 3, buffer_size: opts.buffer_size ?? 16 });
}
export function tinyLlama() {
    manualSeed(11);
    return new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 32, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 64 }));
}
export function streamTrainer(train, args, extra = {}) {
    return new Trainer({
        model: tinyLlama(),
        args: { per_device_train_batch_size: 4, learning_rate: 1e-2, seed: 5, save_strategy: "no", ...args },
        train_dataset: train,
        data_collator: new DataCollatorForLanguageModeling({ mlm: false, pad_token_id: 0 }),
        quiet: true,
        ...extra,
    });
}
//# sourceMappingURL=stream_helpers.js.map