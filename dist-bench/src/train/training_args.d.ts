/**
 * TrainingArguments with Hugging Face's names and defaults (transformers 4.4x), so a
 * Python config pastes in unchanged. Every problem is collected and thrown together: an
 * unknown key suggests the nearest valid name, a bad value names the key and the rule.
 * Keys that only matter on GPUs or to other tools (fp16, report_to, ...) are accepted and
 * ignored, as a Python config often carries them.
 */
import { z } from "zod";
export declare const SUPPORTED_OPTIMIZERS: readonly ["adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw", "adamw_8bit", "adamw_bnb_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "adafactor"];
declare const STRATEGIES: readonly ["no", "steps", "epoch"];
declare const SAVE_STRATEGIES: readonly ["no", "steps", "epoch", "best"];
/**
 * The `training:` section: Hugging Face's TrainingArguments names, defaults (transformers
 * 4.4x) and rules in one place; the TypeScript types, the defaults, the checks and the JSON
 * Schema for editors all come from it. A new argument is one line here.
 */
export declare const trainingArgumentsSchema: z.ZodObject<{
    output_dir: z.ZodDefault<z.ZodString>;
    overwrite_output_dir: z.ZodDefault<z.ZodBoolean>;
    num_train_epochs: z.ZodDefault<z.ZodNumber>;
    max_steps: z.ZodDefault<z.ZodNumber>;
    per_device_train_batch_size: z.ZodDefault<z.ZodNumber>;
    per_device_eval_batch_size: z.ZodDefault<z.ZodNumber>;
    gradient_accumulation_steps: z.ZodDefault<z.ZodNumber>;
    learning_rate: z.ZodDefault<z.ZodNumber>;
    weight_decay: z.ZodDefault<z.ZodNumber>;
    adam_beta1: z.ZodDefault<z.ZodNumber>;
    adam_beta2: z.ZodDefault<z.ZodNumber>;
    adam_epsilon: z.ZodDefault<z.ZodNumber>;
    max_grad_norm: z.ZodDefault<z.ZodNumber>;
    optim: z.ZodDefault<z.ZodEnum<{
        adamw_torch: "adamw_torch";
        adamw_torch_fused: "adamw_torch_fused";
        adamw_hf: "adamw_hf";
        adamw: "adamw";
        adamw_8bit: "adamw_8bit";
        adamw_bnb_8bit: "adamw_bnb_8bit";
        paged_adamw_8bit: "paged_adamw_8bit";
        paged_adamw_32bit: "paged_adamw_32bit";
        sgd: "sgd";
        adafactor: "adafactor";
    }>>;
    lr_scheduler_type: z.ZodDefault<z.ZodEnum<{
        linear: "linear";
        cosine: "cosine";
        cosine_with_restarts: "cosine_with_restarts";
        polynomial: "polynomial";
        constant: "constant";
        constant_with_warmup: "constant_with_warmup";
        inverse_sqrt: "inverse_sqrt";
        cosine_with_min_lr: "cosine_with_min_lr";
    }>>;
    lr_scheduler_kwargs: z.ZodDefault<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
    warmup_ratio: z.ZodDefault<z.ZodNumber>;
    warmup_steps: z.ZodDefault<z.ZodNumber>;
    eval_strategy: z.ZodDefault<z.ZodEnum<{
        no: "no";
        steps: "steps";
        epoch: "epoch";
    }>>;
    evaluation_strategy: z.ZodOptional<z.ZodEnum<{
        no: "no";
        steps: "steps";
        epoch: "epoch";
    }>>;
    eval_steps: z.ZodDefault<z.ZodNullable<z.ZodNumber>>;
    eval_delay: z.ZodDefault<z.ZodNumber>;
    eval_on_start: z.ZodDefault<z.ZodBoolean>;
    logging_strategy: z.ZodDefault<z.ZodEnum<{
        no: "no";
        steps: "steps";
        epoch: "epoch";
    }>>;
    logging_steps: z.ZodDefault<z.ZodNumber>;
    logging_first_step: z.ZodDefault<z.ZodBoolean>;
    save_strategy: z.ZodDefault<z.ZodEnum<{
        no: "no";
        steps: "steps";
        epoch: "epoch";
        best: "best";
    }>>;
    save_steps: z.ZodDefault<z.ZodNumber>;
    save_total_limit: z.ZodDefault<z.ZodNullable<z.ZodNumber>>;
    save_only_model: z.ZodDefault<z.ZodBoolean>;
    load_best_model_at_end: z.ZodDefault<z.ZodBoolean>;
    metric_for_best_model: z.ZodDefault<z.ZodNullable<z.ZodString>>;
    greater_is_better: z.ZodDefault<z.ZodNullable<z.ZodBoolean>>;
    seed: z.ZodDefault<z.ZodNumber>;
    data_seed: z.ZodDefault<z.ZodNullable<z.ZodNumber>>;
    label_smoothing_factor: z.ZodDefault<z.ZodNumber>;
    gradient_checkpointing: z.ZodDefault<z.ZodBoolean>;
    group_by_length: z.ZodDefault<z.ZodBoolean>;
    ddp_timeout: z.ZodDefault<z.ZodNumber>;
    ddp_bucket_cap_mb: z.ZodDefault<z.ZodNullable<z.ZodNumber>>;
    dataloader_drop_last: z.ZodDefault<z.ZodBoolean>;
    disable_tqdm: z.ZodDefault<z.ZodBoolean>;
    run_name: z.ZodDefault<z.ZodNullable<z.ZodString>>;
    resume_from_checkpoint: z.ZodDefault<z.ZodNullable<z.ZodString>>;
}, z.core.$strict>;
export type IntervalStrategy = (typeof STRATEGIES)[number];
export type SaveStrategy = (typeof SAVE_STRATEGIES)[number];
/** What a user passes: any subset of the arguments (HF keys with no effect here are accepted). */
export type TrainingArgumentsInit = Partial<z.input<typeof trainingArgumentsSchema>> & {
    [ignored: string]: unknown;
};
/** HF keys with no effect here (GPU precision, hubs, reporters, workers): accepted and ignored. */
export declare const IGNORED_HF_KEYS: string[];
type Resolved = Omit<z.output<typeof trainingArgumentsSchema>, "evaluation_strategy">;
export declare class TrainingArgumentsError extends Error {
    readonly problems: string[];
    constructor(problems: string[]);
}
export interface TrainingArguments extends Resolved {
}
export declare class TrainingArguments {
    /** Keys given that have no effect here (reported once by the trainer). */
    readonly ignoredKeys: string[];
    constructor(init?: TrainingArgumentsInit);
    static readonly validKeys: string[];
    /** Every problem with the given keys and values (empty when all is well). */
    static check(init: Record<string, unknown>): string[];
    /** The arguments as training_args.json stores them (every key, HF names). */
    toDict(): Record<string, unknown>;
    get train_batch_size(): number;
    get eval_batch_size(): number;
    /** Warmup steps for a run of `total` optimizer steps: warmup_steps wins over warmup_ratio. */
    getWarmupSteps(total: number): number;
}
export {};
