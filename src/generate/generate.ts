/**
 * `generate(model, input_ids, options)` with transformers' semantics: greedy or sampled
 * decoding of causal LMs (GPT-2, Llama family) and encoder-decoder models (T5), one batch
 * of prompts of any lengths (left-padded internally), the prompt in one forward pass, then
 * one token per step over the KV cache. `generateStream` yields the same tokens as they are
 * chosen, through an async iterator that lets the event loop run between steps.
 */
import { Tensor } from "../tensor/index.js";
import { PreTrainedModel, type IdsLike } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import { BatchDecoder, type SequenceInput, type StepEvent } from "./batch_decoder.js";
import { type GenerateOptions, type FinishReason, resolveOptions, returnSequences, rowGenerators, padTokenOf } from "./options.js";

/** A model generate accepts: a transformers-style model, or a PeftModel with layer adapters (LoRA, IA3, ...). */
export type GenerativeModel = PreTrainedModel | PeftModel;

/** The model whose forward runs: a PeftModel's adapters sit inside its base model's layers. */
export function unwrapForGeneration(model: GenerativeModel): PreTrainedModel {
  if (model instanceof PeftModel) {
    if (model.isPromptLearning) {
      throw new Error(`[generate] ${model.activeConfig.peft_type} adapters are not supported by generate yet (their virtual tokens would need their own cache handling); LoRA, IA3, adapters and BitFit are`);
    }
    return model.model;
  }
  return model;
}

/** One row of the input: what is returned in front of the new tokens, and the real tokens. */
interface InputRow {
  prefix: number[];
  ids: number[];
}

function inputRows(inputIds: IdsLike, mask: number[][] | undefined): InputRow[] {
  const rows: number[][] =
    inputIds instanceof Tensor
      ? inputIds.ndim === 1 ? [inputIds.tolist() as number[]] : (inputIds.tolist() as number[][])
      : Array.isArray(inputIds[0]) ? (inputIds as number[][]) : [inputIds as number[]];
  if (rows.length === 0) throw new RangeError("[generate] input_ids holds no rows");
  if (mask && (mask.length !== rows.length || mask.some((m, i) => m.length !== rows[i].length))) {
    throw new RangeError(`[generate] attention_mask must have input_ids' shape (${rows.length} rows of ${rows.map((r) => r.length).join("/")} tokens)`);
  }
  return rows.map((row, i) => {
    if (row.some((t) => !Number.isInteger(t) || t < 0)) throw new RangeError(`[generate] input_ids row ${i} holds something other than token ids (non-negative integers)`);
    const ids = mask ? row.filter((_, t) => mask[i][t] !== 0) : row;
    if (ids.length === 0) throw new RangeError(`[generate] input_ids row ${i} has no tokens${mask ? " the attention_mask lets through" : ""}`);
    return { prefix: [...row], ids: [...ids] };
  });
}

function sequenceInputs(model: PreTrainedModel, inputIds: IdsLike, opts: GenerateOptions): { inputs: SequenceInput[]; prefixes: number[][] } {
  const options = resolveOptions(opts, model.config);
  const n = returnSequences(opts);
  const rows = inputRows(inputIds, opts.attention_mask).flatMap((r) => Array.from({ length: n }, () => r));
  const rngs = rowGenerators(opts, rows.length);
  return { inputs: rows.map((r, i) => ({ ids: r.ids, options, rng: rngs?.[i] ?? null })), prefixes: rows.map((r) => r.prefix) };
}

/**
 * Generates up to max_new_tokens tokens after each row of input_ids (a 1-D or 2-D tensor,
 * or arrays: rows may differ in length) and returns the full sequences, as transformers
 * does: for a causal LM the prompt then the new tokens; for an encoder-decoder model the
 * decoder's tokens, decoder_start_token_id first. Rows that finish early are padded with
 * pad_token_id (else the eos token) up to the longest. With num_return_sequences n, input
 * row i gives rows i*n ... i*n + n - 1.
 */
export function generate(model: GenerativeModel, inputIds: IdsLike, opts: GenerateOptions = {}): number[][] {
  const core = unwrapForGeneration(model);
  const { inputs, prefixes } = sequenceInputs(core, inputIds, opts);
  const decoder = new BatchDecoder(core, { use_cache: opts.use_cache });
  try {
    const seqs = decoder.add(inputs);
    while (decoder.size > 0) decoder.step();
    const steps = Math.max(...seqs.map((s) => s.generated.length));
    const pad = padTokenOf(opts, core.config, inputs[0].options.eos);
    return seqs.map((s, i) => [
      ...(decoder.encoderDecoder ? [s.seen[0]] : prefixes[i]),
      ...s.generated,
      ...Array(steps - s.generated.length).fill(pad),
    ]);
  } finally {
    decoder.dispose();
  }
}

/** One generated token of a streamed generation. */
export interface GenerationChunk {
  /** The output row (input row x num_return_sequences + k). */
  index: number;
  token_id: number;
  /** The text this token adds (needs `tokenizer`; empty while a character or a possible stop string is incomplete). */
  text: string;
  /** Set on a row's last token. */
  finish_reason: FinishReason | null;
}

/**
 * The tokens of generate(), yielded as they are chosen; the event loop runs between steps.
 * Breaking out of the loop stops the generation and frees its cache.
 */
export async function* generateStream(model: GenerativeModel, inputIds: IdsLike, opts: GenerateOptions = {}): AsyncGenerator<GenerationChunk> {
  const core = unwrapForGeneration(model);
  const { inputs } = sequenceInputs(core, inputIds, opts);
  const decoder = new BatchDecoder(core, { use_cache: opts.use_cache });
  try {
    const seqs = decoder.add(inputs);
    const index = new Map(seqs.map((s, i) => [s, i]));
    while (decoder.size > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const e of decoder.step()) yield chunkOf(e, index.get(e.sequence)!);
    }
  } finally {
    decoder.dispose();
  }
}

function chunkOf(e: StepEvent, index: number): GenerationChunk {
  return { index, token_id: e.token, text: e.delta, finish_reason: e.finish };
}
