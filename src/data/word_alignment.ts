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

const frames = new WeakMap<object, { single: SpecialFrame; pair: SpecialFrame }>();

function locate(haystack: number[], needle: number[], from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The special tokens the tokenizer adds around one text and around a pair. */
export function specialFrame(tokenizer: PreTrainedTokenizer): { single: SpecialFrame; pair: SpecialFrame } {
  const cached = frames.get(tokenizer);
  if (cached) return cached;
  const a = tokenizer.encode("hello", { add_special_tokens: false });
  const b = tokenizer.encode("world", { add_special_tokens: false });
  const one = tokenizer.encode("hello");
  const i = locate(one, a);
  const single: SpecialFrame = i < 0
    ? { prefix: [], middle: [], suffix: [], pairTypeId: 0 }
    : { prefix: one.slice(0, i), middle: [], suffix: one.slice(i + a.length), pairTypeId: 0 };
  const both = tokenizer.call("hello", { text_pair: "world", return_token_type_ids: true });
  const ids = both.input_ids[0];
  const ia = locate(ids, a);
  const ib = locate(ids, b, ia + a.length);
  const pair: SpecialFrame = ia < 0 || ib < 0
    ? { ...single, middle: single.suffix.concat(single.prefix) }
    : { prefix: ids.slice(0, ia), middle: ids.slice(ia + a.length, ib), suffix: ids.slice(ib + b.length), pairTypeId: both.token_type_ids?.[0][ib] ?? 0 };
  const result = { single, pair };
  frames.set(tokenizer, result);
  return result;
}

function usesByteLevelSpaces(tokenizer: PreTrainedTokenizer): boolean {
  const pre = tokenizer.tokenizerJson?.pre_tokenizer as { type?: string; pretokenizers?: { type?: string }[] } | null | undefined;
  if (!pre) return false;
  if (pre.type === "ByteLevel" || pre.type === "Metaspace") return true;
  return Array.isArray(pre.pretokenizers) && pre.pretokenizers.some((p) => p.type === "ByteLevel" || p.type === "Metaspace");
}

/** Token ids of each word (without special tokens), caching words already seen. */
export class WordEncoder {
  private readonly cache = new Map<string, number[]>();
  private readonly spaced: boolean;
  constructor(readonly tokenizer: PreTrainedTokenizer) {
    this.spaced = usesByteLevelSpaces(tokenizer);
  }

  encodeWord(word: string, first: boolean): number[] {
    const key = this.spaced && !first ? " " + word : word;
    let ids = this.cache.get(key);
    if (!ids) {
      ids = this.tokenizer.encode(key, { add_special_tokens: false });
      this.cache.set(key, ids);
    }
    return ids;
  }

  /** Ids per word, for pre-split words (token classification). */
  encodeWords(words: readonly string[]): number[][] {
    return words.map((w, i) => this.encodeWord(w, i === 0));
  }

  /**
   * Tokenizes running text, returning ids and each token's character span in `text`
   * (the span of the word the token came from: sub-word offsets are not known).
   */
  encodeWithSpans(text: string): { ids: number[]; spans: [number, number][] } {
    const ids: number[] = [];
    const spans: [number, number][] = [];
    const re = /\S+/g;
    let m: RegExpExecArray | null;
    let first = true;
    while ((m = re.exec(text))) {
      const wordIds = this.encodeWord(m[0], first);
      first = false;
      const pieces = splitSpan(m.index, m[0], wordIds.length);
      wordIds.forEach((id, k) => {
        ids.push(id);
        spans.push(pieces[k]);
      });
    }
    return { ids, spans };
  }
}

/**
 * Splits a word's span among its tokens so an answer inside "Paris," can end before the
 * comma: punctuation at the edges gets its own character; the rest is shared out evenly.
 */
function splitSpan(start: number, word: string, n: number): [number, number][] {
  if (n <= 1) return [[start, start + word.length]];
  const lead = /^[^\p{L}\p{N}]*/u.exec(word)![0].length;
  const trail = /[^\p{L}\p{N}]*$/u.exec(word.slice(lead))![0].length;
  const spans: [number, number][] = [];
  let s = start;
  let remaining = word.length;
  let count = n;
  if (lead > 0 && count > 1) {
    spans.push([s, s + lead]);
    s += lead;
    remaining -= lead;
    count--;
  }
  const tailSpan: [number, number][] = [];
  if (trail > 0 && count > 1) {
    tailSpan.push([start + word.length - trail, start + word.length]);
    remaining -= trail;
    count--;
  }
  for (let k = 0; k < count; k++) {
    const size = Math.floor(remaining / count) + (k < remaining % count ? 1 : 0);
    spans.push([s, s + size]);
    s += size;
  }
  return [...spans, ...tailSpan];
}
