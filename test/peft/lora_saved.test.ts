// A LoRA layer keeps, for backward, only what its own gradients need: the (dropped-out) input
// for lora_A's weight gradient and the (N, r) product for lora_B's. The frozen base weight
// gets no gradient, so its linear saves no activation (only the weight itself, a parameter).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, randn, manualSeed } from "../../src/tensor/index.js";
import type { GraphNode } from "../../src/tensor/autograd.js";
import { Linear } from "../../src/nn/index.js";
import { LoraLayer } from "../../src/peft/index.js";

function savedActivationBytes(out: Tensor): { bytes: number; ops: string[] } {
  const seen = new Set<GraphNode>();
  const stack = out.gradFn ? [out.gradFn] : [];
  let bytes = 0;
  const ops: string[] = [];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const t of node.savedTensors) {
      if (t.persistent) continue; // parameters and kept tensors: not activations
      bytes += t.numel * 4;
      ops.push(node.def.name);
    }
    for (const input of node.inputs) if (input.gradFn) stack.push(input.gradFn);
  }
  return { bytes, ops };
}

test("a LoRA layer saves the input for lora_A and the rank-r product for lora_B, nothing for the frozen base", () => {
  manualSeed(0);
  const N = 6, inF = 32, outF = 24, r = 4;
  const layer = new LoraLayer(new Linear(inF, outF));
  layer.updateLayer("default", { r, alpha: r, dropout: 0, init: "gaussian", useRslora: false, useDora: false });
  layer.setAdapter(["default"], true);
  const x = randn([N, inF]).setRequiresGrad(true);
  const { bytes, ops } = savedActivationBytes(layer.forward(x));
  assert.equal(bytes, (N * inF + N * r) * 4, `saved by ${ops.join(", ")}`);
  // Base and adapter run as one fused op (loraLinear).
  assert.deepEqual(ops.sort(), ["lora_linear", "lora_linear"]);
});
