const CONTEXT_TOKENS = 4;
export class TextStream {
    tokenizer;
    stops;
    ids = [];
    context;
    contextText;
    /** Text already handed out. */
    emitted = "";
    stoppedText = null;
    constructor(tokenizer, contextIds, stops = []) {
        this.tokenizer = tokenizer;
        this.stops = stops;
        this.context = contextIds.slice(-CONTEXT_TOKENS);
        this.contextText = this.decodeAll(this.context);
    }
    /** True once a stop string appeared; `text` then ends before it. */
    get stopped() {
        return this.stoppedText !== null;
    }
    /** The full generated text (up to a stop string). */
    get text() {
        return this.stoppedText ?? this.current();
    }
    /** Adds a token; returns the text that can be handed out now. */
    push(token) {
        if (this.stopped)
            return "";
        this.ids.push(token);
        const text = this.current();
        for (const s of this.stops) {
            const at = text.indexOf(s);
            if (at >= 0 && (this.stoppedText === null || at < this.stoppedText.length))
                this.stoppedText = text.slice(0, at);
        }
        if (this.stoppedText !== null)
            return this.release(this.stoppedText);
        let safe = text.endsWith("\uFFFD") ? text.replace(/\uFFFD+$/, "") : text;
        safe = safe.slice(0, safe.length - this.stopPrefixLength(safe));
        return this.release(safe);
    }
    /** What is left to hand out once the row has finished (held-back text that never became a stop). */
    flush() {
        return this.release(this.text);
    }
    release(upTo) {
        if (upTo.length <= this.emitted.length || !upTo.startsWith(this.emitted))
            return "";
        const delta = upTo.slice(this.emitted.length);
        this.emitted = upTo;
        return delta;
    }
    /** Length of the longest tail of `text` that begins some stop string. */
    stopPrefixLength(text) {
        let longest = 0;
        for (const s of this.stops) {
            for (let n = Math.min(s.length - 1, text.length); n > longest; n--) {
                if (text.endsWith(s.slice(0, n))) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }
    current() {
        const full = this.decodeAll([...this.context, ...this.ids]);
        return full.startsWith(this.contextText) ? full.slice(this.contextText.length) : this.decodeAll(this.ids);
    }
    decodeAll(ids) {
        return ids.length ? this.tokenizer.decode(ids, { skip_special_tokens: true }) : "";
    }
}
//# sourceMappingURL=text_stream.js.map