/**
 * Word-level tokenization for tasks that must map tokens back to words or characters
 * (token classification, extractive QA). The tokenizer library gives no offsets, so each
 * whitespace-separated word is tokenized on its own (cached) and the special-token frame
 * ([CLS] … [SEP], <s> … </s>) is learned once by probing the tokenizer. For WordPiece
 * tokenizers this is exactly what tokenizing the whole text gives; byte-level BPE words get
 * their leading space back, as HF's add_prefix_space does.
 */
import type { PreTrainedTokenizer } from "./tokenizer.js";
export interface SpecialFrame {
    /** Ids before the first text. */
    prefix: number[];
    /** Ids between the two texts of a pair. */
    middle: number[];
    /** Ids after the last text. */
    suffix: number[];
    /** token_type_id of the second text's tokens (1 for BERT, 0 for models without types). */
    pairTypeId: number;
}
/** The special tokens the tokenizer adds around one text and around a pair. */
export declare function specialFrame(tokenizer: PreTrainedTokenizer): {
    single: SpecialFrame;
    pair: SpecialFrame;
};
/** Token ids of each word (without special tokens), caching words already seen. */
export declare class WordEncoder {
    readonly tokenizer: PreTrainedTokenizer;
    private readonly cache;
    private readonly spaced;
    constructor(tokenizer: PreTrainedTokenizer);
    encodeWord(word: string, first: boolean): number[];
    /** Ids per word, for pre-split words (token classification). */
    encodeWords(words: readonly string[]): number[][];
    /**
     * Tokenizes running text, returning ids and each token's character span in `text`
     * (the span of the word the token came from: sub-word offsets are not known).
     */
    encodeWithSpans(text: string): {
        ids: number[];
        spans: [number, number][];
    };
}
