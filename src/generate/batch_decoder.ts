/**
 * The decoding engine: a batch of sequences that can grow and shrink between steps
 * (continuous batching). New sequences are prefilled in one forward pass (prompts left-padded
 * to a common length, position ids counting real tokens only, as transformers' generate
 * builds them from the attention mask), their keys/values are merged into the batch's cache,
 * and every step feeds one token per row. Finished rows leave the batch at once, and cache
 * columns no row attends any more are dropped.
 *
 * Encoder-decoder models (T5) run the encoder once per sequence; the decoder's
 * cross-attention keys/values are computed in the prefill and reused by every step, and
 * the decoder starts from decoder_start_token_id.
 *
 * Every row carries its own sampling options and generator, so a request decodes the same
 * whether it runs alone or beside others (up to float rounding of the batched kernels).
 */
import { type Tensor, noGrad, scope, tensor, cat, zeros, indexSelect } from "../tensor/index.js";
import type { SeededRandom } from "../tensor/index.js";
import type { PreTrainedModel, ModelInputs } from "../models/modeling_utils.js";
import type { DecoderInputs, DecoderOutput, PastKeyValues } from "../models/decoder_utils.js";
import { KVCache } from "../models/kv_cache.js";
import { chooseToken } from "./logits_process.js";
import type { FinishReason, RowOptions } from "./options.js";
import { TextStream } from "./text_stream.js";

export interface SequenceInput {
  /** The prompt (decoder-only) or the encoder's input (encoder-decoder); no padding. */
  ids: number[];
  options: RowOptions;
  rng: SeededRandom | null;
}

export class Sequence {
  /** The tokens generated so far (the stop token included). */
  readonly generated: number[] = [];
  finish: FinishReason | null = null;
  /** Set by cancel(): the row leaves the batch before the next step. */
  cancelled = false;
  /** Decoded text, when the row has a tokenizer (stop strings, streaming). */
  readonly text: TextStream | null;
  /** The tokens the repetition penalty sees: prompt + generated (decoder-only), decoder tokens (encoder-decoder). */
  readonly seen: number[];
  /** Scores for the next token, set by the forward pass that produced them. */
  pending: Float32Array | null = null;
  /** The array `pending` is copied into, reused every step. */
  scores: Float32Array | null = null;
  /** The position id of the next token fed (real tokens before it). */
  nextPosition: number;

  constructor(readonly input: SequenceInput, encoderDecoder: boolean, start: number) {
    this.seen = encoderDecoder ? [start] : [...input.ids];
    this.nextPosition = this.seen.length;
    const tok = input.options.tokenizer;
    this.text = tok ? new TextStream(tok, encoderDecoder ? [] : input.ids, input.options.stop) : null;
  }
}

export interface StepEvent {
  sequence: Sequence;
  token: number;
  /** Text this token adds (empty without a tokenizer, or while held back). */
  delta: string;
  finish: FinishReason | null;
}

interface EncoderDecoderModel extends PreTrainedModel {
  encode(inputs: ModelInputs): Tensor;
}

interface DecoderBatchOutput extends DecoderOutput {
  cross_attention_cache?: PastKeyValues;
}

export interface BatchDecoderOptions {
  /** Reuse keys/values between steps (default true); false recomputes every sequence in full each step. */
  use_cache?: boolean;
}

export class BatchDecoder {
  readonly encoderDecoder: boolean;
  private readonly useCache: boolean;
  /** The model extends a KVCache in place (else past keys/values are concatenated every step). */
  private readonly inPlace: boolean;
  private readonly start: number;
  private rows: Sequence[] = [];
  /** Self-attention keys/values, (B, Hkv, P, D) per layer, and which of the P columns each row attends. */
  private past: KVCache | PastKeyValues | null = null;
  private mask: number[][] = [];
  /** Encoder-decoder: cross-attention keys/values (B, H, S, D) per layer (with the cache), or the encoder output per row (without). */
  private cross: PastKeyValues | null = null;
  private encoderOut: Tensor[] = [];
  private encoderMask: number[][] = [];

  constructor(readonly model: PreTrainedModel, opts: BatchDecoderOptions = {}) {
    this.useCache = opts.use_cache ?? true;
    this.encoderDecoder = isEncoderDecoder(model);
    this.inPlace = this.useCache && !this.encoderDecoder && (model.constructor as typeof PreTrainedModel).acceptsKVCache;
    this.start = this.encoderDecoder ? decoderStartTokenId(model) : -1;
  }

  /** Sequences in the batch. */
  get size(): number {
    return this.rows.length;
  }

  get sequences(): readonly Sequence[] {
    return this.rows;
  }

  /** Prefills `inputs` in one forward pass and adds them to the batch; their first token comes with the next step(). */
  add(inputs: SequenceInput[]): Sequence[] {
    for (const [i, inp] of inputs.entries()) {
      if (inp.ids.length === 0) throw new RangeError(`[generate] input ${i} has no tokens; every prompt needs at least one`);
    }
    const seqs = inputs.map((inp) => new Sequence(inp, this.encoderDecoder, this.start));
    if (seqs.length === 0) return seqs;
    this.run(() => (this.encoderDecoder ? this.prefillEncoderDecoder(seqs) : this.prefillDecoder(seqs)));
    this.rows.push(...seqs);
    return seqs;
  }

  /** Marks a sequence to leave the batch (a client went away); it produces no more tokens. */
  cancel(seq: Sequence): void {
    seq.cancelled = true;
  }

  /** Picks one token for every row, drops finished rows, and runs the forward pass for the next token. */
  step(): StepEvent[] {
    this.removeRows(this.rows.map((r) => !r.cancelled));
    const events: StepEvent[] = this.rows.map((row) => {
      const token = chooseToken(row.pending!, row.seen, row.input.options, row.input.rng);
      row.pending = null;
      row.generated.push(token);
      row.seen.push(token);
      row.nextPosition++;
      const delta = row.text?.push(token) ?? "";
      const opts = row.input.options;
      row.finish = opts.eos.has(token) ? "eos" : row.text?.stopped ? "stop" : row.generated.length >= opts.max_new_tokens ? "length" : null;
      return { sequence: row, token, delta: row.finish && row.text ? delta + row.text.flush() : delta, finish: row.finish };
    });
    this.removeRows(this.rows.map((r) => r.finish === null));
    if (this.rows.length) this.run(() => this.decodeStep());
    return events;
  }

  /** Frees the cache; the decoder is empty afterwards. */
  dispose(): void {
    this.removeRows(this.rows.map(() => false));
  }

  private run(fn: () => void): void {
    const wasTraining = this.model.training;
    if (!wasTraining) return noGrad(() => scope(fn));  // eval() walks every module: not per token
    this.model.eval();
    try {
      noGrad(() => scope(fn));
    } finally {
      this.model.train(wasTraining);
    }
  }

  // ---- decoder-only --------------------------------------------------------------------

  private prefillDecoder(seqs: Sequence[]): void {
    const L = Math.max(...seqs.map((s) => s.seen.length));
    const ids = seqs.map((s) => [...Array(L - s.seen.length).fill(0), ...s.seen]);
    const mask = seqs.map((s) => [...Array(L - s.seen.length).fill(0), ...Array(s.seen.length).fill(1)]);
    // Only the last position's scores are needed: logits_to_keep 1 skips the rest of the LM head.
    const inputs = { input_ids: ids, attention_mask: mask, position_ids: positionsFromMask(mask), logits_to_keep: 1 };
    if (!this.useCache) return this.setPending(seqs, this.forward(inputs));
    const fresh = this.inPlace ? new KVCache(this.reserve(seqs)) : null;
    const out = this.forward({ ...inputs, use_cache: true, ...(fresh ? { past_key_values: fresh } : {}) });
    this.setPending(seqs, out);
    this.mergeSelfCache(fresh ?? this.keepCache(out.past_key_values), mask);
  }

  /** Positions a cache reserves past the prompt: the most tokens a row may still add (bounded; it grows beyond). */
  private reserve(seqs: Sequence[]): number {
    return Math.min(256, Math.max(0, ...seqs.map((s) => s.input.options.max_new_tokens - s.generated.length)));
  }

  private decodeStep(): void {
    if (!this.useCache) return this.recompute();
    const feed = this.rows.map((r) => [r.seen[r.seen.length - 1]]);
    const mask = this.mask.map((m) => [...m, 1]);
    const inputs: Record<string, unknown> = { past_key_values: this.past!, use_cache: true, attention_mask: mask };
    if (this.encoderDecoder) Object.assign(inputs, { decoder_input_ids: feed, decoder_attention_mask: mask, attention_mask: this.encoderMask, cross_attention_cache: this.cross! });
    else Object.assign(inputs, { input_ids: feed, position_ids: this.rows.map((r) => [r.nextPosition - 1]) });
    // No padding column: the model reads no mask (the same as all ones), and builds no tensor for it.
    if (!this.encoderDecoder && !mask.some((m) => m.includes(0))) delete inputs.attention_mask;
    const out = this.forward(inputs as ModelInputs);
    this.setPending(this.rows, out);
    if (!(this.past instanceof KVCache)) {  // a KVCache was extended in place
      const next = this.keepCache(out.past_key_values);
      releaseCache(this.past);
      this.past = next;
    }
    this.mask = mask;
  }

  /** Without the cache: every row's whole sequence again, left-padded. */
  private recompute(): void {
    const L = Math.max(...this.rows.map((r) => r.seen.length));
    const ids = this.rows.map((r) => [...Array(L - r.seen.length).fill(0), ...r.seen]);
    const mask = this.rows.map((r) => [...Array(L - r.seen.length).fill(0), ...Array(r.seen.length).fill(1)]);
    if (!this.encoderDecoder) return this.setPending(this.rows, this.forward({ input_ids: ids, attention_mask: mask, position_ids: positionsFromMask(mask), logits_to_keep: 1 }));
    const enc = padCat(this.encoderOut, 1, "right");
    this.setPending(this.rows, this.forward({ encoder_outputs: enc, attention_mask: this.encoderMask, decoder_input_ids: ids, decoder_attention_mask: mask } as ModelInputs));
  }

  // ---- encoder-decoder -----------------------------------------------------------------

  private prefillEncoderDecoder(seqs: Sequence[]): void {
    const model = this.model as EncoderDecoderModel;
    const S = Math.max(...seqs.map((s) => s.input.ids.length));
    const ids = seqs.map((s) => [...s.input.ids, ...Array(S - s.input.ids.length).fill(0)]);
    const encMask = seqs.map((s) => [...Array(s.input.ids.length).fill(1), ...Array(S - s.input.ids.length).fill(0)]);
    const hidden = model.encode({ input_ids: ids, attention_mask: encMask });
    const start = seqs.map(() => [this.start]);
    if (!this.useCache) {
      this.setPending(seqs, this.forward({ encoder_outputs: hidden, attention_mask: encMask, decoder_input_ids: start } as ModelInputs));
      seqs.forEach((_, b) => this.encoderOut.push(hidden.narrow(0, b, 1).narrow(1, 0, seqs[b].input.ids.length).contiguous().keep()));
      this.encoderMask.push(...seqs.map((s) => Array(s.input.ids.length).fill(1)));
      this.encoderMask = padRows(this.encoderMask, "right");
      return;
    }
    const out = this.forward({ encoder_outputs: hidden, attention_mask: encMask, decoder_input_ids: start, use_cache: true } as ModelInputs);
    this.setPending(seqs, out);
    const crossNew = out.cross_attention_cache;
    if (!crossNew) throw new Error(`[generate] ${this.model.constructor.name} returns no cross_attention_cache; pass use_cache: false`);
    const cross = this.keepCache(crossNew);
    const merged = this.cross ? mergeCaches(this.cross, this.encoderMask, cross, encMask, "right") : { cache: cross, mask: encMask };
    this.cross = merged.cache;
    this.encoderMask = merged.mask;
    this.mergeSelfCache(this.keepCache(out.past_key_values), start.map(() => [1]));
  }

  // ---- batch bookkeeping ---------------------------------------------------------------

  private forward(inputs: DecoderInputs): DecoderBatchOutput {
    return (this.model.forward as (i: DecoderInputs) => DecoderBatchOutput)(inputs);
  }

  /**
   * Each row's next-token scores: the last position of its logits, copied into the row's own
   * array, reused step to step (a fresh 200 KB array per token, GPT-2's vocabulary, costs a
   * new memory mapping each time).
   */
  private setPending(seqs: Sequence[], out: DecoderOutput): void {
    const [B, T, V] = out.logits.shape;
    const last = out.logits.narrow(1, T - 1, 1);
    const flat = last.isContiguous() ? last : last.contiguousCopy();
    const values = flat.f32();
    for (let b = 0; b < B; b++) {
      const row = seqs[b].scores?.length === V ? seqs[b].scores! : (seqs[b].scores = new Float32Array(V));
      row.set(values.subarray(b * V, (b + 1) * V));
      seqs[b].pending = row;
    }
  }

  /** Keeps a forward pass's cache beyond its scope (or fails with the model's name when it has none). */
  private keepCache(cache: PastKeyValues | undefined): PastKeyValues {
    if (!cache) throw new Error(`[generate] ${this.model.constructor.name} returns no past_key_values; pass use_cache: false`);
    for (const [k, v] of cache) (k.keep(), v.keep());
    return cache;
  }

  private mergeSelfCache(cache: KVCache | PastKeyValues, mask: number[][]): void {
    if (!this.past) {
      this.past = cache;
      this.mask = mask;
      return;
    }
    const old = [this.past, cache];
    const merged = mergeCaches(layersOf(this.past), this.mask, layersOf(cache), mask, "left");
    for (const c of old) if (c instanceof KVCache) c.dispose();
    this.past = this.inPlace ? inPlaceCache(merged.cache, this.reserve(this.rows)) : merged.cache;
    this.mask = merged.mask;
  }

  /** Keeps the rows where keep[b]; frees the cache rows and columns nobody needs any more. */
  private removeRows(keep: boolean[]): void {
    if (keep.every(Boolean)) return;
    const index = keep.flatMap((k, b) => (k ? [b] : []));
    this.rows = index.map((b) => this.rows[b]);
    this.mask = index.map((b) => this.mask[b]);
    this.encoderMask = this.encoderMask.length ? index.map((b) => this.encoderMask[b]) : [];
    if (!this.useCache) {
      keep.forEach((k, b) => k || this.encoderOut[b]?.dispose());
      this.encoderOut = this.encoderOut.length ? index.map((b) => this.encoderOut[b]) : [];
      if (this.encoderMask.length) this.encoderMask = trimColumns(this.encoderMask, "right");
      return;
    }
    this.run(() => {
      // A KVCache is rebuilt from the kept rows and columns (only when the batch changes).
      const old = this.past instanceof KVCache ? this.past : null;
      let past = selectRows(this.past ? layersOf(this.past) : null, index);
      old?.dispose();
      this.cross = selectRows(this.cross, index);
      const lead = index.length === 0 ? 0 : leadingPadding(this.mask);
      if (lead > 0) {
        past = sliceColumns(past!, lead, this.mask[0].length - lead);
        this.mask = this.mask.map((m) => m.slice(lead));
      }
      this.past = old && past ? inPlaceCache(past, this.reserve(this.rows)) : past;
      if (index.length === 0) return;
      const trail = trailingPadding(this.encoderMask);
      if (this.cross && trail > 0) {
        const S = this.encoderMask[0].length;
        this.cross = sliceColumns(this.cross, 0, S - trail);
        this.encoderMask = this.encoderMask.map((m) => m.slice(0, S - trail));
      }
    });
  }
}

function isEncoderDecoder(model: PreTrainedModel): boolean {
  if (model.config.is_encoder_decoder !== true) return false;
  if (typeof (model as unknown as Partial<EncoderDecoderModel>).encode !== "function") {
    throw new Error(`[generate] ${model.constructor.name} is an encoder-decoder model without a decoder to generate with; use its ForConditionalGeneration class`);
  }
  return true;
}

function decoderStartTokenId(model: PreTrainedModel): number {
  const start = model.config.decoder_start_token_id ?? model.config.pad_token_id;
  if (typeof start !== "number") throw new Error(`[generate] ${model.constructor.name}: config has no decoder_start_token_id (nor pad_token_id); set decoder_start_token_id`);
  return start;
}

/** transformers' position ids for a left-padded batch: cumsum(mask) - 1, with 1 at padding. */
export function positionsFromMask(mask: number[][]): number[][] {
  return mask.map((row) => {
    let n = 0;
    return row.map((m) => (m ? n++ : 1));
  });
}

/** Pads caches a and b (per layer, keys on dim 2) to one length on `side`, then stacks their rows. */
function mergeCaches(a: PastKeyValues, aMask: number[][], b: PastKeyValues, bMask: number[][], side: "left" | "right"): { cache: PastKeyValues; mask: number[][] } {
  const cache = a.map(([ka, va], l) => {
    const [kb, vb] = b[l];
    const merged: [Tensor, Tensor] = [padCat([ka, kb], 2, side).keep(), padCat([va, vb], 2, side).keep()];
    for (const t of [ka, va, kb, vb]) t.dispose();
    return merged;
  });
  return { cache, mask: padRows([...aMask, ...bMask], side) };
}

/** Stacks tensors along dim 0 after zero-padding each along `dim` to the longest. */
function padCat(parts: Tensor[], dim: number, side: "left" | "right"): Tensor {
  const len = Math.max(...parts.map((t) => t.shape[dim]));
  const padded = parts.map((t) => {
    const missing = len - t.shape[dim];
    if (missing === 0) return t;
    const shape = [...t.shape];
    shape[dim] = missing;
    const z = zeros(shape);
    return side === "left" ? cat([z, t], dim) : cat([t, z], dim);
  });
  return cat(padded, 0);
}

/** 0-pads mask rows on `side` to the longest. */
function padRows(mask: number[][], side: "left" | "right"): number[][] {
  const len = Math.max(...mask.map((m) => m.length));
  return mask.map((m) => {
    const pad = Array(len - m.length).fill(0);
    return side === "left" ? [...pad, ...m] : [...m, ...pad];
  });
}

function selectRows(cache: PastKeyValues | null, index: number[]): PastKeyValues | null {
  if (!cache) return null;
  if (index.length === 0) {
    releaseCache(cache);
    return null;
  }
  const idx = tensor(index, { dtype: "int32" });
  return cache.map(([k, v]) => {
    const kept: [Tensor, Tensor] = [indexSelect(k, 0, idx).keep(), indexSelect(v, 0, idx).keep()];
    k.dispose();
    v.dispose();
    return kept;
  });
}

function sliceColumns(cache: PastKeyValues, start: number, length: number): PastKeyValues {
  return cache.map(([k, v]) => {
    const kept: [Tensor, Tensor] = [k.narrow(2, start, length).contiguous().keep(), v.narrow(2, start, length).contiguous().keep()];
    k.dispose();
    v.dispose();
    return kept;
  });
}

/** Columns at the start that every row masks. */
function leadingPadding(mask: number[][]): number {
  if (mask.length === 0) return 0;
  let n = 0;
  while (n < mask[0].length - 1 && mask.every((m) => m[n] === 0)) n++;
  return n;
}

function trailingPadding(mask: number[][]): number {
  if (mask.length === 0) return 0;
  const S = mask[0].length;
  let n = 0;
  while (n < S - 1 && mask.every((m) => m[S - 1 - n] === 0)) n++;
  return n;
}

function trimColumns(mask: number[][], side: "right"): number[][] {
  const n = side === "right" ? trailingPadding(mask) : 0;
  return n ? mask.map((m) => m.slice(0, m.length - n)) : mask;
}

/** Per layer [key, value]: a KVCache's views of what it holds, or the tensors themselves. */
function layersOf(past: KVCache | PastKeyValues): PastKeyValues {
  return past instanceof KVCache ? past.toLayers() : past;
}

/** A KVCache holding copies of `past`, which is freed. */
function inPlaceCache(past: PastKeyValues, reserve: number): KVCache {
  const cache = KVCache.from(past, reserve);
  releaseCache(past);
  return cache;
}

export function releaseCache(past: PastKeyValues | null | undefined): void {
  for (const [k, v] of past ?? []) (k.dispose(), v.dispose());
}
