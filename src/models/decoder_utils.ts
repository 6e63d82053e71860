/**
 * What the decoder-only families (GPT-2, Llama and its variants) share: position ids after a
 * prefix, the attention mask widened over past keys, the shifted causal-LM loss, and the
 * sequence-classification head's pooling (transformers' own rules for each).
 */
import { Tensor, tensor, expand, crossEntropy, indexSelect } from "../tensor/index.js";
import { checkpoint } from "../nn/index.js";
import { type IdsLike, type ModelInputs, type ModelOutput, toIds, toFloat } from "./modeling_utils.js";
import { KVCache } from "./kv_cache.js";

/** Per layer [key, value], each (B, Hkv, P, D): prefix tuning's prompts, or a KV cache. */
export type PastKeyValues = [Tensor, Tensor][];

export interface DecoderInputs extends Omit<ModelInputs, "past_key_values"> {
  /**
   * Per layer [key, value] (B, Hkv, P, D) prepended to attention (prefix tuning, a cache), or
   * a KVCache (models whose class has acceptsKVCache), which the forward pass extends in
   * place with the new positions: generation's cache, with no copy of the past per token.
   * The outputs carry no past_key_values then: the cache is the caller's.
   */
  past_key_values?: PastKeyValues | KVCache;
  /** Return every layer's [key, value] (past + new) for incremental decoding. */
  use_cache?: boolean;
  /**
   * transformers' logits_to_keep: the LM head runs on the last n positions only (0, the
   * default, keeps them all), or on the listed positions. Generation needs only the last
   * position's scores, so its prompt skips (L - 1) x vocab of head work.
   */
  logits_to_keep?: number | number[];
}

/** Model outputs with the keys/values each layer attended over (a KV cache when use_cache). */
export interface DecoderOutput extends ModelOutput {
  past_key_values?: PastKeyValues;
}

/** Past keys/values (1 or B, Hkv, P, D) expanded to the batch, as PEFT repeats prompts per row. */
export function expandBatch(t: Tensor, B: number): Tensor {
  return t.shape[0] === B ? t : expand(t, [B, ...t.shape.slice(1)]);
}

/** The number of positions already held by past_key_values (0 without). */
export function pastLength(past: PastKeyValues | KVCache | undefined): number {
  if (past instanceof KVCache) return past.length;
  return past && past.length > 0 ? past[0][0].shape[2] : 0;
}

/** Fails unless past_key_values covers `layers` layers (a new, empty KVCache fits any model). */
export function checkPastLayers(past: PastKeyValues | KVCache | undefined, layers: number, where: string, what: string): void {
  const n = past instanceof KVCache ? past.numLayers : past?.length;
  if (n === undefined || n === layers || (n === 0 && past instanceof KVCache)) return;
  throw new RangeError(`[${where}] past_key_values has ${n} layers but the model has ${what} = ${layers}`);
}

/** Position ids arange(pastLen, pastLen + L) for every row (HF forward semantics, no mask correction). */
export function defaultPositionIds(B: number, L: number, pastLen: number): Tensor {
  const ids = new Int32Array(B * L);
  for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) ids[b * L + t] = pastLen + t;
  return tensor(ids, { shape: [B, L] });
}

/**
 * The key padding mask (B, pastLen + L) as 0/1 float32: the given mask when it already covers
 * the past keys, ones prepended for a mask over the new tokens only, null when all attend.
 */
export function keyPaddingMask(mask: IdsLike | undefined, B: number, L: number, pastLen: number, where: string): Tensor | null {
  if (mask === undefined || mask === null) return null;
  const m = toFloat(mask);
  if (m.ndim !== 2 || m.shape[0] !== B || (m.shape[1] !== L && m.shape[1] !== pastLen + L)) {
    throw new RangeError(
      `[${where}] attention_mask is [${m.shape.join(", ")}] but input is (${B}, ${L})` +
        (pastLen ? ` after ${pastLen} past positions; pass (${B}, ${L}) or (${B}, ${pastLen + L})` : `; pass (${B}, ${L})`),
    );
  }
  const values = m.toFloat32Array();
  if (values.every((v) => v !== 0)) return null;
  if (m.shape[1] === pastLen + L) return m;
  const full = new Float32Array(B * (pastLen + L));
  for (let b = 0; b < B; b++) {
    full.fill(1, b * (pastLen + L), b * (pastLen + L) + pastLen);
    full.set(values.subarray(b * L, (b + 1) * L), b * (pastLen + L) + pastLen);
  }
  return tensor(full, { shape: [B, pastLen + L] });
}

/**
 * hidden (B, L, C) at the positions logits_to_keep selects: the last n (transformers'
 * hidden[:, -n:, :], so n >= L keeps all), or a list of positions (negative ones count from the end).
 */
export function keptPositions(hidden: Tensor, keep: number | number[] | undefined, hasLabels: boolean, where: string): Tensor {
  if (keep === undefined) return hidden;
  const L = hidden.shape[1];
  let kept: Tensor;
  if (typeof keep === "number") {
    if (!Number.isInteger(keep) || keep < 0) throw new RangeError(`[${where}] logits_to_keep must be a non-negative integer or a list of positions, got ${keep}`);
    kept = keep === 0 || keep >= L ? hidden : hidden.narrow(1, L - keep, keep);
  } else {
    const bad = keep.find((t) => !Number.isInteger(t) || t < -L || t >= L);
    if (bad !== undefined) throw new RangeError(`[${where}] logits_to_keep holds position ${bad}, outside the ${L} positions of the input`);
    kept = indexSelect(hidden, 1, keep.map((t) => (t < 0 ? t + L : t)));
  }
  if (hasLabels && kept !== hidden) {
    throw new RangeError(`[${where}] labels need the logits of every position: omit logits_to_keep (or pass 0) when computing the loss`);
  }
  return kept;
}

/**
 * Causal-LM loss: logit t predicts label t + 1 (labels are NOT pre-shifted), -100 ignored,
 * mean over every non-ignored target of the batch.
 */
export function causalLmLoss(logits: Tensor, labels: IdsLike): Tensor {
  const lab = toIds(labels, "labels");
  const [B, L, V] = logits.shape;
  if (lab.ndim !== 2 || lab.shape[0] !== B || lab.shape[1] !== L) {
    throw new RangeError(`[causal_lm] labels are [${lab.shape.join(", ")}] but logits are [${logits.shape.join(", ")}]; labels must be (${B}, ${L})`);
  }
  const src = lab.contiguousCopy().i32();
  const shifted = new Int32Array(B * L).fill(-100);
  for (let b = 0; b < B; b++) for (let t = 0; t + 1 < L; t++) shifted[b * L + t] = src[b * L + t + 1];
  return crossEntropy(logits.reshape(B * L, V), tensor(shifted, { shape: [B * L] }), { ignore_index: -100 });
}

/**
 * Index of the token each row is classified from: the last token that is not pad_token_id
 * (transformers >= 4.48, which also handles left padding), or the last position when the
 * config has no pad token (then only batch size 1 is allowed, as in transformers).
 */
export function lastTokenIndices(inputIds: Tensor | null, B: number, L: number, padTokenId: number | null | undefined, where: string): number[] {
  if (padTokenId === null || padTokenId === undefined) {
    if (B !== 1) throw new Error(`[${where}] cannot handle batch sizes > 1 if no padding token is defined: set pad_token_id in the config`);
    return [L - 1];
  }
  if (!inputIds) return Array.from({ length: B }, () => L - 1);
  const ids = inputIds.contiguousCopy().i32();
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let last = 0;
    for (let t = 0; t < L; t++) if (ids[b * L + t] !== padTokenId) last = t;
    out.push(last);
  }
  return out;
}

/** Picks hidden (B, L, C) at one position per row → (B, C), differentiably. */
export function poolRows(hidden: Tensor, indices: number[]): Tensor {
  const [B, L, C] = hidden.shape;
  const flat = hidden.reshape(B * L, C);
  return indexSelect(flat, 0, indices.map((t, b) => b * L + t));
}

/** Runs one layer under gradient checkpointing (see nn/gradient_checkpointing.ts) with several inputs. */
export function checkpointLayer(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor {
  return checkpoint(fn, ...inputs);
}
