// Gradient checkpointing switched on at the head, the one way every family works: the flag
// reaches every nested model and encoder stack (no forward argument carries it), a layer
// runs again in backward, and gradients equal those without checkpointing, with dropout on
// (the recomputation replays its masks). Disabling turns it off everywhere again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed } from "../../src/tensor/index.js";
import { BertConfig } from "../../src/models/bert/config.js";
import { BertForSequenceClassification } from "../../src/models/bert/heads.js";
import { RobertaConfig } from "../../src/models/roberta/config.js";
import { RobertaForSequenceClassification } from "../../src/models/roberta/modeling.js";
import { DistilBertConfig } from "../../src/models/distilbert/config.js";
import { DistilBertForSequenceClassification } from "../../src/models/distilbert/modeling.js";
import { GPT2Config } from "../../src/models/gpt2/config.js";
import { GPT2LMHeadModel, GPT2ForSequenceClassification } from "../../src/models/gpt2/modeling.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { T5Config } from "../../src/models/t5/config.js";
import { T5ForConditionalGeneration, T5Model } from "../../src/models/t5/modeling.js";
import { gradients } from "./contract.js";
const encoderBatch = { input_ids: [[5, 9, 11, 3, 4, 2], [7, 8, 2, 6, 0, 0]], attention_mask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], labels: [1, 0] };
const lmBatch = { input_ids: [[5, 9, 11, 3, 4, 2], [7, 8, 2, 6, 0, 0]], attention_mask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], labels: [[5, 9, 11, 3, 4, 2], [7, 8, 2, 6, -100, -100]] };
const bert = { vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16 };
const cases = [
    {
        name: "BERT", batch: encoderBatch,
        build: () => new BertForSequenceClassification(BertConfig.fromDict(bert)),
        layer: (m) => m.bert.encoder.layer.at(1),
    },
    {
        name: "RoBERTa", batch: encoderBatch,
        build: () => new RobertaForSequenceClassification(RobertaConfig.fromDict({ ...bert, max_position_embeddings: 20 })),
        layer: (m) => m.roberta.encoder.layer.at(0),
    },
    {
        name: "DistilBERT", batch: encoderBatch,
        build: () => new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ vocab_size: 40, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 32, max_position_embeddings: 12 })),
        layer: (m) => m.distilbert.transformer.layer.at(1),
    },
    {
        name: "GPT-2 (LM head)", batch: lmBatch,
        build: () => new GPT2LMHeadModel(GPT2Config.fromDict({ vocab_size: 40, n_embd: 16, n_head: 2, n_layer: 2, n_positions: 16, pad_token_id: 0 })),
        layer: (m) => m.transformer.h.at(1),
    },
    {
        name: "GPT-2 (sequence classification)", batch: encoderBatch,
        build: () => new GPT2ForSequenceClassification(GPT2Config.fromDict({ vocab_size: 40, n_embd: 16, n_head: 2, n_layer: 2, n_positions: 16, pad_token_id: 0 })),
        layer: (m) => m.transformer.h.at(0),
    },
    {
        name: "Llama", batch: lmBatch,
        build: () => new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, attention_dropout: 0.1 })),
        layer: (m) => m.model.layers.at(1),
    },
    {
        name: "T5", batch: { input_ids: lmBatch.input_ids, attention_mask: lmBatch.attention_mask, labels: [[9, 10, 11, 1], [12, 1, -100, -100]] },
        build: () => new T5ForConditionalGeneration(T5Config.fromDict({ vocab_size: 24, d_model: 8, d_kv: 4, d_ff: 12, num_layers: 2, num_heads: 2, relative_attention_num_buckets: 8, dropout_rate: 0.1 })),
        layer: (m) => m.encoder.block.at(1),
    },
];
/** Every module inside that holds a gradientCheckpointing flag, by path. */
function flags(model) {
    const out = new Map();
    for (const [p, m] of model.namedModules()) {
        const flag = m.gradientCheckpointing;
        if (typeof flag === "boolean")
            out.set(p, flag);
    }
    return out;
}
for (const c of cases) {
    test(`${c.name}: gradientCheckpointingEnable() on the head checkpoints every layer, same gradients`, () => {
        manualSeed(1);
        const model = c.build();
        const layer = c.layer(model);
        const original = layer.forward;
        let calls = 0;
        layer.forward = function (...a) {
            calls++;
            return original.apply(this, a);
        };
        // Seeded per forward so both runs draw the same dropout masks.
        const run = () => gradients(model, c.batch, (b) => (manualSeed(9), model.forward(b)));
        const plain = run();
        assert.equal(calls, 1, "without checkpointing the layer runs once");
        assert.ok([...flags(model).values()].every((f) => !f));
        model.gradientCheckpointingEnable();
        const holders = flags(model);
        assert.ok(holders.size >= 2, `expected the head and an inner stack to hold the flag, got ${[...holders.keys()].join(", ")}`);
        for (const [p, f] of holders)
            assert.equal(f, true, `gradientCheckpointing did not reach "${p || "(root)"}"`);
        calls = 0;
        const ckpt = run();
        assert.equal(calls, 2, "with checkpointing the layer must run again in backward");
        assert.deepEqual([...ckpt.keys()].sort(), [...plain.keys()].sort(), "checkpointing changed which parameters get a gradient");
        for (const [name, g] of plain) {
            const k = ckpt.get(name);
            for (let i = 0; i < g.length; i++)
                assert.ok(Math.abs(g[i] - k[i]) <= 1e-6 + 1e-5 * Math.abs(g[i]), `${name}[${i}]: ${k[i]} with checkpointing, ${g[i]} without`);
        }
        model.gradientCheckpointingDisable();
        for (const [p, f] of flags(model))
            assert.equal(f, false, `gradientCheckpointingDisable left "${p || "(root)"}" on`);
        calls = 0;
        run();
        assert.equal(calls, 1, "after disabling the layer runs once again");
        layer.forward = original;
    });
}
test("the gradientCheckpointing setter reaches both T5 stacks of T5Model; eval mode never checkpoints", () => {
    const model = new T5Model(T5Config.fromDict({ vocab_size: 24, d_model: 8, d_kv: 4, d_ff: 12, num_layers: 1, num_heads: 2 }));
    model.gradientCheckpointing = true;
    assert.equal(model.encoder.gradientCheckpointing, true);
    assert.equal(model.decoder.gradientCheckpointing, true);
    model.eval();
    const block = model.decoder.block.at(0);
    const original = block.forward;
    let calls = 0;
    block.forward = function (...a) {
        calls++;
        return original.apply(this, a);
    };
    const out = model.forward({ input_ids: [[3, 4, 5]], decoder_input_ids: [[0, 9]] });
    out.last_hidden_state.sum().backward();
    assert.equal(calls, 1, "eval mode must not recompute");
    block.forward = original;
});
//# sourceMappingURL=gradient_checkpointing.test.js.map