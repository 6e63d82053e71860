/**
 * Collators turn a list of feature rows into one batch of tensors with dynamic padding
 * (to the longest row, or a multiple of pad_to_multiple_of), as HF's DataCollatorWithPadding,
 * DataCollatorForTokenClassification, DataCollatorForSeq2Seq and
 * DataCollatorForLanguageModeling do. Collators run inside the trainer's step scope, so
 * the tensors they make are freed with the step. Randomness (MLM masking) comes from the
 * `rng` the caller passes, so a resumed run masks exactly as the uninterrupted one.
 */
import { Tensor } from "../tensor/index.js";
import { SeededRandom } from "../tensor/random.js";
/** Columns with one value per token, padded together with input_ids. */
const SEQUENCE_COLUMNS = { input_ids: "pad", attention_mask: 0, token_type_ids: 0, labels: -100, decoder_input_ids: "pad", decoder_attention_mask: 0 };
const SCALAR_INT_COLUMNS = new Set(["start_positions", "end_positions"]);
export function padSequences(seqs, value, length, side) {
    const out = new Array(seqs.length * length).fill(value);
    seqs.forEach((s, i) => {
        const n = Math.min(s.length, length);
        const off = i * length + (side === "left" ? length - n : 0);
        for (let j = 0; j < n; j++)
            out[off + j] = s[j];
    });
    return out;
}
function targetLength(seqs, opts) {
    let len = Math.max(1, ...seqs.map((s) => s.length));
    if (opts.max_length)
        len = Math.min(len, opts.max_length);
    const m = opts.pad_to_multiple_of;
    if (m && m > 1)
        len = Math.ceil(len / m) * m;
    return len;
}
function int32(values, shape) {
    return Tensor.fromTypedArray(Int32Array.from(values), shape, "int32");
}
function float32(values, shape) {
    return Tensor.fromTypedArray(Float32Array.from(values), shape, "float32");
}
/**
 * Pads every per-token column; labels that are per-token (token classification, causal LM)
 * are padded with -100; class ids stay (B) int32; float or multi-hot labels become (B) or
 * (B, num_labels) float32. Columns that are not model inputs (spans, word ids, text) are left out.
 */
export class DataCollatorWithPadding {
    opts;
    constructor(opts = {}) {
        this.opts = opts;
    }
    collate = (features) => this.call(features);
    call(features) {
        if (features.length === 0)
            throw new RangeError("[collator] got an empty batch");
        const opts = this.opts;
        const side = opts.padding_side ?? "right";
        const first = features[0];
        if (!Array.isArray(first.input_ids))
            throw new Error(`[collator] rows need input_ids (a list of token ids); got columns ${Object.keys(first).join(", ")}; tokenize the dataset first`);
        const ids = features.map((f) => f.input_ids);
        const len = targetLength(ids, opts);
        const batch = {};
        const tokenLabels = "labels" in first && this.labelsArePerToken(features.map((f) => f.labels), ids);
        for (const [name, fill] of Object.entries(SEQUENCE_COLUMNS)) {
            if (!(name in first) || (name === "labels" && !tokenLabels))
                continue;
            const padValue = fill === "pad" ? this.padId() : fill === -100 ? opts.label_pad_token_id ?? -100 : fill;
            batch[name] = int32(padSequences(features.map((f) => f[name]), padValue, len, side), [features.length, len]);
        }
        if ("labels" in first && !tokenLabels)
            batch.labels = this.labelTensor(features.map((f) => f.labels));
        for (const name of SCALAR_INT_COLUMNS)
            if (name in first)
                batch[name] = int32(features.map((f) => Number(f[name])), [features.length]);
        return batch;
    }
    padId() {
        const id = this.opts.pad_token_id;
        if (id === null || id === undefined) {
            throw new Error("[collator] padding needs pad_token_id but the tokenizer has none; set tokenizer pad_token (e.g. to the eos token) or pass pad_token_id");
        }
        return id;
    }
    /** Lists as long as each row's input_ids, holding integers: token classification or LM labels. */
    labelsArePerToken(labels, ids) {
        if (this.opts.float_labels)
            return false;
        return labels.every((l, i) => Array.isArray(l) && l.length === ids[i].length && l.every(Number.isInteger));
    }
    /** Class ids (B) int32, regression targets (B) float32, or multi-hot / multi-target rows (B, W) float32. */
    labelTensor(labels) {
        const B = labels.length;
        if (labels.every((l) => typeof l === "number")) {
            const nums = labels;
            const isFloat = this.opts.float_labels ?? nums.some((v) => !Number.isInteger(v));
            return isFloat ? float32(nums, [B]) : int32(nums, [B]);
        }
        if (labels.every(Array.isArray)) {
            const rows = labels;
            const width = rows[0].length;
            const bad = rows.find((r) => r.length !== width);
            if (bad)
                throw new Error(`[collator] label vectors differ in length (${width} vs ${bad.length}); multi-label rows need one value per class`);
            return float32(rows.flat(), [B, width]);
        }
        throw new Error("[collator] labels must be numbers (class ids or targets) or lists; check the task's label column");
    }
}
/**
 * Seq2seq: inputs padded as usual, labels padded separately with -100 to their own longest
 * length (HF's DataCollatorForSeq2Seq).
 */
export class DataCollatorForSeq2Seq extends DataCollatorWithPadding {
    call(features) {
        const batch = super.call(features.map(({ labels: _labels, ...f }) => f));
        if ("labels" in features[0]) {
            const labels = features.map((f) => f.labels);
            const len = targetLength(labels, { ...this.opts, max_length: null });
            batch.labels = int32(padSequences(labels, this.opts.label_pad_token_id ?? -100, len, "right"), [features.length, len]);
        }
        return batch;
    }
}
/** HF's DataCollatorForLanguageModeling: 80% [MASK], 10% random token, 10% unchanged. */
export class DataCollatorForLanguageModeling extends DataCollatorWithPadding {
    lmOpts;
    constructor(lmOpts) {
        super(lmOpts);
        this.lmOpts = lmOpts;
        if (lmOpts.mlm !== false && (lmOpts.mask_token_id === null || lmOpts.mask_token_id === undefined)) {
            throw new Error("[collator] masked-LM needs a mask token but the tokenizer has none; use a tokenizer with [MASK] or set mlm: false (causal LM)");
        }
    }
    collate = (features, ctx) => this.callLm(features, ctx?.rng);
    callLm(features, rng = new SeededRandom(0)) {
        const ids = features.map((f) => f.input_ids.slice(0, this.opts.max_length ?? undefined));
        const len = targetLength(ids, this.opts);
        const pad = this.padId();
        const flat = padSequences(ids, pad, len, this.opts.padding_side ?? "right");
        const mask = padSequences(ids.map((s) => s.map(() => 1)), 0, len, this.opts.padding_side ?? "right");
        const B = features.length;
        let labels;
        if (this.lmOpts.mlm === false) {
            // Rows may carry their own labels (prompt masking); otherwise every real token is learned.
            const given = features.every((f) => Array.isArray(f.labels)) ? features.map((f) => f.labels.slice(0, this.opts.max_length ?? undefined)) : null;
            labels = given ? padSequences(given, -100, len, this.opts.padding_side ?? "right") : flat.map((v, i) => (mask[i] ? v : -100));
        }
        else {
            const p = this.lmOpts.mlm_probability ?? 0.15;
            const special = new Set([...(this.lmOpts.special_ids ?? []), pad]);
            const V = this.lmOpts.vocab_size ?? 0;
            labels = new Array(flat.length).fill(-100);
            for (let i = 0; i < flat.length; i++) {
                if (!mask[i] || special.has(flat[i]))
                    continue;
                if (rng.next() >= p)
                    continue;
                labels[i] = flat[i];
                const roll = rng.next();
                if (roll < 0.8)
                    flat[i] = this.lmOpts.mask_token_id;
                else if (roll < 0.9 && V > 0)
                    flat[i] = rng.int(V);
            }
        }
        return { input_ids: int32(flat, [B, len]), attention_mask: int32(mask, [B, len]), labels: int32(labels, [B, len]) };
    }
}
//# sourceMappingURL=collators.js.map