/**
 * Whole training steps (forward + backward + AdamW), the figure users care about, built
 * from the public ops so they do not move while src/models is being written:
 *   (a) BERT-base-shaped encoder, 2 layers, sequence classification (HF BertForSequenceClassification),
 *   (b) a small Llama decoder (RMSNorm, RoPE, GQA, SwiGLU), causal-LM loss (HF LlamaForCausalLM),
 *   (c) (b) with LoRA r=8 on q_proj/v_proj, base frozen, only adapters in AdamW (PEFT's lora.Linear).
 * torch_ref.py builds the same modules with the same hashed weights (bench/common.ts
 * hashUniform), so the first (eval-mode) losses of both engines must agree.
 */
import { AdamW, Tensor, applyRotaryEmb, crossEntropy, dropout, embedding, gelu, layerNorm, linear, noGrad, rmsNorm, ropeTables, scaledDotProductAttention, scope, setNumThreads, silu, tanh, } from "../src/index.js";
import { compare, fmtMs, fmtRatio, hashInts, hashTensor, table } from "./common.js";
import { paddingMask } from "./kernels.js";
/** The order torch_ref.py's Seeds hands seeds out in: seed + 1, seed + 2, ... */
class Seeds {
    next;
    constructor(next) {
        this.next = next;
    }
    take() {
        return ++this.next;
    }
}
const STD = 0.02;
export function bertModel(c, B, T) {
    const h = c.hidden, H = c.heads, D = h / H, I = c.intermediate, p = c.dropout ?? 0;
    const seeds = new Seeds(c.seed);
    const w = (shape) => hashTensor(shape, seeds.take(), STD);
    const zero = (n) => hashTensor([n], 0, 0, 0);
    const one = (n) => hashTensor([n], 0, 0, 1);
    const word = w([c.vocab, h]), pos = w([c.max_pos, h]), type = w([2, h]);
    const lnE = [one(h), zero(h)];
    const layers = Array.from({ length: c.layers }, () => {
        const l = {
            q: w([h, h]), k: w([h, h]), v: w([h, h]), ao: w([h, h]), inter: w([I, h]), out: w([h, I]),
            bq: zero(h), bk: zero(h), bv: zero(h), bao: zero(h), binter: zero(I), bout: zero(h),
            ln1w: one(h), ln1b: zero(h), ln2w: one(h), ln2b: zero(h),
        };
        return l;
    });
    const pooler = w([h, h]), classifier = w([c.labels ?? 2, h]), bp = zero(h), bc = zero(c.labels ?? 2);
    const params = [word, pos, type, ...lnE, ...layers.flatMap((l) => Object.values(l)), pooler, bp, classifier, bc];
    for (const t of params)
        t.setRequiresGrad(true);
    const ids = Tensor.fromTypedArray(hashInts(B * T, c.seed + 1000, c.vocab), [B, T]).keep();
    const typeIds = Tensor.fromTypedArray(new Int32Array(B * T), [B, T]).keep();
    const posIds = Tensor.fromTypedArray(Int32Array.from({ length: T }, (_, i) => i), [1, T]).keep();
    const mask = paddingMask(B, T);
    const labels = Tensor.fromTypedArray(hashInts(B, c.seed + 1001, c.labels ?? 2), [B]).keep();
    const inputs = [ids, typeIds, posIds, mask, labels];
    return {
        params,
        trainable: params,
        loss(training) {
            const drop = (x) => dropout(x, p, training);
            let x = embedding(ids, word).add(embedding(typeIds, type)).add(embedding(posIds, pos));
            x = drop(layerNorm(x, h, lnE[0], lnE[1], 1e-12));
            const split = (y) => y.reshape(B, T, H, D).transpose(1, 2);
            for (const l of layers) {
                const ctx = scaledDotProductAttention(split(linear(x, l.q, l.bq)), split(linear(x, l.k, l.bk)), split(linear(x, l.v, l.bv)), {
                    keyPaddingMask: mask,
                    dropoutP: training ? p : 0,
                });
                const merged = ctx.transpose(1, 2).reshape(B, T, h);
                x = layerNorm(drop(linear(merged, l.ao, l.bao)).add(x), h, l.ln1w, l.ln1b, 1e-12);
                const y = linear(gelu(linear(x, l.inter, l.binter)), l.out, l.bout);
                x = layerNorm(drop(y).add(x), h, l.ln2w, l.ln2b, 1e-12);
            }
            const pooled = tanh(linear(x.select(1, 0), pooler, bp));
            return crossEntropy(linear(drop(pooled), classifier, bc), labels);
        },
        dispose() {
            for (const t of [...params, ...inputs])
                t.dispose();
        },
    };
}
export function llamaModel(c, B, T) {
    const h = c.hidden, H = c.heads, Hkv = c.kv_heads ?? H, D = h / H, I = c.intermediate;
    const seeds = new Seeds(c.seed);
    const w = (shape) => hashTensor(shape, seeds.take(), STD);
    const one = (n) => hashTensor([n], 0, 0, 1);
    const embed = w([c.vocab, h]);
    const layers = Array.from({ length: c.layers }, () => ({
        q: w([H * D, h]), k: w([Hkv * D, h]), v: w([Hkv * D, h]), o: w([h, h]),
        gate: w([I, h]), up: w([I, h]), down: w([h, I]),
        inNorm: one(h), postNorm: one(h),
    }));
    const norm = one(h), head = w([c.vocab, h]);
    const base = [embed, ...layers.flatMap((l) => Object.values(l)), norm, head];
    const r = c.lora_r ?? 0;
    const scaling = r ? (c.lora_alpha ?? r) / r : 0;
    // PEFT: A kaiming-uniform (uniform on ±1/sqrt(in)), B zeros.
    const lora = r
        ? layers.map(() => ({
            qA: hashTensor([r, h], seeds.take(), 1 / Math.sqrt(3 * h)), qB: hashTensor([H * D, r], 0, 0, 0),
            vA: hashTensor([r, h], seeds.take(), 1 / Math.sqrt(3 * h)), vB: hashTensor([Hkv * D, r], 0, 0, 0),
        }))
        : null;
    const adapters = lora ? lora.flatMap((a) => Object.values(a)) : [];
    const trainable = lora ? adapters : base;
    for (const t of trainable)
        t.setRequiresGrad(true);
    const ids = Tensor.fromTypedArray(hashInts(B * T, c.seed + 1000, c.vocab), [B, T]).keep();
    const shifted = new Int32Array(B * T).fill(-100);
    const idv = ids.i32();
    for (let b = 0; b < B; b++)
        for (let t = 0; t + 1 < T; t++)
            shifted[b * T + t] = idv[b * T + t + 1];
    const labels = Tensor.fromTypedArray(shifted, [B, T]).keep();
    const posIds = Tensor.fromTypedArray(Int32Array.from({ length: B * T }, (_, i) => i % T), [B, T]).keep();
    const { cos, sin } = ropeTables(D, c.max_pos, c.rope_theta ?? 10000);
    cos.keep();
    sin.keep();
    const inputs = [ids, labels, posIds, cos, sin];
    const proj = (x, wt, A, Bm) => {
        const y = linear(x, wt);
        return A && Bm ? y.add(linear(linear(x, A), Bm).mul(scaling)) : y;
    };
    return {
        params: [...base, ...adapters],
        trainable,
        loss() {
            let x = embedding(ids, embed);
            layers.forEach((l, i) => {
                const a = lora?.[i];
                const y = rmsNorm(x, l.inNorm, 1e-6);
                const q = applyRotaryEmb(proj(y, l.q, a?.qA, a?.qB).reshape(B, T, H, D).transpose(1, 2), cos, sin, posIds);
                const k = applyRotaryEmb(linear(y, l.k).reshape(B, T, Hkv, D).transpose(1, 2), cos, sin, posIds);
                const v = proj(y, l.v, a?.vA, a?.vB).reshape(B, T, Hkv, D).transpose(1, 2);
                const att = scaledDotProductAttention(q, k, v, { isCausal: true });
                x = x.add(linear(att.transpose(1, 2).reshape(B, T, h), l.o));
                const z = rmsNorm(x, l.postNorm, 1e-6);
                x = x.add(linear(silu(linear(z, l.gate)).mul(linear(z, l.up)), l.down));
            });
            return crossEntropy(linear(rmsNorm(x, norm, 1e-6), head), labels);
        },
        dispose() {
            for (const t of [...base, ...adapters, ...inputs])
                t.dispose();
        },
    };
}
export const TRAIN_CASES = [
    {
        name: "BERT-base shape, 2 layers, seq-cls (dropout 0.1)",
        model: "bert",
        config: { hidden: 768, heads: 12, intermediate: 3072, layers: 2, vocab: 30522, max_pos: 512, labels: 2, dropout: 0.1, seed: 100 },
        B: 8, T: 128, lr: 2e-5,
    },
    {
        name: "Llama 512h/8q/4kv/1376i, 2 layers, causal LM V=8000",
        model: "llama",
        config: { hidden: 512, heads: 8, kv_heads: 4, intermediate: 1376, layers: 2, vocab: 8000, max_pos: 128, rope_theta: 10000, seed: 200 },
        B: 4, T: 128, lr: 1e-4,
    },
    {
        name: "same Llama + LoRA r=8 on q,v (base frozen)",
        model: "llama",
        config: { hidden: 512, heads: 8, kv_heads: 4, intermediate: 1376, layers: 2, vocab: 8000, max_pos: 128, rope_theta: 10000, seed: 200, lora_r: 8, lora_alpha: 16 },
        B: 4, T: 128, lr: 1e-4,
    },
];
export async function benchTrain(threadCounts, torch, minTime, foreach) {
    const rows = [];
    for (const c of TRAIN_CASES) {
        for (const threads of threadCounts) {
            setNumThreads(threads);
            const model = c.model === "bert" ? bertModel(c.config, c.B, c.T) : llamaModel(c.config, c.B, c.T);
            const oursLoss = noGrad(() => scope(() => model.loss(false).item()));
            const opt = new AdamW(model.trainable, { lr: c.lr, weight_decay: 0.01 });
            const step = () => scope(() => {
                model.loss(true).backward();
                opt.step();
                opt.zeroGrad();
            });
            const m = await compare(step, torch, { kind: "train", model: c.model, config: c.config, B: c.B, T: c.T, lr: c.lr, foreach, threads }, {
                minTime, rounds: 2, warmup: 1, minCalls: 4,
            });
            const trainable = model.trainable.reduce((s, t) => s + t.numel, 0);
            opt.dispose();
            model.dispose();
            rows.push({ name: c.name, c, threads, m, oursLoss, trainable });
        }
    }
    return rows;
}
export function trainTable(rows) {
    return table(["training step (fwd+bwd+AdamW)", "threads", "trainable", "tunelab ms/step", "tunelab tok/s", "torch ms/step", "torch tok/s", "speedup vs torch", "eval loss tunelab / torch"], rows.map((r) => {
        const tokens = r.c.B * r.c.T;
        const tl = r.m.torchLoss;
        return [
            `${r.c.name}, ${r.c.B}x${r.c.T}`,
            r.threads,
            `${(r.trainable / 1e6).toFixed(r.trainable < 1e6 ? 3 : 1)}M`,
            fmtMs(r.m.ours),
            (tokens / r.m.ours).toFixed(0),
            fmtMs(r.m.torch),
            r.m.torch ? (tokens / r.m.torch).toFixed(0) : "-",
            fmtRatio(r.m, r.threads),
            `${r.oursLoss.toFixed(5)} / ${tl !== undefined ? tl.toFixed(5) : "-"}`,
        ];
    }));
}
//# sourceMappingURL=train_step.js.map