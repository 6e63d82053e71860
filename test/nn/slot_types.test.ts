// Model fields are typed by what any layer swapped into the slot offers (LinearLike,
// EmbeddingLike), not by the class the model built: after LoRA or a modules_to_save wrapper
// replaces a Linear, the field's type is still true. The @ts-expect-error lines are part of
// the test: `npm run build` fails if a field is typed Linear again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, manualSeed } from "../../src/index.js";
import { type LinearLike, Module, Linear, tieParameter } from "../../src/nn/index.js";
import { LlamaConfig, LlamaForSequenceClassification } from "../../src/models/index.js";
import { LoraLayer, ModulesToSaveWrapper, getPeftModel } from "../../src/peft/index.js";

function tinyLlama(): LlamaForSequenceClassification {
  manualSeed(0);
  return new LlamaForSequenceClassification(LlamaConfig.fromDict({
    vocab_size: 48, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2,
    max_position_embeddings: 32, pad_token_id: 0, num_labels: 3,
  }));
}

test("a LoRA layer and a modules_to_save wrapper fill LinearLike slots; the fields read them", () => {
  const model = tinyLlama();
  const q: LinearLike = model.model.layers.at(0).self_attn.q_proj;
  assert.ok(q instanceof Linear);
  // @ts-expect-error a slot promises forward(x), not a weight field: read it with param("weight")
  void model.score.weight;
  getPeftModel(model, { peft_type: "LORA", r: 2, target_modules: ["q_proj"], modules_to_save: ["score"] });
  const swapped = model.model.layers.at(0).self_attn.q_proj;
  assert.ok(swapped instanceof LoraLayer, "the field reads the registry: the LoRA layer is there");
  assert.ok(model.score instanceof ModulesToSaveWrapper);
  assert.deepEqual(model.score.forward(tensor([[1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]])).shape, [1, 3]);
  assert.deepEqual(model.forward({ input_ids: [[1, 2, 3]] }).logits.shape, [1, 3]);
});

test("modules_to_save refuses a module without forward, naming it", () => {
  const model = tinyLlama();
  model.addModule("holder", new Module());
  assert.throws(() => getPeftModel(model, { peft_type: "LORA", r: 2, target_modules: ["q_proj"], modules_to_save: ["holder"] }), /modules_to_save: "holder" \(Module\) has no forward/);
});

test("tieParameter registers a missing parameter or replaces the current one", () => {
  const a = new Linear(3, 2, { bias: false });
  const b = new Linear(3, 2);
  tieParameter(a, "bias", b.param("bias"));
  assert.equal(a.ownParameter("bias"), b.param("bias"));
  tieParameter(a, "weight", b.param("weight"));
  assert.equal(a.param("weight"), b.param("weight"));
});
