export type ConfigDict = Record<string, unknown>;
export declare class PretrainedConfig {
    [key: string]: unknown;
    model_type: string;
    architectures?: string[];
    id2label: Record<string, string>;
    label2id: Record<string, number>;
    problem_type?: "regression" | "single_label_classification" | "multi_label_classification" | null;
    tie_word_embeddings: boolean;
    pad_token_id?: number | null;
    bos_token_id?: number | null;
    eos_token_id?: number | number[] | null;
    torch_dtype?: string;
    /** Family defaults (HF's __init__ defaults), applied under the given keys. */
    static defaults: ConfigDict;
    /** Builds a config from a dict (config.json) on top of the class's defaults. */
    static fromDict<C extends PretrainedConfig>(this: new () => C, dict: ConfigDict, source?: string): C;
    static fromFile<C extends PretrainedConfig>(this: (new () => C) & {
        fromDict(d: ConfigDict, source?: string): C;
    }, dirOrFile: string): C;
    private normaliseLabels;
    /** Subclasses check divisibility etc., quoting both numbers. */
    validate(): void;
    get num_labels(): number;
    set num_labels(n: number);
    /** Applies overrides (num_labels, id2label, problem_type, ...) from fromPretrained options. */
    update(overrides: ConfigDict): void;
    /** The dict config.json holds: sorted keys, as save_pretrained writes them. */
    toDict(): ConfigDict;
    save(dir: string): void;
}
