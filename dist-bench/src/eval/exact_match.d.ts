export declare function normalizeAnswer(s: string): string;
export declare function exactMatchScore(prediction: string, truth: string): number;
export declare function squadF1Score(prediction: string, truth: string): number;
/** Mean exact match (0..100 scale as the SQuAD script) over examples with several gold answers. */
export declare function squad(predictions: readonly string[], references: readonly (readonly string[])[]): {
    exact_match: number;
    f1: number;
};
/** Plain exact match over strings (evaluate's "exact_match", no normalisation), 0..1. */
export declare function exactMatch(predictions: readonly string[], references: readonly string[]): number;
