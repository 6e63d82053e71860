// What a step holds (buffer cache live bytes): each layer runs in its own scope and each op's
// backward in its own, so saved activations go as backward reads them, inference holds about
// one layer's temporaries whatever the depth, and gradient checkpointing lowers the peak.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bufferCache, manualSeed, noGrad, scope, tensor } from "../../src/index.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";

const B = 2, T = 64;
function build(layers: number): LlamaForCausalLM {
  manualSeed(0);
  const m = new LlamaForCausalLM(LlamaConfig.fromDict({
    vocab_size: 96, hidden_size: 64, intermediate_size: 176, num_hidden_layers: layers, num_attention_heads: 4,
    num_key_value_heads: 2, max_position_embeddings: 128,
  }));
  m.train();
  return m;
}
const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 31 + t * 7) % 96));

/** Peak live bytes above the start while fn runs in a step scope, and live bytes above the start where fn says. */
function measure(fn: (mark: () => void) => void): { peak: number; marked: number } {
  const start = bufferCache.liveBytes;
  bufferCache.resetPeak();
  let marked = NaN;
  scope(() => fn(() => (marked = bufferCache.liveBytes - start)));
  return { peak: bufferCache.peakLiveBytes - start, marked };
}

function step(m: LlamaForCausalLM, mark: () => void): void {
  const out = m.forward({ input_ids: tensor(ids, { dtype: "int32" }), labels: tensor(ids, { dtype: "int32" }) });
  out.loss!.backward();
  mark();
}

test("after backward, still inside the step's scope, the saved activations are gone, whatever the depth", () => {
  const after = (layers: number) => {
    const m = build(layers);
    measure((mark) => step(m, mark)); // the first step allocates the parameters' gradients
    return measure((mark) => step(m, mark));
  };
  const two = after(2), eight = after(8);
  assert.ok(eight.peak > two.peak * 2, `8 layers hold more activations at the peak (${eight.peak} vs ${two.peak} bytes)`);
  assert.ok(eight.marked <= two.marked * 1.1 + 4096, `left after backward: ${eight.marked} bytes with 8 layers vs ${two.marked} with 2`);
});

test("inference under noGrad holds about one layer's temporaries, whatever the depth", () => {
  const peakFor = (layers: number) => {
    const m = build(layers);
    m.eval();
    return measure(() => noGrad(() => m.forward({ input_ids: tensor(ids, { dtype: "int32" }) }))).peak;
  };
  const two = peakFor(2), eight = peakFor(8);
  assert.ok(eight <= two * 1.1, `peak live with 8 layers ${eight} vs 2 layers ${two}: intermediates of finished layers were kept`);
});

test("gradient checkpointing lowers a step's peak, and its recomputation is freed layer by layer", () => {
  const peak = (gc: boolean) => {
    const m = build(12);
    m.gradientCheckpointing = gc;
    measure((mark) => step(m, mark)); // the first step allocates the parameters' gradients
    return measure((mark) => step(m, mark)).peak;
  };
  const without = peak(false), withGc = peak(true);
  assert.ok(withGc < without * 0.5, `peak with checkpointing ${withGc} vs without ${without}`);
});
