import type { SeededRandom } from "../tensor/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import type { PastKeyValues } from "../models/decoder_utils.js";
import type { FinishReason, RowOptions } from "./options.js";
import { TextStream } from "./text_stream.js";
export interface SequenceInput {
    /** The prompt (decoder-only) or the encoder's input (encoder-decoder); no padding. */
    ids: number[];
    options: RowOptions;
    rng: SeededRandom | null;
}
export declare class Sequence {
    readonly input: SequenceInput;
    /** The tokens generated so far (the stop token included). */
    readonly generated: number[];
    finish: FinishReason | null;
    /** Set by cancel(): the row leaves the batch before the next step. */
    cancelled: boolean;
    /** Decoded text, when the row has a tokenizer (stop strings, streaming). */
    readonly text: TextStream | null;
    /** The tokens the repetition penalty sees: prompt + generated (decoder-only), decoder tokens (encoder-decoder). */
    readonly seen: number[];
    /** Scores for the next token, set by the forward pass that produced them. */
    pending: Float32Array | null;
    /** The position id of the next token fed (real tokens before it). */
    nextPosition: number;
    constructor(input: SequenceInput, encoderDecoder: boolean, start: number);
}
export interface StepEvent {
    sequence: Sequence;
    token: number;
    /** Text this token adds (empty without a tokenizer, or while held back). */
    delta: string;
    finish: FinishReason | null;
}
export interface BatchDecoderOptions {
    /** Reuse keys/values between steps (default true); false recomputes every sequence in full each step. */
    use_cache?: boolean;
}
export declare class BatchDecoder {
    readonly model: PreTrainedModel;
    readonly encoderDecoder: boolean;
    private readonly useCache;
    private readonly start;
    private rows;
    /** Self-attention keys/values (B, Hkv, P, D) per layer, and which of the P columns each row attends. */
    private past;
    private mask;
    /** Encoder-decoder: cross-attention keys/values (B, H, S, D) per layer (with the cache), or the encoder output per row (without). */
    private cross;
    private encoderOut;
    private encoderMask;
    constructor(model: PreTrainedModel, opts?: BatchDecoderOptions);
    /** Sequences in the batch. */
    get size(): number;
    get sequences(): readonly Sequence[];
    /** Prefills `inputs` in one forward pass and adds them to the batch; their first token comes with the next step(). */
    add(inputs: SequenceInput[]): Sequence[];
    /** Marks a sequence to leave the batch (a client went away); it produces no more tokens. */
    cancel(seq: Sequence): void;
    /** Picks one token for every row, drops finished rows, and runs the forward pass for the next token. */
    step(): StepEvent[];
    /** Frees the cache; the decoder is empty afterwards. */
    dispose(): void;
    private run;
    private prefillDecoder;
    private decodeStep;
    /** Without the cache: every row's whole sequence again, left-padded. */
    private recompute;
    private prefillEncoderDecoder;
    private forward;
    /** Each row's next-token scores: the last position of its logits. */
    private setPending;
    /** Keeps a forward pass's cache beyond its scope (or fails with the model's name when it has none). */
    private keepCache;
    private mergeSelfCache;
    /** Keeps the rows where keep[b]; frees the cache rows and columns nobody needs any more. */
    private removeRows;
}
/** transformers' position ids for a left-padded batch: cumsum(mask) - 1, with 1 at padding. */
export declare function positionsFromMask(mask: number[][]): number[][];
export declare function releaseCache(past: PastKeyValues | null | undefined): void;
