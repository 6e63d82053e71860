// Truncation and padding with transformers' semantics (and the Rust tokenizers' truncation
// algorithm): option resolution, longest_first / only_first / only_second, left or right sides.
const NO_LIMIT_ABOVE = 1e29; // model_max_length at or above this means "unknown" (transformers uses 1e30)
/** The strategy and total length to truncate to, or null for no truncation. */
export function resolveTruncation(truncation, maxLength, modelMaxLength) {
    if (maxLength !== undefined && (!Number.isSafeInteger(maxLength) || maxLength < 0)) {
        throw new Error(`[tokenizer] max_length ${maxLength} is not a non-negative integer; pass e.g. max_length: 512`);
    }
    let strategy;
    // As transformers: a max_length without an explicit truncation choice truncates longest_first.
    if (truncation === undefined)
        strategy = maxLength !== undefined ? "longest_first" : null;
    else if (truncation === false || truncation === "do_not_truncate")
        strategy = null;
    else if (truncation === true)
        strategy = "longest_first";
    else if (truncation === "longest_first" || truncation === "only_first" || truncation === "only_second")
        strategy = truncation;
    else
        throw new Error(`[tokenizer] truncation ${JSON.stringify(truncation)} is not one of true, false, "longest_first", "only_first", "only_second", "do_not_truncate"`);
    if (strategy === null)
        return null;
    const limit = maxLength ?? (modelMaxLength < NO_LIMIT_ABOVE ? modelMaxLength : undefined);
    return limit === undefined ? null : { strategy, max_length: limit };
}
/** Truncates token lists so that a.length + b.length <= limit (limit excludes special tokens). */
export function truncatePair(a, b, limit, strategy, side, reserved) {
    if (limit < 0) {
        throw new Error(`[tokenizer] max_length ${limit + reserved} is smaller than the ${reserved} special tokens this tokenizer adds; raise max_length`);
    }
    const total = a.length + (b?.length ?? 0);
    if (total <= limit)
        return [a, b];
    const keep = (seq, n) => (side === "right" ? seq.slice(0, n) : seq.slice(seq.length - n));
    const toRemove = total - limit;
    if (strategy === "only_first" || strategy === "only_second") {
        const first = strategy === "only_first";
        const target = first ? a : b;
        if (target === null)
            throw new Error(`[tokenizer] truncation "only_second" needs a text_pair; use "longest_first" or pass text_pair`);
        if (target.length <= toRemove) {
            throw new Error(`[tokenizer] truncation "${strategy}": the ${first ? "first" : "second"} sequence has ${target.length} tokens, too few to remove ${toRemove}; ` +
                `use truncation "longest_first" or a larger max_length`);
        }
        return first ? [keep(a, a.length - toRemove), b] : [a, keep(target, target.length - toRemove)];
    }
    if (b === null)
        return [keep(a, limit), null];
    // The Rust tokenizers' longest_first: shorten the longer side first, then split the budget evenly.
    let n1 = a.length;
    let n2 = b.length;
    const swap = n1 > n2;
    if (swap)
        [n1, n2] = [n2, n1];
    n2 = n1 > limit ? n1 : Math.max(n1, limit - n1);
    if (n1 + n2 > limit) {
        n1 = Math.floor(limit / 2);
        n2 = n1 + (limit % 2);
    }
    if (swap)
        [n1, n2] = [n2, n1];
    return [keep(a, Math.min(n1, a.length)), keep(b, Math.min(n2, b.length))];
}
/** The padded length for the batch, or null for no padding. */
export function resolvePadding(padding, maxLength, modelMaxLength, rows, padToMultipleOf) {
    let target;
    if (padding === undefined || padding === false || padding === "do_not_pad")
        return null;
    if (padding === true || padding === "longest") {
        target = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
    }
    else if (padding === "max_length") {
        const limit = maxLength ?? (modelMaxLength < NO_LIMIT_ABOVE ? modelMaxLength : undefined);
        if (limit === undefined)
            throw new Error(`[tokenizer] padding "max_length" needs max_length (the tokenizer has no model_max_length); pass max_length`);
        target = limit;
    }
    else {
        throw new Error(`[tokenizer] padding ${JSON.stringify(padding)} is not one of true, false, "longest", "max_length", "do_not_pad"`);
    }
    if (padToMultipleOf !== undefined) {
        if (!Number.isSafeInteger(padToMultipleOf) || padToMultipleOf <= 0)
            throw new Error(`[tokenizer] pad_to_multiple_of ${padToMultipleOf} is not a positive integer`);
        target = Math.ceil(target / padToMultipleOf) * padToMultipleOf;
    }
    return target;
}
/** Pads every row to `target` (rows already longer stay as they are). */
export function padBatch(rows, target, padId, side, withMask, withTypes) {
    const input_ids = [];
    const attention_mask = [];
    const token_type_ids = [];
    for (const row of rows) {
        const n = target === null ? 0 : Math.max(0, target - row.ids.length);
        const pad = (values, fill) => {
            const filler = new Array(n).fill(fill);
            return side === "right" ? [...values, ...filler] : [...filler, ...values];
        };
        input_ids.push(pad(row.ids, padId));
        if (withMask)
            attention_mask.push(pad(new Array(row.ids.length).fill(1), 0));
        if (withTypes)
            token_type_ids.push(pad(row.typeIds, 0));
    }
    return { input_ids, ...(withMask ? { attention_mask } : {}), ...(withTypes ? { token_type_ids } : {}) };
}
//# sourceMappingURL=tokenizer_batch.js.map