/**
 * tokenizer.ggml.* metadata for llama.cpp's "llama" (SentencePiece) vocabulary, from a
 * tokenizer.json BPE model with byte fallback (Llama 2, Mistral, TinyLlama, llama2.c's
 * tokenizers). llama.cpp merges adjacent pieces by score, highest first; a token made by
 * merge number r scores -r, so its merges happen in the order the BPE merge list gives.
 */
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import type { GgufValue } from "./gguf_writer.js";

/** llama_token_type values. */
const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
const MAX_VOCAB = 1 << 24;

function mergeText(m: unknown): string | null {
  if (typeof m === "string") {
    const space = m.indexOf(" ");
    return space > 0 ? m.slice(0, space) + m.slice(space + 1) : null;
  }
  return Array.isArray(m) && m.length === 2 && typeof m[0] === "string" && typeof m[1] === "string" ? m[0] + m[1] : null;
}

export function llamaVocabMetadata(tokenizer: PreTrainedTokenizer, modelVocabSize: number): [string, GgufValue][] {
  const json = tokenizer.tokenizerJson;
  const model = json.model ?? {};
  if (model.type !== "BPE" || model.byte_fallback !== true) {
    throw new Error(
      `[gguf] tokenizer ${tokenizer.name_or_path}: a ${String(model.type)} model${model.type === "BPE" ? " without byte_fallback" : ""} cannot be written as llama.cpp's SentencePiece vocabulary; ` +
        "supported: BPE with byte_fallback (Llama 2 / Mistral style).",
    );
  }
  if (!Number.isInteger(modelVocabSize) || modelVocabSize <= 0 || modelVocabSize > MAX_VOCAB) throw new RangeError(`[gguf] vocab_size ${modelVocabSize} is out of range`);
  const byId = new Map<number, string>();
  for (const [token, id] of tokenizer.getVocab()) byId.set(id, token);
  if (byId.size > modelVocabSize) {
    throw new Error(`[gguf] the tokenizer has ${byId.size} tokens but the model's vocab_size is ${modelVocabSize}; export a model whose embeddings cover the tokenizer`);
  }
  const rank = new Map<string, number>();
  ((model.merges as unknown[]) ?? []).forEach((m, r) => {
    const text = mergeText(m);
    if (text !== null && !rank.has(text)) rank.set(text, r);
  });
  const added = new Map((json.added_tokens ?? []).map((t) => [t.id, t]));
  const unk = tokenizer.unk_token_id;
  const tokens: string[] = [];
  const scores = new Float32Array(modelVocabSize);
  const types = new Int32Array(modelVocabSize);
  for (let id = 0; id < modelVocabSize; id++) {
    const text = byId.get(id);
    if (text === undefined) {
      tokens.push(`[PAD${id}]`);
      types[id] = TokenType.UNUSED;
      continue;
    }
    tokens.push(text);
    scores[id] = -(rank.get(text) ?? 0);
    const a = added.get(id);
    if (id === unk) types[id] = TokenType.UNKNOWN;
    else if (a) types[id] = a.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
    else if (/^<0x[0-9A-Fa-f]{2}>$/.test(text)) types[id] = TokenType.BYTE;
    else types[id] = TokenType.NORMAL;
  }
  const out: [string, GgufValue][] = [
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: tokens }],
    ["tokenizer.ggml.scores", { type: "f32[]", value: scores }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: types }],
  ];
  const ids: [string, number | null][] = [["bos", tokenizer.bos_token_id], ["eos", tokenizer.eos_token_id], ["unknown", unk], ["padding", tokenizer.pad_token_id]];
  for (const [role, id] of ids) if (id !== null) out.push([`tokenizer.ggml.${role}_token_id`, { type: "u32", value: id }]);
  out.push(["tokenizer.ggml.add_bos_token", { type: "bool", value: tokenizer.config.add_bos_token !== false }]);
  out.push(["tokenizer.ggml.add_eos_token", { type: "bool", value: tokenizer.config.add_eos_token === true }]);
  if (typeof tokenizer.config.chat_template === "string") out.push(["tokenizer.chat_template", { type: "string", value: tokenizer.config.chat_template }]);
  return out;
}
