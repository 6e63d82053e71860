/**
 * What a run summary needs beside the losses: total_flos counted as Transformers counts it
 * (PreTrainedModel.floating_point_ops: 6 × tokens × non-embedding parameters, per
 * micro-batch, where tokens = input_ids.numel() with padding), the input tokens seen,
 * tokens per second, and the process's peak resident memory. A built-in Trainer callback:
 * the counts live in TrainerState (total_flos, num_input_tokens_seen), so checkpoints carry
 * them and a resumed run keeps counting from where it stopped.
 */
import { Tensor } from "../tensor/index.js";
import { Embedding, Module } from "../nn/index.js";
import { QuantizedLinear } from "../quant/index.js";
import type { ModelInputs } from "../models/modeling_utils.js";
import type { CallbackExtras, TrainerCallback } from "./callbacks.js";
import type { TrainingArguments } from "./training_args.js";
import type { TrainerControl, TrainerState } from "./trainer_state.js";

/** input_ids.numel() (HF's estimate_tokens), padding included; 0 when the batch has no input_ids. */
export function estimateTokens(inputs: ModelInputs): number {
  const ids = inputs.input_ids;
  if (ids === undefined) return 0;
  if (ids instanceof Tensor) return ids.numel;
  return (ids as unknown[]).reduce<number>((n, row) => n + (Array.isArray(row) ? row.length : 1), 0);
}

/**
 * Weights held 4- or 8-bit (QLoRA's frozen base) are buffers here, parameters in PyTorch: HF's
 * num_parameters counts them at their full size, and so does this.
 */
export function quantizedWeightCount(model: unknown): number {
  let n = 0;
  if (model instanceof Module) for (const [, m] of model.namedModules()) if (m instanceof QuantizedLinear) n += m.inFeatures * m.outFeatures;
  return n;
}

/**
 * HF's num_parameters(exclude_embeddings=True): every parameter (trainable or frozen, tied
 * weights once, 4-bit ones at full size) except the weights of Embedding modules (so a tied
 * LM head is excluded too).
 */
export function nonEmbeddingParameterCount(model: { namedParameters(): Iterable<[string, Tensor]> }): number {
  const embeddings = new Set<Tensor>();
  if (model instanceof Module) {
    for (const [, m] of model.namedModules()) if (m instanceof Embedding) embeddings.add(m.weight);
  }
  let n = quantizedWeightCount(model);
  for (const [, p] of model.namedParameters()) if (!embeddings.has(p)) n += p.numel;
  return n;
}

/** The process's peak resident set size so far, in MiB (Linux reports maxRSS in KiB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export class RunStatsCallback implements TrainerCallback {
  private flopsPerToken = 0;
  private tokensThisRun = 0;

  onTrainBegin(_args: TrainingArguments, _state: TrainerState, _control: TrainerControl, extras: CallbackExtras): void {
    const model = extras.model as { namedParameters(): Iterable<[string, Tensor]> } | undefined;
    this.flopsPerToken = model ? 6 * nonEmbeddingParameterCount(model) : 0;
    this.tokensThisRun = 0;
  }

  onSubstepEnd(_args: TrainingArguments, state: TrainerState, _control: TrainerControl, extras: CallbackExtras): void {
    const tokens = extras.num_tokens ?? 0;
    this.tokensThisRun += tokens;
    state.num_input_tokens_seen += tokens;
    state.total_flos += this.flopsPerToken * tokens;
  }

  /** The train metrics this callback adds (tokens/s over this process's part of the run). */
  summary(runtimeSeconds: number): Record<string, number> {
    return {
      train_tokens_per_second: Math.round((1000 * this.tokensThisRun) / Math.max(runtimeSeconds, 1e-9)) / 1000,
      train_peak_rss_mb: Math.round(peakRssMb() * 10) / 10,
    };
  }
}
