/**
 * Entity-level precision/recall/F1 for token classification, as seqeval's default
 * (conlleval) mode computes them: BIO/IOBES tag sequences become (type, start, end) chunks,
 * an I- tag that does not continue a chunk of its type starts a new one, and an entity counts
 * only when its type and both boundaries match.
 */
export interface Entity {
    type: string;
    start: number;
    end: number;
}
/** The chunks of one sentence's tags; `end` is inclusive, as seqeval's get_entities. */
export declare function getEntities(tags: readonly string[]): Entity[];
export interface SeqevalResult {
    precision: number;
    recall: number;
    f1: number;
    accuracy: number;
    /** Per entity type, with its number of gold entities. */
    per_type: Record<string, {
        precision: number;
        recall: number;
        f1: number;
        number: number;
    }>;
}
export declare function seqeval(predictions: readonly (readonly string[])[], references: readonly (readonly string[])[]): SeqevalResult;
