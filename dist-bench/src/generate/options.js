/**
 * Generation options with transformers' GenerationConfig names and defaults (max_new_tokens
 * 20 as max_length 20 gives, top_k 50, top_p 1, temperature 1), validated up front with the
 * key and the fix in the message, as GenerationConfig.validate does.
 */
import { SeededRandom, nextKernelSeed } from "../tensor/random.js";
const fail = (msg) => {
    throw new RangeError(`[generate] ${msg}`);
};
function eosOf(opts, config) {
    const given = opts.eos_token_id !== undefined ? opts.eos_token_id : (config.eos_token_id ?? null);
    const list = given === null ? [] : Array.isArray(given) ? given : [given];
    for (const t of list)
        if (!Number.isInteger(t) || t < 0)
            fail(`eos_token_id must hold non-negative integers, got ${JSON.stringify(given)}`);
    return new Set(list);
}
/** Validates `opts` and fills transformers' defaults. */
export function resolveOptions(opts, config) {
    const max = opts.max_new_tokens ?? 20;
    if (!Number.isInteger(max) || max < 1)
        fail(`max_new_tokens must be a positive integer, got ${max}`);
    const doSample = opts.do_sample ?? false;
    const temperature = opts.temperature ?? 1;
    if (doSample && !(temperature > 0 && Number.isFinite(temperature))) {
        fail(`temperature must be a strictly positive number when do_sample is true, got ${temperature}${temperature === 0 ? "; for greedy decoding set do_sample: false" : ""}`);
    }
    const topK = opts.top_k ?? 50;
    if (!Number.isInteger(topK) || topK < 0)
        fail(`top_k must be a non-negative integer (0 turns it off), got ${topK}`);
    const topP = opts.top_p ?? 1;
    if (!(topP >= 0 && topP <= 1))
        fail(`top_p must be in [0, 1], got ${topP}`);
    const minP = opts.min_p ?? null;
    if (minP !== null && !(minP >= 0 && minP <= 1))
        fail(`min_p must be in [0, 1], got ${minP}`);
    const penalty = opts.repetition_penalty ?? 1;
    if (!(penalty > 0 && Number.isFinite(penalty)))
        fail(`repetition_penalty must be a strictly positive number, got ${penalty}`);
    const stop = opts.stop === undefined ? [] : Array.isArray(opts.stop) ? opts.stop : [opts.stop];
    if (stop.some((s) => typeof s !== "string" || s.length === 0))
        fail(`stop must be a non-empty string or a list of them, got ${JSON.stringify(opts.stop)}`);
    if (stop.length && !opts.tokenizer)
        fail("stop strings need the tokenizer to read the generated text: pass { tokenizer }");
    return {
        max_new_tokens: max,
        do_sample: doSample,
        temperature,
        top_k: topK,
        top_p: topP,
        min_p: minP,
        repetition_penalty: penalty,
        eos: eosOf(opts, config),
        stop,
        tokenizer: opts.tokenizer ?? null,
    };
}
/** num_return_sequences, checked as transformers does: more than one needs sampling. */
export function returnSequences(opts) {
    const n = opts.num_return_sequences ?? 1;
    if (!Number.isInteger(n) || n < 1)
        fail(`num_return_sequences must be a positive integer, got ${n}`);
    if (n > 1 && !opts.do_sample)
        fail(`num_return_sequences = ${n} needs do_sample: true (greedy decoding returns the same sequence every time)`);
    return n;
}
/**
 * One generator per row: with `seed`, row r's stream depends on (seed, r) only, so a seeded
 * call is reproducible and a row samples the same tokens alone or in any batch; without it
 * the seed comes from the global generator (manualSeed).
 */
export function rowGenerators(opts, rows) {
    if (!opts.do_sample)
        return null;
    if (opts.seed !== undefined && !(Number.isSafeInteger(opts.seed) && opts.seed >= 0))
        fail(`seed must be a non-negative integer, got ${opts.seed}`);
    const base = opts.seed ?? nextKernelSeed();
    return Array.from({ length: rows }, (_, r) => new SeededRandom(mixSeed(base, r)));
}
/** A 32-bit seed from (seed, stream) that differs in every bit for neighbouring streams. */
export function mixSeed(seed, stream) {
    let h = Math.imul((seed % 0x100000000) ^ Math.floor(seed / 0x100000000), 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    return (h ^ (h >>> 16)) >>> 0;
}
/** The token finished rows are padded with. */
export function padTokenOf(opts, config, eos) {
    const pad = opts.pad_token_id !== undefined ? opts.pad_token_id : config.pad_token_id;
    if (typeof pad === "number")
        return pad;
    return eos.size ? [...eos][0] : 0;
}
//# sourceMappingURL=options.js.map