/**
 * The text of a row as tokens arrive: each new token gives the text it adds (a delta),
 * stop strings end the row with the text cut before them (OpenAI's `stop`), and a delta
 * never ends inside a multi-byte character (the decoder's U+FFFD) or inside what may
 * become a stop string, so streamed deltas always add up to the final text.
 *
 * Decoding the new tokens alone loses word-initial spaces (SentencePiece) and splits
 * characters across tokens; decoding them after a few context tokens and dropping the
 * context's own text is what transformers' TextStreamer and TGI do.
 */
import type { TextDecoder } from "./options.js";
export declare class TextStream {
    private readonly tokenizer;
    private readonly stops;
    private readonly ids;
    private readonly context;
    private readonly contextText;
    /** Text already handed out. */
    private emitted;
    private stoppedText;
    constructor(tokenizer: TextDecoder, contextIds: number[], stops?: string[]);
    /** True once a stop string appeared; `text` then ends before it. */
    get stopped(): boolean;
    /** The full generated text (up to a stop string). */
    get text(): string;
    /** Adds a token; returns the text that can be handed out now. */
    push(token: number): string;
    /** What is left to hand out once the row has finished (held-back text that never became a stop). */
    flush(): string;
    private release;
    /** Length of the longest tail of `text` that begins some stop string. */
    private stopPrefixLength;
    private current;
    private decodeAll;
}
