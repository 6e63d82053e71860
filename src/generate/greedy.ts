/**
 * Greedy decoding for causal language models (GenerationConfig's names). With a model that
 * returns past_key_values (every decoder here, given use_cache) each step feeds only the new
 * token; otherwise the whole sequence is recomputed. Sampling comes later.
 */
import { type Tensor, noGrad, scope, tensor } from "../tensor/index.js";
import type { PreTrainedModel, IdsLike } from "../models/modeling_utils.js";
import type { DecoderOutput, PastKeyValues } from "../models/decoder_utils.js";

export interface GenerateOptions {
  max_new_tokens?: number;
  /** Stop a row once it emits this token (or any of these). */
  eos_token_id?: number | number[] | null;
  /** Only false (greedy) is supported for now. */
  do_sample?: boolean;
  /** Reuse keys/values between steps (default true); false recomputes the full sequence. */
  use_cache?: boolean;
}

/**
 * Appends up to max_new_tokens greedy tokens to each row of inputIds (rows of equal length,
 * no padding) and returns the full sequences, prompt included. A finished row (eos emitted)
 * is padded with eos afterwards, as transformers pads with pad_token_id.
 */
export function generate(model: PreTrainedModel, inputIds: IdsLike, opts: GenerateOptions = {}): number[][] {
  if (opts.do_sample) throw new Error("[generate] do_sample: true is not supported yet; only greedy decoding (do_sample: false) is");
  const maxNew = opts.max_new_tokens ?? 20;
  const eos = opts.eos_token_id ?? (model.config.eos_token_id as number | number[] | null | undefined) ?? null;
  const stops = new Set(eos === null ? [] : Array.isArray(eos) ? eos : [eos]);
  const rows = toRows(inputIds);
  const useCache = opts.use_cache ?? true;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => (useCache ? decodeWithCache(model, rows, maxNew, stops) : decodeFull(model, rows, maxNew, stops)));
  } finally {
    model.train(wasTraining);
  }
}

function toRows(ids: IdsLike): number[][] {
  const rows: number[][] = Array.isArray(ids)
    ? (Array.isArray(ids[0]) ? (ids as number[][]) : [ids as number[]]).map((r) => [...r])
    : ((ids as Tensor).ndim === 1 ? [(ids as Tensor).tolist() as number[]] : ((ids as Tensor).tolist() as number[][]));
  if (rows.length === 0 || rows[0].length === 0) throw new RangeError("[generate] inputIds must hold at least one token per row");
  if (rows.some((r) => r.length !== rows[0].length)) {
    throw new RangeError("[generate] rows of inputIds must have the same length (padded batches are not supported yet)");
  }
  return rows;
}

/** argmax of the last position's logits per row. */
function nextTokens(logits: Tensor): number[] {
  const [B, T, V] = logits.shape;
  const last = logits.narrow(1, T - 1, 1).contiguous().toFloat32Array();
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (last[b * V + v] > last[b * V + best]) best = v;
    out.push(best);
  }
  return out;
}

/** Appends one token per row; returns true when every row has finished. */
function append(rows: number[][], tokens: number[], done: boolean[], stops: Set<number>): boolean {
  rows.forEach((r, b) => {
    const t = done[b] ? [...stops][0] : tokens[b];
    r.push(t);
    if (stops.has(t)) done[b] = true;
  });
  return done.every(Boolean);
}

function decodeFull(model: PreTrainedModel, rows: number[][], maxNew: number, stops: Set<number>): number[][] {
  const done = rows.map(() => false);
  for (let step = 0; step < maxNew; step++) {
    const tokens = scope(() => nextTokens(model.forward({ input_ids: tensor(rows, { dtype: "int32" }) }).logits));
    if (append(rows, tokens, done, stops)) break;
  }
  return rows;
}

function decodeWithCache(model: PreTrainedModel, rows: number[][], maxNew: number, stops: Set<number>): number[][] {
  const done = rows.map(() => false);
  let past: PastKeyValues | undefined;
  let feed = rows.map((r) => [...r]);
  try {
    for (let step = 0; step < maxNew; step++) {
      const { tokens, cache } = scope(() => {
        const out = model.forward({ input_ids: tensor(feed, { dtype: "int32" }), past_key_values: past, use_cache: true } as never) as DecoderOutput;
        if (!out.past_key_values) throw new Error(`[generate] ${model.constructor.name} returns no past_key_values; pass use_cache: false`);
        for (const [k, v] of out.past_key_values) (k.keep(), v.keep());
        return { tokens: nextTokens(out.logits), cache: out.past_key_values };
      });
      releaseCache(past);
      past = cache;
      if (append(rows, tokens, done, stops)) break;
      feed = tokens.map((t) => [t]);
    }
  } finally {
    releaseCache(past);
  }
  return rows;
}

function releaseCache(past: PastKeyValues | undefined): void {
  for (const [k, v] of past ?? []) (k.dispose(), v.dispose());
}
