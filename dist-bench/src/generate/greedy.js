/**
 * Greedy decoding (GenerationConfig's names) for causal language models and encoder-decoder
 * models (T5: the encoder runs once, the decoder starts from decoder_start_token_id). With a
 * model that returns past_key_values (every decoder here, given use_cache) each step feeds
 * only the new token; otherwise the whole sequence is recomputed. Sampling comes later.
 */
import { noGrad, scope, tensor } from "../tensor/index.js";
/**
 * Appends up to max_new_tokens greedy tokens to each row of inputIds (rows of equal length,
 * no padding) and returns the full sequences, prompt included. A finished row (eos emitted)
 * is padded with eos afterwards, as transformers pads with pad_token_id. For an
 * encoder-decoder model inputIds are the encoder's input and the result is the decoder's
 * sequences, decoder_start_token_id first, as transformers returns them.
 */
export function generate(model, inputIds, opts = {}) {
    if (opts.do_sample)
        throw new Error("[generate] do_sample: true is not supported yet; only greedy decoding (do_sample: false) is");
    const maxNew = opts.max_new_tokens ?? 20;
    const eos = opts.eos_token_id ?? model.config.eos_token_id ?? null;
    const stops = new Set(eos === null ? [] : Array.isArray(eos) ? eos : [eos]);
    const rows = toRows(inputIds);
    const useCache = opts.use_cache ?? true;
    const wasTraining = model.training;
    model.eval();
    try {
        return noGrad(() => {
            if (!isEncoderDecoder(model)) {
                const step = (feed, past, cache) => model.forward((cache ? { input_ids: tensor(feed, { dtype: "int32" }), past_key_values: past, use_cache: true } : { input_ids: tensor(feed, { dtype: "int32" }) }));
                return decode(step, model.constructor.name, rows, maxNew, stops, useCache);
            }
            const start = decoderStartTokenId(model);
            const encoderOutputs = scope(() => model.encode({ input_ids: tensor(rows, { dtype: "int32" }) }).keep());
            try {
                const step = (feed, past, cache) => model.forward({ encoder_outputs: encoderOutputs, decoder_input_ids: tensor(feed, { dtype: "int32" }), past_key_values: past, use_cache: cache });
                return decode(step, model.constructor.name, rows.map(() => [start]), maxNew, stops, useCache);
            }
            finally {
                encoderOutputs.dispose();
            }
        });
    }
    finally {
        model.train(wasTraining);
    }
}
function isEncoderDecoder(model) {
    if (model.config.is_encoder_decoder !== true)
        return false;
    if (typeof model.encode !== "function") {
        throw new Error(`[generate] ${model.constructor.name} is an encoder-decoder model without a decoder to generate with; use its ForConditionalGeneration class`);
    }
    return true;
}
function decoderStartTokenId(model) {
    const start = model.config.decoder_start_token_id ?? model.config.pad_token_id;
    if (typeof start !== "number")
        throw new Error(`[generate] ${model.constructor.name}: config has no decoder_start_token_id (nor pad_token_id); set decoder_start_token_id`);
    return start;
}
function decode(step, name, rows, maxNew, stops, useCache) {
    return useCache ? decodeWithCache(step, name, rows, maxNew, stops) : decodeFull(step, rows, maxNew, stops);
}
function toRows(ids) {
    const rows = Array.isArray(ids)
        ? (Array.isArray(ids[0]) ? ids : [ids]).map((r) => [...r])
        : (ids.ndim === 1 ? [ids.tolist()] : ids.tolist());
    if (rows.length === 0 || rows[0].length === 0)
        throw new RangeError("[generate] inputIds must hold at least one token per row");
    if (rows.some((r) => r.length !== rows[0].length)) {
        throw new RangeError("[generate] rows of inputIds must have the same length (padded batches are not supported yet)");
    }
    return rows;
}
/** argmax of the last position's logits per row. */
function nextTokens(logits) {
    const [B, T, V] = logits.shape;
    const last = logits.narrow(1, T - 1, 1).contiguous().toFloat32Array();
    const out = [];
    for (let b = 0; b < B; b++) {
        let best = 0;
        for (let v = 1; v < V; v++)
            if (last[b * V + v] > last[b * V + best])
                best = v;
        out.push(best);
    }
    return out;
}
/** Appends one token per row; returns true when every row has finished. */
function append(rows, tokens, done, stops) {
    rows.forEach((r, b) => {
        const t = done[b] ? [...stops][0] : tokens[b];
        r.push(t);
        if (stops.has(t))
            done[b] = true;
    });
    return done.every(Boolean);
}
function decodeFull(step, rows, maxNew, stops) {
    const done = rows.map(() => false);
    for (let n = 0; n < maxNew; n++) {
        const tokens = scope(() => nextTokens(step(rows, undefined, false).logits));
        if (append(rows, tokens, done, stops))
            break;
    }
    return rows;
}
function decodeWithCache(step, name, rows, maxNew, stops) {
    const done = rows.map(() => false);
    let past;
    let feed = rows.map((r) => [...r]);
    try {
        for (let n = 0; n < maxNew; n++) {
            const { tokens, cache } = scope(() => {
                const out = step(feed, past, true);
                const kept = out.past_key_values;
                if (!kept)
                    throw new Error(`[generate] ${name} returns no past_key_values; pass use_cache: false`);
                // Kept tensors outlive the scope: if the rest of the step fails they are freed here.
                try {
                    for (const [k, v] of kept)
                        (k.keep(), v.keep());
                    return { tokens: nextTokens(out.logits), cache: kept };
                }
                catch (err) {
                    releaseCache(kept);
                    throw err;
                }
            });
            releaseCache(past);
            past = cache;
            if (append(rows, tokens, done, stops))
                break;
            feed = tokens.map((t) => [t]);
        }
    }
    finally {
        releaseCache(past);
    }
    return rows;
}
function releaseCache(past) {
    for (const [k, v] of past ?? [])
        (k.dispose(), v.dispose());
}
//# sourceMappingURL=greedy.js.map