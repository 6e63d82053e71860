export type TokenizerJson = Record<string, unknown> & {
    added_tokens?: AddedTokenJson[];
    model?: Record<string, unknown>;
};
export interface AddedTokenJson {
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
}
export interface BertVocabOptions {
    do_lower_case?: boolean;
    tokenize_chinese_chars?: boolean;
    strip_accents?: boolean | null;
    unk_token?: string;
    sep_token?: string;
    pad_token?: string;
    cls_token?: string;
    mask_token?: string;
}
/** Parses vocab.txt: one token per line, the line number is the id (as BertTokenizer.load_vocab). */
export declare function parseVocabTxt(text: string, source: string): Map<string, number>;
/**
 * The tokenizer.json BertConverter writes: BertNormalizer, BertPreTokenizer, WordPiece ("##"),
 * TemplateProcessing "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1", WordPiece decoder.
 */
export declare function bertTokenizerJsonFromVocab(vocab: Map<string, number>, options: BertVocabOptions, source: string): TokenizerJson;
/**
 * The post-processor LlamaTokenizerFast.update_post_processor() builds from add_bos_token /
 * add_eos_token: "<s>:0 $A:0 </s>:0" and pair "... <s>:1 $B:1 </s>:1", each part only if enabled.
 */
export declare function bosEosTemplate(bos: {
    token: string;
    id: number;
} | null, eos: {
    token: string;
    id: number;
} | null): Record<string, unknown>;
