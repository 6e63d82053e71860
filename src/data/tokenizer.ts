// Tokenizers from Hugging Face files, run by the maintained tokenizers.js library
// (@huggingface/tokenizers): tokenizer.json does the tokenizing; this file adds what transformers'
// PreTrainedTokenizerFast adds on top: special-token roles from tokenizer_config.json, batching,
// truncation and padding with transformers' option names, chat templates, save_pretrained.
// Batches are produced by `tokenizer.call(texts, options)` (the instance is not callable).
import * as fs from "node:fs";
import * as path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from "../io/json.js";
import { resolvePretrained, type ResolveOptions } from "../io/hub.js";
import { bertTokenizerJsonFromVocab, bosEosTemplate, parseVocabTxt, type TokenizerJson } from "./tokenizer_convert.js";
import { parseChatTemplate, pickChatTemplate, renderChatTemplate, type ChatMessage, type ChatTemplates } from "./chat_template.js";
import { padBatch, resolvePadding, resolveTruncation, truncatePair, type PaddingOption, type TruncationOption } from "./tokenizer_batch.js";

export const SPECIAL_TOKEN_ROLES = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] as const;
export type SpecialTokenRole = (typeof SPECIAL_TOKEN_ROLES)[number];
export type { TokenizerJson } from "./tokenizer_convert.js";
export type { ChatMessage } from "./chat_template.js";

/** transformers' VERY_LARGE_INTEGER: "no limit known". */
export const NO_MAX_LENGTH = 1e30;
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "chat_template.jinja", "tokenizer.model"];
const LLAMA_CLASSES = /^(Llama|CodeLlama|Gemma)Tokenizer(Fast)?$/;
const TOKEN_TYPE_CLASSES = /^(Bert|Electra|Albert|MobileBert|Funnel|LayoutLM|Deberta|XLNet|SqueezeBert|ConvBert|RemBert|Splinter|RoFormer|Lxmert)/;

export interface EncodeOptions {
  text_pair?: string | null;
  add_special_tokens?: boolean;
  truncation?: TruncationOption;
  max_length?: number;
}

export interface CallOptions extends Omit<EncodeOptions, "text_pair"> {
  text_pair?: string | string[] | null;
  padding?: PaddingOption;
  pad_to_multiple_of?: number;
  padding_side?: "left" | "right";
  return_attention_mask?: boolean;
  /** Default: whether the model takes token_type_ids (BERT-like tokenizers, or model_input_names says so). */
  return_token_type_ids?: boolean;
  /** Also return num_truncated_tokens (as transformers' slow tokenizers do with overflowing tokens). */
  return_num_truncated_tokens?: boolean;
}

export interface BatchEncoding {
  input_ids: number[][];
  attention_mask?: number[][];
  token_type_ids?: number[][];
  /** Per row, the tokens truncation removed (0 when the row fit). */
  num_truncated_tokens?: number[];
}

export interface DecodeOptions {
  skip_special_tokens?: boolean;
  clean_up_tokenization_spaces?: boolean;
}

export interface ChatTemplateOptions {
  add_generation_prompt?: boolean;
  /** true (default): token ids; false: the rendered string. */
  tokenize?: boolean;
  /** A template string, or the name of one of the tokenizer's named templates. */
  chat_template?: string;
  /** Leave the last message open (no end-of-turn tokens) so generation continues it. */
  continue_final_message?: boolean;
  tools?: unknown[];
  documents?: unknown[];
  /** Extra variables for the template. */
  [key: string]: unknown;
}

/** tokenizer_config.json keys that may be overridden when loading (transformers' from_pretrained kwargs). */
export interface TokenizerOverrides {
  padding_side?: "left" | "right";
  truncation_side?: "left" | "right";
  model_max_length?: number;
  add_bos_token?: boolean;
  add_eos_token?: boolean;
  chat_template?: string;
  bos_token?: string | null;
  eos_token?: string | null;
  unk_token?: string | null;
  sep_token?: string | null;
  pad_token?: string | null;
  cls_token?: string | null;
  mask_token?: string | null;
}

export type FromPretrainedOptions = Omit<ResolveOptions, "files" | "require"> & TokenizerOverrides;

export class PreTrainedTokenizer {
  readonly backend: Tokenizer;
  /** The tokenizer.json object in use (with the post-processor transformers would rebuild). */
  readonly tokenizerJson: TokenizerJson;
  /** tokenizer_config.json (merged with special_tokens_map.json and overrides). */
  readonly config: Record<string, unknown>;
  readonly name_or_path: string;
  padding_side: "left" | "right";
  truncation_side: "left" | "right";
  model_max_length: number;
  chat_template: ChatTemplates;
  additional_special_tokens: string[];
  readonly model_input_names: string[];
  private readonly special = new Map<SpecialTokenRole, string | null>();
  private readonly addedIds = new Map<string, number>();
  private readonly vocabTxt: string | null;
  private readonly specialCount = new Map<boolean, number>();

  /**
   * `options.apply_bos_eos`: rebuild the post-processor from config.add_bos_token/add_eos_token
   * (always done for Llama/Gemma tokenizer classes, as transformers does).
   */
  constructor(tokenizerJson: TokenizerJson, config: Record<string, unknown> = {}, options: { name_or_path?: string; vocab_txt?: string; apply_bos_eos?: boolean } = {}) {
    this.name_or_path = options.name_or_path ?? "<in memory>";
    this.vocabTxt = options.vocab_txt ?? null;
    this.config = { ...config };
    for (const role of SPECIAL_TOKEN_ROLES) this.special.set(role, tokenString(config[role]));
    this.additional_special_tokens = Array.isArray(config.additional_special_tokens) ? config.additional_special_tokens.map(tokenString).filter((t): t is string => t !== null) : [];
    const json: TokenizerJson = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...tokenizerJson };
    const tokenizerClass = String(config.tokenizer_class ?? "");
    // LlamaTokenizerFast (and Gemma's) rebuild the post-processor from add_bos_token/add_eos_token at
    // load; an explicit add_bos_token/add_eos_token passed to fromPretrained does the same for others.
    const llama = LLAMA_CLASSES.test(tokenizerClass);
    if (llama || options.apply_bos_eos === true) {
      const kind = (json.post_processor as { type?: string } | null)?.type;
      if (!llama && kind !== undefined && kind !== "ByteLevel") {
        throw new Error(
          `[tokenizer] ${this.name_or_path}: add_bos_token/add_eos_token can only be overridden for tokenizers whose post-processor adds no special tokens, ` +
            `and this one uses ${kind}; leave them unset and add bos/eos ids yourself`,
        );
      }
      const entry = (role: "bos_token" | "eos_token") => {
        const token = this.special.get(role);
        if (!token) throw new Error(`[tokenizer] ${this.name_or_path}: add_${role} is true but ${role} is not set; set ${role} in tokenizer_config.json`);
        const id = lookupId(json, token);
        if (id === undefined) throw new Error(`[tokenizer] ${this.name_or_path}: ${role} "${token}" is not in the vocabulary; fix ${role} in tokenizer_config.json`);
        return { token, id };
      };
      const addBos = typeof config.add_bos_token === "boolean" ? config.add_bos_token : llama;
      json.post_processor = bosEosTemplate(addBos ? entry("bos_token") : null, config.add_eos_token === true ? entry("eos_token") : null);
    }
    checkTokenizerModel(json, this.name_or_path);
    this.tokenizerJson = json;
    const libraryConfig: Record<string, unknown> = { ...this.config, additional_special_tokens: this.additional_special_tokens };
    for (const role of SPECIAL_TOKEN_ROLES) libraryConfig[role] = this.special.get(role) ?? undefined;
    try {
      this.backend = new Tokenizer(json, libraryConfig);
    } catch (err) {
      throw new Error(`[tokenizer] ${this.name_or_path}: tokenizer.json could not be loaded (${(err as Error).message}); re-download it or re-save it with transformers`);
    }
    for (const [id, token] of this.backend.get_added_tokens_decoder()) {
      this.addedIds.set(token.content, id);
      if (token.normalized && this.backend.normalizer) this.addedIds.set(this.backend.normalizer(token.content), id);
    }
    if (this.special.get("unk_token") == null && typeof json.model?.unk_token === "string") this.special.set("unk_token", json.model.unk_token);
    this.padding_side = config.padding_side === "left" ? "left" : "right";
    this.truncation_side = config.truncation_side === "left" ? "left" : "right";
    this.model_max_length = typeof config.model_max_length === "number" && config.model_max_length > 0 ? config.model_max_length : NO_MAX_LENGTH;
    this.chat_template = parseChatTemplate(config.chat_template);
    const usesTypeIds = TOKEN_TYPE_CLASSES.test(tokenizerClass) || (tokenizerClass === "" && json.model?.type === "WordPiece");
    this.model_input_names = Array.isArray(config.model_input_names)
      ? config.model_input_names.map(String)
      : usesTypeIds ? ["input_ids", "token_type_ids", "attention_mask"] : ["input_ids", "attention_mask"];
  }

  /** Loads from a local folder or a hub id (tokenizer.json, or a BERT vocab.txt) plus tokenizer_config.json. */
  static async fromPretrained(dirOrId: string, options: FromPretrainedOptions = {}): Promise<PreTrainedTokenizer> {
    const { padding_side, truncation_side, model_max_length, add_bos_token, add_eos_token, chat_template, ...rest } = options;
    const hubOptions: ResolveOptions = { revision: rest.revision, cache_dir: rest.cache_dir, token: rest.token, local_files_only: rest.local_files_only, endpoint: rest.endpoint, progress: rest.progress, fetch: rest.fetch };
    const dir = await resolvePretrained(dirOrId, { ...hubOptions, files: TOKENIZER_FILES, require: [] });
    const file = (name: string) => path.join(dir, name);
    const readIf = (name: string) => (fs.existsSync(file(name)) ? readJsonFile<Record<string, unknown>>(file(name), { where: "tokenizer" }) : null);
    const config: Record<string, unknown> = { ...(readIf("tokenizer_config.json") ?? {}) };
    // As in transformers, special_tokens_map.json wins over tokenizer_config.json for the roles it names.
    for (const [key, value] of Object.entries(readIf("special_tokens_map.json") ?? {})) config[key] = value;
    if (fs.existsSync(file("chat_template.jinja"))) config.chat_template = fs.readFileSync(file("chat_template.jinja"), "utf8");
    const overrides: Record<string, unknown> = { padding_side, truncation_side, model_max_length, add_bos_token, add_eos_token, chat_template };
    for (const role of SPECIAL_TOKEN_ROLES) overrides[role] = options[role];
    for (const [key, value] of Object.entries(overrides)) if (value !== undefined) config[key] = value;
    const apply_bos_eos = add_bos_token !== undefined || add_eos_token !== undefined;

    if (fs.existsSync(file("tokenizer.json"))) {
      const json = readJsonFile<TokenizerJson>(file("tokenizer.json"), { where: "tokenizer", maxBytes: 512 * 1024 * 1024 });
      if (typeof json !== "object" || json === null || Array.isArray(json) || typeof json.model !== "object") {
        throw new Error(`[tokenizer] ${file("tokenizer.json")}: not a tokenizers JSON file (no "model" object); re-download it`);
      }
      return new PreTrainedTokenizer(json, config, { name_or_path: dirOrId, apply_bos_eos });
    }
    if (fs.existsSync(file("vocab.txt"))) {
      const text = fs.readFileSync(file("vocab.txt"), "utf8");
      const bertConfig: Record<string, unknown> = { tokenizer_class: "BertTokenizer", do_lower_case: true, unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]", ...config };
      const opts = Object.fromEntries(["do_lower_case", "tokenize_chinese_chars", "strip_accents", ...SPECIAL_TOKEN_ROLES].map((k) => [k, k.endsWith("_token") ? tokenString(bertConfig[k]) ?? undefined : bertConfig[k]]));
      const json = bertTokenizerJsonFromVocab(parseVocabTxt(text, file("vocab.txt")), opts, file("vocab.txt"));
      return new PreTrainedTokenizer(json, bertConfig, { name_or_path: dirOrId, vocab_txt: text });
    }
    const present = fs.readdirSync(dir).sort();
    const sentencepiece = present.includes("tokenizer.model") ? " Only tokenizer.model (SentencePiece) is here: convert it once with Python, `AutoTokenizer.from_pretrained(dir).save_pretrained(dir)` writes tokenizer.json." : "";
    throw new Error(`[tokenizer] ${dir}: no tokenizer.json or vocab.txt (folder has: ${present.join(", ") || "nothing"}).${sentencepiece || " Pass the folder of a transformers tokenizer."}`);
  }

  // Special-token roles, transformers' attribute names.
  get bos_token(): string | null { return this.special.get("bos_token") ?? null; }
  set bos_token(token: string | null) { this.setSpecial("bos_token", token); }
  get eos_token(): string | null { return this.special.get("eos_token") ?? null; }
  set eos_token(token: string | null) { this.setSpecial("eos_token", token); }
  get unk_token(): string | null { return this.special.get("unk_token") ?? null; }
  set unk_token(token: string | null) { this.setSpecial("unk_token", token); }
  get sep_token(): string | null { return this.special.get("sep_token") ?? null; }
  set sep_token(token: string | null) { this.setSpecial("sep_token", token); }
  get pad_token(): string | null { return this.special.get("pad_token") ?? null; }
  set pad_token(token: string | null) { this.setSpecial("pad_token", token); }
  get cls_token(): string | null { return this.special.get("cls_token") ?? null; }
  set cls_token(token: string | null) { this.setSpecial("cls_token", token); }
  get mask_token(): string | null { return this.special.get("mask_token") ?? null; }
  set mask_token(token: string | null) { this.setSpecial("mask_token", token); }
  get bos_token_id(): number | null { return this.idOfRole("bos_token"); }
  get eos_token_id(): number | null { return this.idOfRole("eos_token"); }
  get unk_token_id(): number | null { return this.idOfRole("unk_token"); }
  get sep_token_id(): number | null { return this.idOfRole("sep_token"); }
  get pad_token_id(): number | null { return this.idOfRole("pad_token"); }
  get cls_token_id(): number | null { return this.idOfRole("cls_token"); }
  get mask_token_id(): number | null { return this.idOfRole("mask_token"); }

  /** Ids of every special token (added tokens marked special, and the role tokens). */
  get all_special_ids(): number[] {
    const ids = new Set<number>();
    for (const [id, t] of this.backend.get_added_tokens_decoder()) if (t.special) ids.add(id);
    for (const role of SPECIAL_TOKEN_ROLES) {
      const id = this.idOfRole(role);
      if (id !== null) ids.add(id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Size of the base vocabulary (transformers' vocab_size). */
  get vocab_size(): number {
    const vocab = this.tokenizerJson.model?.vocab;
    return Array.isArray(vocab) ? vocab.length : vocab && typeof vocab === "object" ? Object.keys(vocab).length : this.length;
  }

  /** Vocabulary size including added tokens (Python's len(tokenizer)). */
  get length(): number {
    return this.backend.get_vocab(true).size;
  }

  getVocab(): Map<string, number> {
    return this.backend.get_vocab(true);
  }

  /** Token strings of `text` (no special tokens unless asked). */
  tokenize(text: string, options: { text_pair?: string | null; add_special_tokens?: boolean } = {}): string[] {
    return this.backend.tokenize(checkText(text, "tokenize"), { text_pair: options.text_pair ?? null, add_special_tokens: options.add_special_tokens ?? false });
  }

  /** Token ids of one text (or pair), with special tokens by default; truncated if asked. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.encodeRow(checkText(text, "encode"), options.text_pair ?? null, options).ids;
  }

  /** Tokenizes a text or a batch with transformers' options; always returns one row per text. */
  call(text: string | string[], options: CallOptions = {}): BatchEncoding {
    const texts = Array.isArray(text) ? text : [text];
    const pairs = options.text_pair == null ? null : Array.isArray(options.text_pair) ? options.text_pair : [options.text_pair];
    if (pairs !== null && pairs.length !== texts.length) {
      throw new Error(`[tokenizer] call: ${texts.length} texts but ${pairs.length} text_pair entries; pass one pair per text`);
    }
    const rows = texts.map((t, i) => this.encodeRow(checkText(t, `call: text[${i}]`), pairs ? checkText(pairs[i], `call: text_pair[${i}]`) : null, options));
    const withTypes = options.return_token_type_ids ?? this.model_input_names.includes("token_type_ids");
    const withMask = options.return_attention_mask ?? true;
    const target = resolvePadding(options.padding, options.max_length, this.model_max_length, rows, options.pad_to_multiple_of);
    if (target !== null && rows.some((r) => r.ids.length < target) && this.pad_token_id === null) {
      throw new Error(
        `[tokenizer] padding needs a pad token but ${this.name_or_path} has ${this.pad_token === null ? "none (pad_token is null)" : `pad_token "${this.pad_token}", which is not in the vocabulary`}; ` +
          `set one first, e.g. tokenizer.pad_token = tokenizer.eos_token`,
      );
    }
    const batch: BatchEncoding = padBatch(rows, target, this.pad_token_id ?? 0, options.padding_side ?? this.padding_side, withMask, withTypes);
    if (options.return_num_truncated_tokens) batch.num_truncated_tokens = rows.map((r) => r.truncated);
    return batch;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list = Array.from(ids, (id, i) => {
      if (!Number.isInteger(id)) throw new Error(`[tokenizer] decode: ids[${i}] is ${id}; token ids are integers`);
      return id;
    }).filter((id) => this.backend.id_to_token(id) !== undefined); // unknown ids are skipped, as the Rust library does
    if (list.length === 0) return "";
    const clean = options.clean_up_tokenization_spaces ?? (typeof this.config.clean_up_tokenization_spaces === "boolean" ? this.config.clean_up_tokenization_spaces : undefined);
    return this.backend.decode(list, { skip_special_tokens: options.skip_special_tokens ?? false, clean_up_tokenization_spaces: clean });
  }

  batchDecode(sequences: ArrayLike<number>[], options: DecodeOptions = {}): string[] {
    return Array.from(sequences, (ids) => this.decode(ids, options));
  }

  /** The id of each token (the unk id for unknown tokens, null if there is no unk token). */
  convertTokensToIds(tokens: string): number | null;
  convertTokensToIds(tokens: string[]): (number | null)[];
  convertTokensToIds(tokens: string | string[]): number | null | (number | null)[] {
    const one = (t: string) => this.addedIds.get(t) ?? this.backend.token_to_id(t) ?? this.idOfRole("unk_token");
    return Array.isArray(tokens) ? tokens.map(one) : one(tokens);
  }

  convertIdsToTokens(ids: number): string | null;
  convertIdsToTokens(ids: number[]): (string | null)[];
  convertIdsToTokens(ids: number | number[]): string | null | (string | null)[] {
    const one = (id: number) => this.backend.id_to_token(id) ?? null;
    return Array.isArray(ids) ? ids.map(one) : one(ids);
  }

  /** Renders messages with the tokenizer's chat template (Jinja, as transformers does). */
  applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions & { tokenize: false }): string;
  applyChatTemplate(messages: ChatMessage[], options?: ChatTemplateOptions): number[];
  applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions = {}): string | number[] {
    const { add_generation_prompt = false, tokenize = true, chat_template, continue_final_message = false, ...extra } = options;
    if (continue_final_message && add_generation_prompt) throw new Error(`[tokenizer] applyChatTemplate: continue_final_message and add_generation_prompt exclude each other; pick one`);
    const source = pickChatTemplate(this.chat_template, chat_template, Array.isArray(extra.tools), this.name_or_path);
    const context: Record<string, unknown> = { add_generation_prompt, additional_special_tokens: this.additional_special_tokens, ...extra };
    for (const role of SPECIAL_TOKEN_ROLES) context[role] = this.special.get(role) ?? "";
    const rendered = renderChatTemplate(source, messages, context, continue_final_message);
    // The template writes its own special tokens (BOS and the like): none are added on top.
    return tokenize ? this.encode(rendered, { add_special_tokens: false }) : rendered;
  }

  /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json (and vocab.txt when loaded from one). */
  savePretrained(dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const write = (name: string, value: unknown) => {
      writeJsonAtomic(path.join(dir, name), value);
      written.push(path.join(dir, name));
    };
    write("tokenizer.json", this.tokenizerJson);
    const config: Record<string, unknown> = { ...this.config };
    const map: Record<string, unknown> = {};
    for (const role of SPECIAL_TOKEN_ROLES) {
      const token = this.special.get(role) ?? null;
      config[role] = token;
      if (token !== null) map[role] = this.addedTokenEntry(token);
    }
    if (this.additional_special_tokens.length > 0) {
      config.additional_special_tokens = this.additional_special_tokens;
      map.additional_special_tokens = this.additional_special_tokens.map((t) => this.addedTokenEntry(t));
    }
    Object.assign(config, { padding_side: this.padding_side, truncation_side: this.truncation_side, model_max_length: this.model_max_length === NO_MAX_LENGTH ? undefined : this.model_max_length, chat_template: this.chat_template ?? undefined });
    const rebuilt = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    write("tokenizer_config.json", rebuilt);
    write("special_tokens_map.json", map);
    if (this.vocabTxt !== null) {
      writeFileAtomic(path.join(dir, "vocab.txt"), this.vocabTxt);
      written.push(path.join(dir, "vocab.txt"));
    }
    return written;
  }

  private encodeRow(text: string, pair: string | null, options: Omit<EncodeOptions, "text_pair">): { ids: number[]; typeIds: number[]; truncated: number } {
    const addSpecial = options.add_special_tokens ?? true;
    let a = this.backend.tokenize(text, { add_special_tokens: false });
    let b = pair === null ? null : this.backend.tokenize(pair, { add_special_tokens: false });
    const before = a.length + (b?.length ?? 0);
    const truncation = resolveTruncation(options.truncation, options.max_length, this.model_max_length);
    if (truncation !== null) {
      const reserved = addSpecial ? this.numSpecialTokens(b !== null) : 0;
      [a, b] = truncatePair(a, b, truncation.max_length - reserved, truncation.strategy, this.truncation_side, reserved);
    }
    return { ...this.assemble(a, b, addSpecial), truncated: before - a.length - (b?.length ?? 0) };
  }

  private assemble(a: string[], b: string[] | null, addSpecial: boolean): { ids: number[]; typeIds: number[] } {
    const processor = this.backend.post_processor;
    const out = processor ? processor(a, b, addSpecial) : { tokens: a, tokens_pair: b ?? undefined };
    let tokens = out.tokens;
    let typeIds = out.token_type_ids;
    // Post-processors without a template (ByteLevel, none) leave the pair unmerged: type ids 0 then 1.
    if ("tokens_pair" in out && out.tokens_pair) {
      tokens = [...out.tokens, ...out.tokens_pair];
      typeIds = [...new Array(out.tokens.length).fill(0), ...new Array(out.tokens_pair.length).fill(1)];
    }
    const unk = this.idOfRole("unk_token");
    const ids = tokens.map((t: string) => {
      const id = this.addedIds.get(t) ?? this.backend.token_to_id(t) ?? unk;
      if (id === null) throw new Error(`[tokenizer] ${this.name_or_path}: token "${t}" is not in the vocabulary and there is no unk_token; the tokenizer files disagree — re-download them`);
      return id;
    });
    return { ids, typeIds: typeIds ?? new Array(ids.length).fill(0) };
  }

  private numSpecialTokens(pair: boolean): number {
    let n = this.specialCount.get(pair);
    if (n === undefined) this.specialCount.set(pair, (n = this.assemble([], pair ? [] : null, true).ids.length));
    return n;
  }

  private idOfRole(role: SpecialTokenRole): number | null {
    const token = this.special.get(role);
    if (token == null) return null;
    return this.addedIds.get(token) ?? this.backend.token_to_id(token) ?? null;
  }

  private setSpecial(role: SpecialTokenRole, token: string | null): void {
    if (token !== null && (typeof token !== "string" || (this.addedIds.get(token) ?? this.backend.token_to_id(token)) === undefined)) {
      throw new Error(`[tokenizer] ${role} ${JSON.stringify(token)} is not in the vocabulary; use an existing token, e.g. tokenizer.${role} = tokenizer.eos_token`);
    }
    this.special.set(role, token);
  }

  private addedTokenEntry(token: string): unknown {
    for (const t of this.tokenizerJson.added_tokens ?? []) {
      if (t.content === token) return { content: t.content, lstrip: t.lstrip, normalized: t.normalized, rstrip: t.rstrip, single_word: t.single_word };
    }
    return token;
  }
}

export const AutoTokenizer = {
  fromPretrained: (dirOrId: string, options: FromPretrainedOptions = {}) => PreTrainedTokenizer.fromPretrained(dirOrId, options),
};

/** A special token as the config writes it: a string, or an AddedToken dict with "content". */
function tokenString(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") return (value as { content: string }).content;
  return null;
}

function lookupId(json: TokenizerJson, token: string): number | undefined {
  const added = json.added_tokens?.find((t) => t.content === token);
  if (added) return added.id;
  const vocab = json.model?.vocab;
  if (Array.isArray(vocab)) {
    const i = vocab.findIndex((entry) => Array.isArray(entry) && entry[0] === token);
    return i >= 0 ? i : undefined;
  }
  if (vocab && typeof vocab === "object" && Object.prototype.hasOwnProperty.call(vocab, token)) return (vocab as Record<string, number>)[token];
  return undefined;
}

function checkText(text: unknown, where: string): string {
  if (typeof text !== "string") throw new Error(`[tokenizer] ${where} is ${text === null ? "null" : typeof text}; pass a string`);
  return text;
}

/** The model types tokenizers' tokenizer.json defines (the library guesses one for anything else). */
const TOKENIZER_MODEL_TYPES = ["BPE", "WordPiece", "WordLevel", "Unigram"];

/** An unknown model type or an empty vocabulary would tokenize every input to [UNK]: refuse them, naming the key. */
function checkTokenizerModel(json: TokenizerJson, source: string): void {
  const model = json.model as { type?: unknown; vocab?: unknown } | undefined;
  if (!model) return;
  if (model.type !== undefined && !TOKENIZER_MODEL_TYPES.includes(model.type as string)) {
    throw new Error(`[tokenizer] ${source}: tokenizer.json model.type is ${JSON.stringify(model.type)}, not one of ${TOKENIZER_MODEL_TYPES.join(", ")}; re-download the file or re-save it with transformers`);
  }
  const vocab = model.vocab;
  const size = Array.isArray(vocab) ? vocab.length : vocab && typeof vocab === "object" ? Object.keys(vocab).length : null;
  if (size === 0) {
    throw new Error(`[tokenizer] ${source}: tokenizer.json has an empty vocabulary (model.vocab), so every input would become the unknown token; re-download the file or point to the model's tokenizer`);
  }
}
