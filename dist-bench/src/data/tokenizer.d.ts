import { Tokenizer } from "@huggingface/tokenizers";
import { type ResolveOptions } from "../io/hub.js";
import { type TokenizerJson } from "./tokenizer_convert.js";
import { type ChatMessage, type ChatTemplates } from "./chat_template.js";
import { type PaddingOption, type TruncationOption } from "./tokenizer_batch.js";
export declare const SPECIAL_TOKEN_ROLES: readonly ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];
export type SpecialTokenRole = (typeof SPECIAL_TOKEN_ROLES)[number];
export type { TokenizerJson } from "./tokenizer_convert.js";
export type { ChatMessage } from "./chat_template.js";
/** transformers' VERY_LARGE_INTEGER: "no limit known". */
export declare const NO_MAX_LENGTH = 1e+30;
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
}
export interface BatchEncoding {
    input_ids: number[][];
    attention_mask?: number[][];
    token_type_ids?: number[][];
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
export declare class PreTrainedTokenizer {
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
    private readonly special;
    private readonly addedIds;
    private readonly vocabTxt;
    private readonly specialCount;
    /**
     * `options.apply_bos_eos`: rebuild the post-processor from config.add_bos_token/add_eos_token
     * (always done for Llama/Gemma tokenizer classes, as transformers does).
     */
    constructor(tokenizerJson: TokenizerJson, config?: Record<string, unknown>, options?: {
        name_or_path?: string;
        vocab_txt?: string;
        apply_bos_eos?: boolean;
    });
    /** Loads from a local folder or a hub id (tokenizer.json, or a BERT vocab.txt) plus tokenizer_config.json. */
    static fromPretrained(dirOrId: string, options?: FromPretrainedOptions): Promise<PreTrainedTokenizer>;
    get bos_token(): string | null;
    set bos_token(token: string | null);
    get eos_token(): string | null;
    set eos_token(token: string | null);
    get unk_token(): string | null;
    set unk_token(token: string | null);
    get sep_token(): string | null;
    set sep_token(token: string | null);
    get pad_token(): string | null;
    set pad_token(token: string | null);
    get cls_token(): string | null;
    set cls_token(token: string | null);
    get mask_token(): string | null;
    set mask_token(token: string | null);
    get bos_token_id(): number | null;
    get eos_token_id(): number | null;
    get unk_token_id(): number | null;
    get sep_token_id(): number | null;
    get pad_token_id(): number | null;
    get cls_token_id(): number | null;
    get mask_token_id(): number | null;
    /** Ids of every special token (added tokens marked special, and the role tokens). */
    get all_special_ids(): number[];
    /** Size of the base vocabulary (transformers' vocab_size). */
    get vocab_size(): number;
    /** Vocabulary size including added tokens (Python's len(tokenizer)). */
    get length(): number;
    getVocab(): Map<string, number>;
    /** Token strings of `text` (no special tokens unless asked). */
    tokenize(text: string, options?: {
        text_pair?: string | null;
        add_special_tokens?: boolean;
    }): string[];
    /** Token ids of one text (or pair), with special tokens by default; truncated if asked. */
    encode(text: string, options?: EncodeOptions): number[];
    /** Tokenizes a text or a batch with transformers' options; always returns one row per text. */
    call(text: string | string[], options?: CallOptions): BatchEncoding;
    decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
    batchDecode(sequences: ArrayLike<number>[], options?: DecodeOptions): string[];
    /** The id of each token (the unk id for unknown tokens, null if there is no unk token). */
    convertTokensToIds(tokens: string): number | null;
    convertTokensToIds(tokens: string[]): (number | null)[];
    convertIdsToTokens(ids: number): string | null;
    convertIdsToTokens(ids: number[]): (string | null)[];
    /** Renders messages with the tokenizer's chat template (Jinja, as transformers does). */
    applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions & {
        tokenize: false;
    }): string;
    applyChatTemplate(messages: ChatMessage[], options?: ChatTemplateOptions): number[];
    /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json (and vocab.txt when loaded from one). */
    savePretrained(dir: string): string[];
    private encodeRow;
    private assemble;
    private numSpecialTokens;
    private idOfRole;
    private setSpecial;
    private addedTokenEntry;
}
export declare const AutoTokenizer: {
    fromPretrained: (dirOrId: string, options?: FromPretrainedOptions) => Promise<PreTrainedTokenizer>;
};
