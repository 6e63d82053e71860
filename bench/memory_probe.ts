/**
 * Where a training step's memory goes: one configuration of the memory bench, printing at each
 * phase boundary VmRSS / VmHWM, V8's arrayBuffers, and the buffer cache's live / cached bytes.
 * Usage: node dist/bench/memory_probe.js '{"dir":..., "mode":"qlora", "gc":false, "optim":"adamw_torch", "steps":2, "seq":512}'
 */
import { readFileSync } from "node:fs";
import { LlamaForCausalLM, getPeftModel, scope, manualSeed, tensor, bufferCache, type Module } from "../src/index.js";
import { createOptimizerByName } from "../src/optim/index.js";

const MB = 1024 ** 2;
function kib(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}
export function phase(name: string): void {
  const s = bufferCache.stats();
  const mu = process.memoryUsage();
  console.log(`${name.padEnd(22)} rss ${(kib("VmRSS") / MB).toFixed(0).padStart(6)} hwm ${(kib("VmHWM") / MB).toFixed(0).padStart(6)} ab ${(mu.arrayBuffers / MB).toFixed(0).padStart(6)} heap ${(mu.heapUsed / MB).toFixed(0).padStart(5)} live ${(s.live_bytes / MB).toFixed(0).padStart(6)} peakLive ${(s.peak_live_bytes / MB).toFixed(0).padStart(6)} cached ${(s.cached_bytes / MB).toFixed(0).padStart(6)} evicted ${(s.evicted_bytes / MB).toFixed(0)}`);
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]);
  manualSeed(0);
  phase("start");
  const base = await LlamaForCausalLM.fromPretrained(job.dir, {
    quiet: true,
    ...(job.mode === "qlora" ? { quantization_config: { load_in_4bit: true, bnb_4bit_quant_type: "nf4", bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: "float32" } } : {}),
  });
  phase("loaded");
  const model: Module & { forward(i: object): { loss?: { backward(): void; item(): number } } } =
    job.mode === "full" ? base : getPeftModel(base, { peft_type: "LORA", task_type: "CAUSAL_LM", r: 16, lora_alpha: 32, target_modules: ["q_proj", "v_proj"], lora_dropout: 0 });
  base.gradientCheckpointing = job.gc;
  model.train();
  const opt = createOptimizerByName(job.optim, model.trainableParameters(), { lr: 1e-4, weight_decay: 0 });
  const V = base.config.vocab_size as number;
  const ids = Array.from({ length: job.seq }, (_, i) => (i * 7919 + 13) % V);
  for (let s = 0; s < job.steps; s++) {
    const t = performance.now();
    scope(() => {
      const out = model.forward({ input_ids: tensor([ids], { dtype: "int32" }), labels: tensor([ids], { dtype: "int32" }) });
      phase(`step${s} forward`);
      out.loss!.item();
      out.loss!.backward();
      phase(`step${s} backward`);
    });
    phase(`step${s} scope end`);
    opt.step();
    opt.zeroGrad();
    phase(`step${s} opt (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
