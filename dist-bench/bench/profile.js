/**
 * `node dist/bench/profile.js [bert|llama|lora] [threads]`: where one training step of a
 * bench model spends its time, per native kernel, and what is left for TypeScript
 * (autograd, scopes, allocation). Wraps every function of the native kernel table with a
 * timer, so it measures what the ops ask the kernels for, shapes included.
 */
import { AdamW, noGrad, scope, setNumThreads } from "../src/index.js";
import { native } from "../src/tensor/native.js";
import { table } from "./common.js";
import { TRAIN_CASES, bertModel, llamaModel } from "./train_step.js";
const which = process.argv[2] ?? "llama";
const threads = Number(process.argv[3] ?? 1);
const c = TRAIN_CASES[{ bert: 0, llama: 1, lora: 2 }[which] ?? 1];
setNumThreads(threads);
const stats = new Map();
/** GEMM time by shape: "tA tB M N K xbatch" -> calls, ms, flops. */
const gemms = new Map();
const table_ = native();
for (const [name, fn] of Object.entries(table_)) {
    if (typeof fn !== "function" || name === "numThreads")
        continue;
    table_[name] = (...args) => {
        const t0 = performance.now();
        const r = fn(...args);
        const s = stats.get(name) ?? { calls: 0, ms: 0 };
        s.calls++;
        const ms = performance.now() - t0;
        s.ms += ms;
        stats.set(name, s);
        if (name === "copyStrided") {
            const [, , shape, strides] = args;
            const key = `copy [${shape.join(",")}] strides [${strides.join(",")}]`;
            const g = gemms.get(key) ?? { calls: 0, ms: 0, flops: 0 };
            g.calls++;
            g.ms += ms;
            gemms.set(key, g);
        }
        if (name === "gemm") {
            const [tA, tB, M, N, K] = args;
            const batch = args[17];
            const key = `${tA ? "T" : "N"}${tB ? "T" : "N"} M=${M} N=${N} K=${K}${batch > 1 ? ` x${batch}` : ""}`;
            const g = gemms.get(key) ?? { calls: 0, ms: 0, flops: 0 };
            g.calls++;
            g.ms += ms;
            g.flops += 2 * M * N * K * batch;
            gemms.set(key, g);
        }
        return r;
    };
}
const model = c.model === "bert" ? bertModel(c.config, c.B, c.T) : llamaModel(c.config, c.B, c.T);
const opt = new AdamW(model.trainable, { lr: c.lr });
const step = () => scope(() => {
    model.loss(true).backward();
    opt.step();
    opt.zeroGrad();
});
step();
noGrad(() => undefined);
const steps = 4;
stats.clear();
gemms.clear();
const t0 = performance.now();
for (let i = 0; i < steps; i++)
    step();
const total = (performance.now() - t0) / steps;
const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((s, [, v]) => s + v.ms, 0) / steps;
console.log(`${c.name}, ${c.B}x${c.T}, ${threads} thread(s): ${total.toFixed(1)} ms/step, of which native kernels ${kernelMs.toFixed(1)} ms, TypeScript ${(total - kernelMs).toFixed(1)} ms\n`);
console.log(table(["kernel", "calls/step", "ms/step", "share"], rows.map(([k, v]) => [k, v.calls / steps, (v.ms / steps).toFixed(2), `${((100 * v.ms) / steps / total).toFixed(1)}%`])));
console.log("\nGEMM and strided copies by shape (GEMM: op(A) is M x K, op(B) is K x N; N/T = as stored / transposed):\n");
const g = [...gemms.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(table(["gemm", "calls/step", "ms/step", "GFLOP/s"], g.map(([k, v]) => [k, v.calls / steps, (v.ms / steps).toFixed(2), v.flops ? (v.flops / v.ms / 1e6).toFixed(1) : "-"])));
//# sourceMappingURL=profile.js.map