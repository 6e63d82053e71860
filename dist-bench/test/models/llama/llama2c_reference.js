/**
 * An independent reference for llama2.c checkpoints, written from run.c: it reads the legacy
 * .bin layout (interleaved-pair RoPE, Meta's layout) and tok512.bin, encodes a prompt as
 * run.c's encode() does, and decodes greedily in plain float64 JavaScript. Tests compare our
 * LlamaForCausalLM (loaded from the converted HF folder) against it.
 */
import * as fs from "node:fs";
export function readLlama2c(file) {
    const buf = fs.readFileSync(file);
    const header = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 28));
    const [dim, hidden, layers, heads, kvHeads, vocabSigned, seqLen] = header;
    const vocab = Math.abs(vocabSigned);
    const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + 28, buf.byteOffset + buf.length));
    let off = 0;
    const take = (n) => floats.subarray(off, (off += n));
    const hd = dim / heads;
    const kvDim = kvHeads * hd;
    return {
        dim, hidden, layers, heads, kvHeads, vocab, seqLen,
        emb: take(vocab * dim), rmsAtt: take(layers * dim), wq: take(layers * dim * dim), wk: take(layers * kvDim * dim),
        wv: take(layers * kvDim * dim), wo: take(layers * dim * dim), rmsFfn: take(layers * dim), w1: take(layers * hidden * dim),
        w2: take(layers * dim * hidden), w3: take(layers * hidden * dim), rmsFinal: take(dim),
    };
}
/** tok512.bin pieces (as latin1 byte strings) and scores. */
export function readTokenizer(file) {
    const buf = fs.readFileSync(file);
    let off = 4;
    const pieces = [];
    const scores = [];
    while (off < buf.length) {
        scores.push(buf.readFloatLE(off));
        const len = buf.readInt32LE(off + 4);
        pieces.push(buf.subarray(off + 8, off + 8 + len).toString("latin1"));
        off += 8 + len;
    }
    return { pieces, scores };
}
/** run.c's encode(text, bos=1, eos=0): BOS, dummy-prefix space, characters (or bytes + 3), best-score merges. */
export function encodeLlama2c(text, tok) {
    const lookup = new Map(tok.pieces.map((p, i) => [p, i]));
    const tokens = [1];
    if (text !== "")
        tokens.push(lookup.get(" "));
    for (const ch of text) {
        const bytes = Buffer.from(ch, "utf8");
        const id = lookup.get(bytes.toString("latin1"));
        if (id !== undefined)
            tokens.push(id);
        else
            for (const b of bytes)
                tokens.push(b + 3);
    }
    for (;;) {
        let best = -1e10;
        let at = -1;
        let bestId = -1;
        for (let i = 0; i + 1 < tokens.length; i++) {
            const id = lookup.get(tok.pieces[tokens[i]] + tok.pieces[tokens[i + 1]]);
            if (id !== undefined && tok.scores[id] > best)
                (best = tok.scores[id]), (at = i), (bestId = id);
        }
        if (at < 0)
            break;
        tokens.splice(at, 2, bestId);
    }
    return tokens;
}
function rmsnorm(x, w, wOff) {
    let ss = 0;
    for (const v of x)
        ss += v * v;
    const s = 1 / Math.sqrt(ss / x.length + 1e-5);
    return x.map((v, i) => w[wOff + i] * (s * v));
}
/** out (rows) = W (rows, cols) at wOff · x (cols). */
function matvec(w, wOff, x, rows) {
    const cols = x.length;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
        let acc = 0;
        const base = wOff + r * cols;
        for (let c = 0; c < cols; c++)
            acc += w[base + c] * x[c];
        out[r] = acc;
    }
    return out;
}
/** Greedy tokens after `prompt` (run.c at temperature 0, without its stop-at-BOS rule). */
export function greedyLlama2c(m, prompt, steps) {
    const { dim, hidden, layers, heads, kvHeads } = m;
    const hd = dim / heads;
    const kvDim = kvHeads * hd;
    const kvMul = heads / kvHeads;
    const keys = Array.from({ length: layers }, () => []);
    const values = Array.from({ length: layers }, () => []);
    const out = [];
    let token = prompt[0];
    for (let pos = 0; pos < prompt.length - 1 + steps; pos++) {
        let x = Float64Array.from(m.emb.subarray(token * dim, (token + 1) * dim));
        for (let l = 0; l < layers; l++) {
            const xb = rmsnorm(x, m.rmsAtt, l * dim);
            const q = matvec(m.wq, l * dim * dim, xb, dim);
            const k = matvec(m.wk, l * kvDim * dim, xb, kvDim);
            const v = matvec(m.wv, l * kvDim * dim, xb, kvDim);
            for (let i = 0; i < dim; i += 2) {
                const freq = 1 / 10000 ** ((i % hd) / hd);
                const c = Math.cos(pos * freq);
                const s = Math.sin(pos * freq);
                for (const vec of i < kvDim ? [q, k] : [q]) {
                    const [a, b] = [vec[i], vec[i + 1]];
                    vec[i] = a * c - b * s;
                    vec[i + 1] = a * s + b * c;
                }
            }
            keys[l].push(k);
            values[l].push(v);
            const att = new Float64Array(dim);
            for (let h = 0; h < heads; h++) {
                const kvh = Math.floor(h / kvMul);
                const scores = keys[l].map((kt) => {
                    let d = 0;
                    for (let i = 0; i < hd; i++)
                        d += q[h * hd + i] * kt[kvh * hd + i];
                    return d / Math.sqrt(hd);
                });
                const mx = Math.max(...scores);
                const e = scores.map((sc) => Math.exp(sc - mx));
                const z = e.reduce((a, b) => a + b, 0);
                e.forEach((p, t) => {
                    for (let i = 0; i < hd; i++)
                        att[h * hd + i] += (p / z) * values[l][t][kvh * hd + i];
                });
            }
            const o = matvec(m.wo, l * dim * dim, att, dim);
            x = x.map((vv, i) => vv + o[i]);
            const xf = rmsnorm(x, m.rmsFfn, l * dim);
            const h1 = matvec(m.w1, l * hidden * dim, xf, hidden);
            const h3 = matvec(m.w3, l * hidden * dim, xf, hidden);
            const g = h1.map((a, i) => (a / (1 + Math.exp(-a))) * h3[i]);
            const down = matvec(m.w2, l * dim * hidden, g, dim);
            x = x.map((vv, i) => vv + down[i]);
        }
        if (pos < prompt.length - 1) {
            token = prompt[pos + 1];
            continue;
        }
        const logits = matvec(m.emb, 0, rmsnorm(x, m.rmsFinal, 0), m.vocab);
        let best = 0;
        for (let i = 1; i < logits.length; i++)
            if (logits[i] > logits[best])
                best = i;
        out.push(best);
        token = best;
    }
    return out;
}
//# sourceMappingURL=llama2c_reference.js.map