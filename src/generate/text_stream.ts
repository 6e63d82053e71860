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

const CONTEXT_TOKENS = 4;

export class TextStream {
  private readonly ids: number[] = [];
  private readonly context: number[];
  private readonly contextText: string;
  /** Text already handed out. */
  private emitted = "";
  private stoppedText: string | null = null;

  constructor(private readonly tokenizer: TextDecoder, contextIds: number[], private readonly stops: string[] = []) {
    this.context = contextIds.slice(-CONTEXT_TOKENS);
    this.contextText = this.decodeAll(this.context);
  }

  /** True once a stop string appeared; `text` then ends before it. */
  get stopped(): boolean {
    return this.stoppedText !== null;
  }

  /** The full generated text (up to a stop string). */
  get text(): string {
    return this.stoppedText ?? this.current();
  }

  /** Adds a token; returns the text that can be handed out now. */
  push(token: number): string {
    if (this.stopped) return "";
    this.ids.push(token);
    const text = this.current();
    for (const s of this.stops) {
      const at = text.indexOf(s);
      if (at >= 0 && (this.stoppedText === null || at < this.stoppedText.length)) this.stoppedText = text.slice(0, at);
    }
    if (this.stoppedText !== null) return this.release(this.stoppedText);
    let safe = text.endsWith("\uFFFD") ? text.replace(/\uFFFD+$/, "") : text;
    safe = safe.slice(0, safe.length - this.stopPrefixLength(safe));
    return this.release(safe);
  }

  /** What is left to hand out once the row has finished (held-back text that never became a stop). */
  flush(): string {
    return this.release(this.text);
  }

  private release(upTo: string): string {
    if (upTo.length <= this.emitted.length || !upTo.startsWith(this.emitted)) return "";
    const delta = upTo.slice(this.emitted.length);
    this.emitted = upTo;
    return delta;
  }

  /** Length of the longest tail of `text` that begins some stop string. */
  private stopPrefixLength(text: string): number {
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

  private current(): string {
    const full = this.decodeAll([...this.context, ...this.ids]);
    return full.startsWith(this.contextText) ? full.slice(this.contextText.length) : this.decodeAll(this.ids);
  }

  private decodeAll(ids: number[]): string {
    return ids.length ? this.tokenizer.decode(ids, { skip_special_tokens: true }) : "";
  }
}
