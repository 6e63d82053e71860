/**
 * One memory-bench configuration in its own process (so peak RSS is this configuration's):
 * load the checkpoint (float32, or 4-bit while loading), wrap it (full / LoRA), run training
 * steps on batch 1 x seq random tokens, print one JSON line with peak RSS and step times.
 * Usage: node dist/bench/memory_child.js '{"dir":..., "mode":"qlora", "gc":true, "optim":"adamw_8bit", "steps":3, "seq":512}'
 */
import { readFileSync } from "node:fs";
import { LlamaForCausalLM, getPeftModel, scope, manualSeed, tensor, bufferCache, type Module } from "../src/index.js";
import { createOptimizerByName } from "../src/optim/index.js";

interface Job {
  dir: string;
  mode: "full" | "lora" | "qlora";
  gc: boolean;
  optim: string;
  steps: number;
  seq: number;
  r?: number;
}

function kib(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  manualSeed(0);
  const t0 = performance.now();
  const base = await LlamaForCausalLM.fromPretrained(job.dir, {
    quiet: true,
    ...(job.mode === "qlora" ? { quantization_config: { load_in_4bit: true, bnb_4bit_quant_type: "nf4", bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: "float32" } } : {}),
  });
  const loadSeconds = (performance.now() - t0) / 1000;
  const rssAfterLoad = kib("VmRSS");
  const hwmAfterLoad = kib("VmHWM");
  const model: Module & { forward(i: object): { loss?: { backward(): void; item(): number } } } =
    job.mode === "full" ? base : getPeftModel(base, { peft_type: "LORA", task_type: "CAUSAL_LM", r: job.r ?? 16, lora_alpha: 2 * (job.r ?? 16), target_modules: ["q_proj", "v_proj"], lora_dropout: 0 });
  base.gradientCheckpointing = job.gc;
  model.train();
  const params = model.trainableParameters();
  const opt = createOptimizerByName(job.optim, params, { lr: 1e-4, weight_decay: 0 });
  const V = base.config.vocab_size as number;
  const ids = Array.from({ length: job.seq }, (_, i) => (i * 7919 + 13) % V);
  const times: number[] = [];
  let loss = NaN;
  for (let s = 0; s < job.steps; s++) {
    const t = performance.now();
    scope(() => {
      const out = model.forward({ input_ids: tensor([ids], { dtype: "int32" }), labels: tensor([ids], { dtype: "int32" }) });
      loss = out.loss!.item();
      out.loss!.backward();
    });
    opt.step();
    opt.zeroGrad();
    times.push((performance.now() - t) / 1000);
  }
  const steady = times.length > 1 ? times.slice(1) : times;
  console.log(JSON.stringify({
    ...job,
    trainable: params.reduce((n, p) => n + p.numel, 0),
    load_s: loadSeconds,
    rss_after_load: rssAfterLoad,
    hwm_after_load: hwmAfterLoad,
    cache: (({ live_bytes, peak_live_bytes, cached_bytes, limit_bytes, hits, misses }) => ({ live_bytes, peak_live_bytes, cached_bytes, limit_bytes, hits, misses }))(bufferCache.stats()),
    peak_rss: kib("VmHWM"),
    step_s: steady.reduce((a, b) => a + b, 0) / steady.length,
    first_step_s: times[0],
    loss,
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
