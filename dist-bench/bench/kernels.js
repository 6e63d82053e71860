/**
 * Kernel rows: each op of a transformer step at the shapes a BERT-base / small Llama
 * fine-tune runs, through the public ops (so the TypeScript around each kernel is timed
 * too), beside the same computation in torch.
 */
import { AdamW, Tensor, crossEntropy, dropout, embedding, gelu, layerNorm, noGrad, ones, randn, rmsNorm, scaledDotProductAttention, scope, setNumThreads, silu, softmax, zeros, } from "../src/index.js";
import { clearGrads, compare, fmtMs, fmtRatio, table } from "./common.js";
/** The key padding mask torch_ref.py's padding_mask builds: row i drops its last (37 i) mod T/2 keys. */
export function paddingMask(B, T) {
    const m = new Float32Array(B * T).fill(1);
    for (let i = 0; i < B; i++) {
        const pad = (i * 37) % (T / 2);
        for (let t = T - pad; t < T; t++)
            m[i * T + t] = 0;
    }
    return Tensor.fromTypedArray(m, [B, T]).keep();
}
function leaf(t, grad = true) {
    return t.keep().setRequiresGrad(grad);
}
/** fn's output, forward only or forward + backward of a fixed gradient (then grads cleared). */
function fwdOrBwd(mode, inputs, fn) {
    if (mode === "fwd")
        return { run: () => noGrad(() => scope(() => void fn())), inputs };
    const dy = scope(() => noGrad(() => randn(fn().shape).keep()));
    return {
        run: () => {
            scope(() => fn().backward(dy));
            clearGrads(inputs);
        },
        inputs: [...inputs, dy],
    };
}
const B = 8, H = 12, T = 128, D = 64;
function cases() {
    const list = [];
    for (const mode of ["fwd", "fwdbwd"]) {
        const label = mode === "fwd" ? "fwd" : "fwd+bwd";
        list.push({
            name: `softmax ${label} (${B * H * T} rows x ${T})`,
            job: { kind: "softmax", N: B * H * T, C: T, mode },
            setup: () => {
                const x = leaf(randn([B * H * T, T]));
                return fwdOrBwd(mode, [x], () => softmax(x, -1));
            },
        });
    }
    for (const mode of ["fwd", "fwdbwd"]) {
        const label = mode === "fwd" ? "fwd" : "fwd+bwd";
        list.push({
            name: `layerNorm ${label} (1024 x 768)`,
            job: { kind: "layer_norm", N: 1024, C: 768, mode },
            setup: () => {
                const x = leaf(randn([1024, 768])), w = leaf(ones([768])), b = leaf(zeros([768]));
                return fwdOrBwd(mode, [x, w, b], () => layerNorm(x, 768, w, b, 1e-12));
            },
        });
    }
    list.push({
        name: "rmsNorm fwd+bwd (512 x 512; torch: HF LlamaRMSNorm)",
        job: { kind: "rms_norm", N: 512, C: 512, mode: "fwdbwd" },
        setup: () => {
            const x = leaf(randn([512, 512])), w = leaf(ones([512]));
            return fwdOrBwd("fwdbwd", [x, w], () => rmsNorm(x, w));
        },
    });
    for (const mask of ["causal", "padding"]) {
        for (const mode of ["fwd", "fwdbwd"]) {
            const label = mode === "fwd" ? "fwd" : "fwd+bwd";
            const ref = mask === "causal" ? "GPT-2 _attn" : "BERT self-attn";
            list.push({
                name: `attention ${mask} ${label} (${B}x${H}x${T}x${D}; torch: ${ref})`,
                job: { kind: "attention", B, H, T, D, mask, mode },
                setup: () => {
                    const [q, k, v] = [0, 1, 2].map(() => leaf(randn([B, H, T, D])));
                    const m = mask === "padding" ? paddingMask(B, T) : null;
                    const r = fwdOrBwd(mode, [q, k, v], () => scaledDotProductAttention(q, k, v, mask === "causal" ? { isCausal: true } : { keyPaddingMask: m }));
                    return { run: r.run, inputs: m ? [...r.inputs, m] : r.inputs };
                },
            });
        }
    }
    list.push({
        name: "crossEntropy fwd+bwd (1024 x 32000)",
        job: { kind: "cross_entropy", N: 1024, V: 32000 },
        setup: () => {
            const logits = leaf(randn([1024, 32000]));
            const target = Tensor.fromTypedArray(Int32Array.from({ length: 1024 }, (_, i) => (i * 7919) % 32000), [1024]).keep();
            return {
                run: () => {
                    scope(() => crossEntropy(logits, target).backward());
                    clearGrads([logits]);
                },
                inputs: [logits, target],
            };
        },
    });
    const n = 1024 * 3072;
    for (const op of ["gelu", "silu"]) {
        for (const mode of ["fwd", "fwdbwd"]) {
            list.push({
                name: `${op} ${mode === "fwd" ? "fwd" : "fwd+bwd"} (1024 x 3072)`,
                job: { kind: "unary", op, n, mode },
                setup: () => {
                    const x = leaf(randn([n]));
                    return fwdOrBwd(mode, [x], () => (op === "gelu" ? gelu(x) : silu(x)));
                },
            });
        }
    }
    list.push({
        name: "dropout p=0.1 fwd+bwd (1024 x 768)",
        job: { kind: "dropout", n: 1024 * 768, p: 0.1 },
        setup: () => {
            const x = leaf(randn([1024 * 768]));
            return fwdOrBwd("fwdbwd", [x], () => dropout(x, 0.1, true));
        },
    });
    list.push({
        name: "embedding fwd+bwd (1024 ids, 30522 x 768 table)",
        job: { kind: "embedding", V: 30522, C: 768, N: 1024 },
        setup: () => {
            const w = leaf(randn([30522, 768]));
            const ids = Tensor.fromTypedArray(Int32Array.from({ length: 1024 }, (_, i) => (i * 7919) % 30522), [1024]).keep();
            const r = fwdOrBwd("fwdbwd", [w], () => embedding(ids, w));
            return { run: r.run, inputs: [...r.inputs, ids] };
        },
    });
    const sizes = adamwSizes();
    const total = sizes.reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
    list.push({
        name: `AdamW step (${(total / 1e6).toFixed(1)}M params in ${sizes.length} tensors)`,
        job: { kind: "adamw", sizes },
        setup: () => {
            const params = sizes.map((s) => leaf(randn(s, { std: 0.02 })));
            for (const p of params)
                p.grad = randn(p.shape, { std: 1e-3 }).keep();
            const opt = new AdamW(params, { lr: 1e-3, weight_decay: 0.01 });
            return { run: () => opt.step(), inputs: params, free: () => opt.dispose() };
        },
    });
    return list;
}
/** A BERT-like mix: twelve 768x768 and one 768x3072 matrix, 729 vectors of 768 (~10M). */
function adamwSizes() {
    const out = [];
    for (let i = 0; i < 12; i++)
        out.push([768, 768]);
    out.push([768, 3072]);
    for (let i = 0; i < 729; i++)
        out.push([768]);
    return out;
}
export async function benchKernels(threadCounts, torch) {
    const rows = [];
    for (const c of cases()) {
        for (const threads of threadCounts) {
            setNumThreads(threads);
            const { run, inputs, free } = c.setup();
            const m = await compare(run, torch, { ...c.job, threads });
            free?.();
            for (const t of inputs) {
                clearGrads([t]);
                t.dispose();
            }
            rows.push({ name: c.name, threads, m });
        }
    }
    return rows;
}
export function kernelTable(rows) {
    return table(["kernel", "threads", "tunelab ms", "torch ms", "speedup vs torch"], rows.map((r) => [r.name, r.threads, fmtMs(r.m.ours), r.m.torch !== undefined ? fmtMs(r.m.torch) + (r.m.torchInfo ? ` (${r.m.torchInfo})` : "") : "-", fmtRatio(r.m, r.threads)]));
}
//# sourceMappingURL=kernels.js.map