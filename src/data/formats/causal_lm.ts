/**
 * Causal-LM and instruction-tuning features, in the three shapes TRL's SFTTrainer accepts:
 * - `text`: the whole text is learned;
 * - `prompt` + `completion`: the loss covers only the completion (and EOS) unless
 *   completion_only_loss is false;
 * - `messages` (chat): rendered with the tokenizer's chat template; the loss covers only the
 *   assistant turns unless assistant_only_loss is false.
 * Labels equal input_ids with -100 where no loss is wanted (the model shifts them). With
 * packing, examples are concatenated and cut into max_length blocks.
 */
import type { ChatMessage, PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import type { RowSource } from "../bad_rows.js";
import { IterableDataset } from "../stream.js";
import { z } from "zod";
import { asText, column, flag, positiveInt } from "./options.js";

export const causalLmOptionsSchema = z.strictObject({
  text_column: column().optional(),
  prompt_column: column().optional(),
  completion_column: column().optional(),
  messages_column: column().optional(),
  completion_only_loss: flag().optional(),
  assistant_only_loss: flag().optional(),
  max_length: positiveInt().optional(),
  packing: flag().optional(),
  /** Append the EOS token to each example (default true when the tokenizer has one). */
  add_eos_token: flag().optional(),
});
export type CausalLmOptions = z.infer<typeof causalLmOptionsSchema>;

interface Segment {
  ids: number[];
  learn: boolean;
}

export function encodeCausalLm(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: CausalLmOptions, log: BadRowLog): Dataset {
  const maxLength = opts.max_length ?? Math.min(tokenizer.model_max_length, 1024);
  const textCol = opts.text_column ?? "text";
  const promptCol = opts.prompt_column ?? "prompt";
  const completionCol = opts.completion_column ?? "completion";
  const messagesCol = opts.messages_column ?? "messages";
  const eos = (opts.add_eos_token ?? true) ? tokenizer.eos_token_id : null;
  const rows: Row[] = [];
  const sources: (RowSource | undefined)[] = [];
  for (let i = 0; i < ds.length; i++) {
    const r = ds.rows[i];
    const src = ds.sources[i];
    let segments: Segment[] | string;
    if (messagesCol in r) segments = chatSegments(r[messagesCol], tokenizer, opts.assistant_only_loss ?? true);
    else if (promptCol in r || completionCol in r) segments = promptSegments(r[promptCol], r[completionCol], tokenizer, opts.completion_only_loss ?? true, eos, promptCol, completionCol);
    else if (textCol in r) segments = textSegments(r[textCol], tokenizer, eos, textCol);
    else segments = `no "${textCol}", "${promptCol}"/"${completionCol}" or "${messagesCol}" column (columns: ${Object.keys(r).join(", ")})`;
    if (typeof segments === "string") { log.add(src, segments); continue; }
    const input_ids = segments.flatMap((s) => s.ids);
    const labels = segments.flatMap((s) => (s.learn ? s.ids : s.ids.map(() => -100)));
    if (!labels.some((l) => l !== -100)) { log.add(src, "nothing to learn: the completion is empty"); continue; }
    if (!opts.packing) log.lengths.add(input_ids.length, maxLength, tokenizer.model_max_length);
    if (!opts.packing && input_ids.length > maxLength) {
      input_ids.length = maxLength;
      labels.length = maxLength;
    }
    rows.push({ input_ids, attention_mask: input_ids.map(() => 1), labels });
    sources.push(src);
  }
  const out = new Dataset(rows, sources);
  return opts.packing ? pack(out, maxLength) : out;
}

function textSegments(value: unknown, tokenizer: PreTrainedTokenizer, eos: number | null, col: string): Segment[] | string {
  const text = asText(value);
  if (typeof text !== "string" || !text.trim()) return `empty text in "${col}"`;
  const ids = tokenizer.encode(text);
  if (eos !== null && ids[ids.length - 1] !== eos) ids.push(eos);
  return [{ ids, learn: true }];
}

function promptSegments(promptValue: unknown, completionValue: unknown, tokenizer: PreTrainedTokenizer, completionOnly: boolean, eos: number | null, pc: string, cc: string): Segment[] | string {
  const prompt = asText(promptValue);
  const completion = asText(completionValue);
  if (typeof prompt !== "string") return `missing column "${pc}"`;
  if (typeof completion !== "string" || !completion.trim()) return `missing or empty "${cc}"`;
  // The prompt carries the tokenizer's leading special tokens (BOS); the completion none.
  const p = stripTrailingSpecials(tokenizer.encode(prompt), tokenizer);
  const c = tokenizer.encode(completion, { add_special_tokens: false });
  if (eos !== null) c.push(eos);
  return [{ ids: p, learn: !completionOnly }, { ids: c, learn: true }];
}

/**
 * The ids generation continues from, encoded as training encodes the context: a `prompt`
 * (or, without one, the `text`) with the tokenizer's leading specials and no trailing EOS;
 * `messages` rendered with the chat template's generation prompt. A string explains a bad row.
 */
export function causalLmPromptIds(row: Row, tokenizer: PreTrainedTokenizer, opts: CausalLmOptions = {}): number[] | string {
  const promptCol = opts.prompt_column ?? "prompt";
  const textCol = opts.text_column ?? "text";
  const messagesCol = opts.messages_column ?? "messages";
  if (messagesCol in row) {
    const msgs = row[messagesCol];
    if (!Array.isArray(msgs) || msgs.some((m) => !m || typeof m.role !== "string" || typeof m.content !== "string")) return `"${messagesCol}" must be a list of { role, content }`;
    const text = tokenizer.applyChatTemplate(msgs as ChatMessage[], { tokenize: false, add_generation_prompt: true }) as string;
    return tokenizer.encode(text, { add_special_tokens: false });
  }
  const col = promptCol in row ? promptCol : textCol in row ? textCol : null;
  if (col === null) return `no "${promptCol}", "${textCol}" or "${messagesCol}" column to generate from (columns: ${Object.keys(row).join(", ")})`;
  const prompt = row[col];
  if (typeof prompt !== "string") return `"${col}" must be a string`;
  const ids = stripTrailingSpecials(tokenizer.encode(prompt), tokenizer);
  return ids.length ? ids : `empty "${col}": generation needs at least one token`;
}

/** Drops special tokens a post-processor appends (e.g. a trailing EOS) so the completion follows the prompt directly. */
function stripTrailingSpecials(ids: number[], tokenizer: PreTrainedTokenizer): number[] {
  const special = new Set(tokenizer.all_special_ids);
  let end = ids.length;
  while (end > 1 && special.has(ids[end - 1]) && ids[end - 1] !== tokenizer.bos_token_id) end--;
  return ids.slice(0, end);
}

/**
 * Each assistant turn is the text the full render adds after the render of the previous
 * turns with the generation prompt; every other span (system, user, role headers) is
 * context. Segments are tokenized separately, as TRL's prefix-masking does.
 */
function chatSegments(messages: unknown, tokenizer: PreTrainedTokenizer, assistantOnly: boolean): Segment[] | string {
  if (!Array.isArray(messages) || messages.length === 0) return "messages must be a non-empty list of { role, content }";
  if (messages.some((m) => !m || typeof m.role !== "string" || typeof m.content !== "string")) return "every message needs a string role and content";
  const msgs = messages as ChatMessage[];
  const render = (upTo: number, genPrompt: boolean) => tokenizer.applyChatTemplate(msgs.slice(0, upTo), { tokenize: false, add_generation_prompt: genPrompt }) as string;
  let full: string;
  try {
    full = render(msgs.length, false);
  } catch (err) {
    return (err as Error).message;
  }
  if (!msgs.some((m) => m.role === "assistant")) return "no assistant message to learn from";
  const pieces: { text: string; learn: boolean }[] = [];
  let done = 0;
  msgs.forEach((m, k) => {
    if (m.role !== "assistant") return;
    const before = render(k, true);
    const after = render(k + 1, false);
    if (!full.startsWith(after) || !after.startsWith(before) || before.length < done) {
      throw new Error("[data] the chat template does not render conversations incrementally; set assistant_only_loss: false to learn the whole chat");
    }
    pieces.push({ text: before.slice(done), learn: !assistantOnly }, { text: after.slice(before.length), learn: true });
    done = after.length;
  });
  if (done < full.length) pieces.push({ text: full.slice(done), learn: !assistantOnly });
  return pieces.filter((p) => p.text.length).map((p) => ({ ids: tokenizer.encode(p.text, { add_special_tokens: false }), learn: p.learn }));
}

/**
 * Concatenates examples and cuts blocks of max_length (the last, shorter block is kept).
 * Each example already ends with EOS (add_eos_token), so documents stay separated; labels
 * follow the ids (equal to them for plain text, -100 over prompts when masked).
 */
export function pack(ds: Dataset, maxLength: number): Dataset {
  const ids: number[] = [];
  const labels: number[] = [];
  for (const r of ds.rows) {
    ids.push(...(r.input_ids as number[]));
    labels.push(...(r.labels as number[]));
  }
  const rows: Row[] = [];
  for (let s = 0; s < ids.length; s += maxLength) {
    const block = ids.slice(s, s + maxLength);
    rows.push({ input_ids: block, attention_mask: block.map(() => 1), labels: labels.slice(s, s + maxLength) });
  }
  return new Dataset(rows);
}

/** pack() for a stream: the same blocks, cut as examples arrive, holding at most one block. */
export function packStream(ds: IterableDataset, maxLength: number): IterableDataset {
  return new IterableDataset(async function* (epoch) {
    let ids: number[] = [];
    let labels: number[] = [];
    for await (const r of ds.iterate(epoch)) {
      ids.push(...(r.input_ids as number[]));
      labels.push(...(r.labels as number[]));
      while (ids.length >= maxLength) {
        const block = ids.slice(0, maxLength);
        yield { input_ids: block, attention_mask: block.map(() => 1), labels: labels.slice(0, maxLength) };
        ids = ids.slice(maxLength);
        labels = labels.slice(maxLength);
      }
    }
    if (ids.length) yield { input_ids: ids, attention_mask: ids.map(() => 1), labels };
  });
}
