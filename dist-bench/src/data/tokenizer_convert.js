// tokenizer.json objects built in memory for checkpoints that ship older files, equal to what
// transformers' convert_slow_tokenizer.py produces, so the maintained library can run them.
/** Parses vocab.txt: one token per line, the line number is the id (as BertTokenizer.load_vocab). */
export function parseVocabTxt(text, source) {
    const lines = text.split("\n");
    if (lines.length > 0 && lines[lines.length - 1] === "")
        lines.pop();
    const vocab = new Map();
    lines.forEach((line, i) => {
        const token = line.replace(/\r$/, ""); // load_vocab strips only the newline
        // load_vocab keeps the last id of a repeated token; so do we.
        vocab.set(token, i);
    });
    if (vocab.size === 0)
        throw new Error(`[tokenizer] ${source}: vocab.txt is empty; re-download the tokenizer files`);
    return vocab;
}
/**
 * The tokenizer.json BertConverter writes: BertNormalizer, BertPreTokenizer, WordPiece ("##"),
 * TemplateProcessing "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1", WordPiece decoder.
 */
export function bertTokenizerJsonFromVocab(vocab, options, source) {
    const unk = options.unk_token ?? "[UNK]";
    const cls = options.cls_token ?? "[CLS]";
    const sep = options.sep_token ?? "[SEP]";
    const pad = options.pad_token ?? "[PAD]";
    const mask = options.mask_token ?? "[MASK]";
    const idOf = (token, role) => {
        const id = vocab.get(token);
        if (id === undefined)
            throw new Error(`[tokenizer] ${source}: ${role} "${token}" is not in vocab.txt; check the file or set ${role} in tokenizer_config.json`);
        return id;
    };
    const clsId = idOf(cls, "cls_token");
    const sepId = idOf(sep, "sep_token");
    idOf(unk, "unk_token");
    const added = [];
    for (const token of [pad, unk, cls, sep, mask]) {
        const id = vocab.get(token);
        if (id !== undefined && !added.some((a) => a.id === id)) {
            added.push({ id, content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
        }
    }
    added.sort((a, b) => a.id - b.id);
    const lowercase = options.do_lower_case ?? true;
    return {
        version: "1.0",
        truncation: null,
        padding: null,
        added_tokens: added,
        normalizer: {
            type: "BertNormalizer",
            clean_text: true,
            handle_chinese_chars: options.tokenize_chinese_chars ?? true,
            strip_accents: options.strip_accents ?? null,
            lowercase,
        },
        pre_tokenizer: { type: "BertPreTokenizer" },
        post_processor: {
            type: "TemplateProcessing",
            single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
            pair: [
                { SpecialToken: { id: cls, type_id: 0 } },
                { Sequence: { id: "A", type_id: 0 } },
                { SpecialToken: { id: sep, type_id: 0 } },
                { Sequence: { id: "B", type_id: 1 } },
                { SpecialToken: { id: sep, type_id: 1 } },
            ],
            special_tokens: {
                [cls]: { id: cls, ids: [clsId], tokens: [cls] },
                [sep]: { id: sep, ids: [sepId], tokens: [sep] },
            },
        },
        decoder: { type: "WordPiece", prefix: "##", cleanup: true },
        model: {
            type: "WordPiece",
            unk_token: unk,
            continuing_subword_prefix: "##",
            max_input_chars_per_word: 100,
            vocab: Object.fromEntries(vocab),
        },
    };
}
/**
 * The post-processor LlamaTokenizerFast.update_post_processor() builds from add_bos_token /
 * add_eos_token: "<s>:0 $A:0 </s>:0" and pair "... <s>:1 $B:1 </s>:1", each part only if enabled.
 */
export function bosEosTemplate(bos, eos) {
    const special = (token, type_id) => ({ SpecialToken: { id: token, type_id } });
    const seq = (id, type_id) => ({ Sequence: { id, type_id } });
    const side = (id, typeId) => [...(bos ? [special(bos.token, typeId)] : []), seq(id, typeId), ...(eos ? [special(eos.token, typeId)] : [])];
    const specialTokens = {};
    for (const t of [bos, eos])
        if (t)
            specialTokens[t.token] = { id: t.token, ids: [t.id], tokens: [t.token] };
    return { type: "TemplateProcessing", single: side("A", 0), pair: [...side("A", 0), ...side("B", 1)], special_tokens: specialTokens };
}
//# sourceMappingURL=tokenizer_convert.js.map