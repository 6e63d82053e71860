/**
 * Messages between the HTTP thread and the model worker (worker_threads). The HTTP thread
 * validates requests and owns sockets, queues and timeouts; the worker owns the model,
 * the tokenizer and the batch decoders. Only plain data crosses.
 */
import type { FinishReason } from "../generate/options.js";

export interface SamplingRequest {
  max_tokens: number;
  temperature: number;
  top_p: number;
  top_k: number;
  min_p: number | null;
  repetition_penalty: number;
  stop: string[];
  seed: number | null;
  /** Choices per prompt. */
  n: number;
}

export type ToWorker =
  | { type: "generate"; id: number; model: string; prompts?: string[]; messages?: { role: string; content: string }[]; sampling: SamplingRequest }
  | { type: "encode"; id: number; model: string; task: "classify" | "embed"; inputs: string[] }
  | { type: "cancel"; id: number }
  | { type: "stop" };

export interface ServedModelInfo {
  /** The `model` names requests may use: the base first, then each adapter. */
  names: string[];
  /** What the model does: generate text (causal LM, seq2seq), classify, or embed (encoder without a head). */
  kind: "causal_lm" | "seq2seq" | "classify" | "embed";
  /** Label names of a classifier. */
  labels: string[] | null;
  /** Most tokens a sequence may hold (prompt + completion). */
  context_length: number;
  has_chat_template: boolean;
}

export type FromWorker =
  | { type: "ready"; info: ServedModelInfo }
  | { type: "fatal"; message: string }
  /** The prompt was tokenized and admitted to a batch. */
  | { type: "started"; id: number; prompt_tokens: number }
  | { type: "delta"; id: number; index: number; text: string }
  | { type: "finish"; id: number; index: number; finish_reason: FinishReason; text: string; completion_tokens: number }
  | { type: "done"; id: number; prompt_tokens: number; completion_tokens: number }
  | { type: "encoded"; id: number; results: EncodedResult[]; prompt_tokens: number }
  /** A request the worker refuses (status 400: too long, no chat template, ...) or failed on (500). */
  | { type: "error"; id: number; status: number; message: string }
  | { type: "stats"; rows: number; waiting: number };

export type EncodedResult = { label: string; score: number; probs: Record<string, number> } | { embedding: number[] };
