const frames = new WeakMap();
function locate(haystack, needle, from = 0) {
    outer: for (let i = from; i + needle.length <= haystack.length; i++) {
        for (let j = 0; j < needle.length; j++)
            if (haystack[i + j] !== needle[j])
                continue outer;
        return i;
    }
    return -1;
}
/** The special tokens the tokenizer adds around one text and around a pair. */
export function specialFrame(tokenizer) {
    const cached = frames.get(tokenizer);
    if (cached)
        return cached;
    const a = tokenizer.encode("hello", { add_special_tokens: false });
    const b = tokenizer.encode("world", { add_special_tokens: false });
    const one = tokenizer.encode("hello");
    const i = locate(one, a);
    const single = i < 0
        ? { prefix: [], middle: [], suffix: [], pairTypeId: 0 }
        : { prefix: one.slice(0, i), middle: [], suffix: one.slice(i + a.length), pairTypeId: 0 };
    const both = tokenizer.call("hello", { text_pair: "world", return_token_type_ids: true });
    const ids = both.input_ids[0];
    const ia = locate(ids, a);
    const ib = locate(ids, b, ia + a.length);
    const pair = ia < 0 || ib < 0
        ? { ...single, middle: single.suffix.concat(single.prefix) }
        : { prefix: ids.slice(0, ia), middle: ids.slice(ia + a.length, ib), suffix: ids.slice(ib + b.length), pairTypeId: both.token_type_ids?.[0][ib] ?? 0 };
    const result = { single, pair };
    frames.set(tokenizer, result);
    return result;
}
function usesByteLevelSpaces(tokenizer) {
    const pre = tokenizer.tokenizerJson?.pre_tokenizer;
    if (!pre)
        return false;
    if (pre.type === "ByteLevel" || pre.type === "Metaspace")
        return true;
    return Array.isArray(pre.pretokenizers) && pre.pretokenizers.some((p) => p.type === "ByteLevel" || p.type === "Metaspace");
}
/** Token ids of each word (without special tokens), caching words already seen. */
export class WordEncoder {
    tokenizer;
    cache = new Map();
    spaced;
    constructor(tokenizer) {
        this.tokenizer = tokenizer;
        this.spaced = usesByteLevelSpaces(tokenizer);
    }
    encodeWord(word, first) {
        const key = this.spaced && !first ? " " + word : word;
        let ids = this.cache.get(key);
        if (!ids) {
            ids = this.tokenizer.encode(key, { add_special_tokens: false });
            this.cache.set(key, ids);
        }
        return ids;
    }
    /** Ids per word, for pre-split words (token classification). */
    encodeWords(words) {
        return words.map((w, i) => this.encodeWord(w, i === 0));
    }
    /**
     * Tokenizes running text, returning ids and each token's character span in `text`
     * (the span of the word the token came from: sub-word offsets are not known).
     */
    encodeWithSpans(text) {
        const ids = [];
        const spans = [];
        const re = /\S+/g;
        let m;
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
function splitSpan(start, word, n) {
    if (n <= 1)
        return [[start, start + word.length]];
    const lead = /^[^\p{L}\p{N}]*/u.exec(word)[0].length;
    const trail = /[^\p{L}\p{N}]*$/u.exec(word.slice(lead))[0].length;
    const spans = [];
    let s = start;
    let remaining = word.length;
    let count = n;
    if (lead > 0 && count > 1) {
        spans.push([s, s + lead]);
        s += lead;
        remaining -= lead;
        count--;
    }
    const tailSpan = [];
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
//# sourceMappingURL=word_alignment.js.map