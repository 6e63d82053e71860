/**
 * Request bodies of the OpenAI-compatible endpoints, checked with zod before anything runs.
 * Fields clients commonly send but we do not implement are accepted only at their neutral
 * value (a non-zero presence_penalty is refused, not ignored); unknown fields are ignored,
 * as OpenAI-compatible servers do. Limits come from the server's options.
 */
import { z } from "zod";
import type { SamplingRequest } from "./protocol.js";

export interface Limits {
  /** Largest max_tokens a request may ask for. */
  max_tokens: number;
  /** Most prompts (completions) or inputs (classify, embeddings) in one request. */
  max_batch_inputs: number;
  /** Most choices (n) per prompt. */
  max_n: number;
}

const neutral = (name: string, value: unknown) =>
  z.unknown().optional().refine((v) => v === undefined || v === null || v === value || (Array.isArray(value) && Array.isArray(v) && v.length === 0), {
    message: `${name} is not supported by this server; leave it out`,
  });

function sampling(limits: Limits) {
  return {
    max_tokens: z.number().int().min(1).max(limits.max_tokens, `max_tokens may be at most ${limits.max_tokens} on this server (--max-tokens)`).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    top_k: z.number().int().min(-1).nullish(),
    min_p: z.number().min(0).max(1).nullish(),
    repetition_penalty: z.number().gt(0).max(10).nullish(),
    n: z.number().int().min(1).max(limits.max_n, `n may be at most ${limits.max_n}`).nullish(),
    stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)], { error: "stop must be a non-empty string or a list of at most 4 of them" }).nullish(),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    presence_penalty: neutral("presence_penalty", 0),
    frequency_penalty: neutral("frequency_penalty", 0),
    logprobs: neutral("logprobs", false),
    logit_bias: z.record(z.string(), z.unknown()).nullish().refine((v) => !v || Object.keys(v).length === 0, { message: "logit_bias is not supported by this server; leave it out" }),
    user: z.string().nullish(),
  };
}

export function completionSchema(limits: Limits) {
  return z.object({
    model: z.string().min(1),
    prompt: z.union([z.string(), z.array(z.string()).min(1).max(limits.max_batch_inputs, `prompt takes at most ${limits.max_batch_inputs} strings`)], {
      error: "prompt must be a string or a list of strings",
    }),
    echo: neutral("echo", false),
    best_of: neutral("best_of", 1),
    suffix: neutral("suffix", null),
    ...sampling(limits),
  });
}

const textPart = z.object({ type: z.literal("text"), text: z.string() });

export function chatSchema(limits: Limits) {
  return z.object({
    model: z.string().min(1),
    messages: z
      .array(
        z.object({
          role: z.enum(["system", "user", "assistant", "developer"]),
          content: z.union([z.string(), z.array(textPart).min(1)], { error: "content must be a string or a list of { type: \"text\", text } parts" }),
          name: z.string().optional(),
        }),
      )
      .min(1, "messages must hold at least one message"),
    max_completion_tokens: z.number().int().min(1).max(limits.max_tokens, `max_completion_tokens may be at most ${limits.max_tokens} on this server (--max-tokens)`).nullish(),
    tools: neutral("tools", []),
    tool_choice: neutral("tool_choice", "none"),
    response_format: z.object({ type: z.literal("text") }, { error: "response_format: only { type: \"text\" } is supported" }).nullish(),
    ...sampling(limits),
  });
}

export function encodeSchema(limits: Limits) {
  return z.object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1).max(limits.max_batch_inputs, `input takes at most ${limits.max_batch_inputs} strings`)], {
      error: "input must be a string or a list of strings",
    }),
    encoding_format: z.enum(["float"], { error: "encoding_format: only \"float\" is supported" }).nullish(),
    user: z.string().nullish(),
  });
}

export type CompletionBody = z.infer<ReturnType<typeof completionSchema>>;
export type ChatBody = z.infer<ReturnType<typeof chatSchema>>;
export type EncodeBody = z.infer<ReturnType<typeof encodeSchema>>;

/** "messages[0].role: Invalid option ..." lines from a failed parse. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? formatPath(i.path) + ": " : ""}${i.message}`)
    .join("; ");
}

function formatPath(p: PropertyKey[]): string {
  return p.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
}

/** OpenAI's defaults: max_tokens 16 (completions) or the limit (chat), temperature 1, top_p 1, n 1; top-k off. */
export function samplingOf(body: CompletionBody | ChatBody, defaultMaxTokens: number): SamplingRequest {
  const b = body as CompletionBody & Partial<ChatBody>;
  return {
    max_tokens: b.max_completion_tokens ?? b.max_tokens ?? defaultMaxTokens,
    temperature: b.temperature ?? 1,
    top_p: b.top_p ?? 1,
    top_k: b.top_k === undefined || b.top_k === null || b.top_k < 0 ? 0 : b.top_k,
    min_p: b.min_p ?? null,
    repetition_penalty: b.repetition_penalty ?? 1,
    stop: b.stop === undefined || b.stop === null ? [] : typeof b.stop === "string" ? [b.stop] : b.stop,
    seed: b.seed ?? null,
    n: b.n ?? 1,
  };
}
