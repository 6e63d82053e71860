export interface Llama2cModel {
    dim: number;
    hidden: number;
    layers: number;
    heads: number;
    kvHeads: number;
    vocab: number;
    seqLen: number;
    emb: Float32Array;
    rmsAtt: Float32Array;
    wq: Float32Array;
    wk: Float32Array;
    wv: Float32Array;
    wo: Float32Array;
    rmsFfn: Float32Array;
    w1: Float32Array;
    w2: Float32Array;
    w3: Float32Array;
    rmsFinal: Float32Array;
}
export declare function readLlama2c(file: string): Llama2cModel;
/** tok512.bin pieces (as latin1 byte strings) and scores. */
export declare function readTokenizer(file: string): {
    pieces: string[];
    scores: number[];
};
/** run.c's encode(text, bos=1, eos=0): BOS, dummy-prefix space, characters (or bytes + 3), best-score merges. */
export declare function encodeLlama2c(text: string, tok: {
    pieces: string[];
    scores: number[];
}): number[];
/** Greedy tokens after `prompt` (run.c at temperature 0, without its stop-at-BOS rule). */
export declare function greedyLlama2c(m: Llama2cModel, prompt: number[], steps: number): number[];
