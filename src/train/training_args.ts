/**
 * TrainingArguments with Hugging Face's names and defaults (transformers 4.4x), so a
 * Python config pastes in unchanged. Every problem is collected and thrown together: an
 * unknown key suggests the nearest valid name, a bad value names the key and the rule.
 * Keys that only matter on GPUs or to other tools (fp16, report_to, ...) are accepted and
 * ignored, as a Python config often carries them.
 */
import { z } from "zod";
import { OPTIMIZER_NAMES, SCHEDULER_TYPES, type SchedulerType } from "../optim/index.js";
import { schemaKeys, schemaProblems } from "./suggest.js";

export const SUPPORTED_OPTIMIZERS = OPTIMIZER_NAMES;

const STRATEGIES = ["no", "steps", "epoch"] as const;
const SAVE_STRATEGIES = ["no", "steps", "epoch", "best"] as const;

// Each key's rule is its error text and its description in the JSON Schema editors read.
const num = (ok: (x: number) => boolean, rule: string) => z.number({ error: rule }).refine(ok, { error: rule }).describe(rule);
const int = (x: number) => Number.isInteger(x);
const positiveInt = () => num((x) => int(x) && x > 0, "a positive integer");
const stepsOrFraction = () => num((x) => x > 0 && (x < 1 || int(x)), "a positive integer, or a fraction in (0, 1) of the total steps");
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `one of ${values.join(", ")}` });
const bool = () => z.boolean({ error: "true or false" });
const text = () => z.string({ error: "a string" });

/**
 * The `training:` section: Hugging Face's TrainingArguments names, defaults (transformers
 * 4.4x) and rules in one place; the TypeScript types, the defaults, the checks and the JSON
 * Schema for editors all come from it. A new argument is one line here.
 */
export const trainingArgumentsSchema = z.strictObject({
  output_dir: z.string({ error: "a non-empty path" }).min(1, { error: "a non-empty path" }).default("trainer_output"),
  overwrite_output_dir: bool().default(false),
  num_train_epochs: num((x) => x > 0, "a positive number").default(3),
  max_steps: num((x) => int(x) && (x > 0 || x === -1), "a positive integer (or -1 to use num_train_epochs)").default(-1),
  per_device_train_batch_size: positiveInt().default(8),
  per_device_eval_batch_size: positiveInt().default(8),
  gradient_accumulation_steps: positiveInt().default(1),
  learning_rate: num((x) => x >= 0 && Number.isFinite(x), "a non-negative number").default(5e-5),
  weight_decay: num((x) => x >= 0, "a non-negative number").default(0),
  adam_beta1: num((x) => x >= 0 && x < 1, "in [0, 1)").default(0.9),
  adam_beta2: num((x) => x >= 0 && x < 1, "in [0, 1)").default(0.999),
  adam_epsilon: num((x) => x >= 0, "a non-negative number").default(1e-8),
  max_grad_norm: num((x) => x >= 0, "a non-negative number (0 disables clipping)").default(1),
  optim: oneOf(SUPPORTED_OPTIMIZERS).default("adamw_torch"),
  lr_scheduler_type: oneOf(SCHEDULER_TYPES as unknown as readonly [SchedulerType, ...SchedulerType[]]).default("linear"),
  lr_scheduler_kwargs: z.record(z.string(), z.unknown(), { error: "a mapping of scheduler options" }).default({}),
  warmup_ratio: num((x) => x >= 0 && x <= 1, "in [0, 1]").default(0),
  warmup_steps: num((x) => int(x) && x >= 0, "a non-negative integer").default(0),
  eval_strategy: oneOf(STRATEGIES).default("no"),
  /** The older name of eval_strategy. */
  evaluation_strategy: oneOf(STRATEGIES).optional(),
  eval_steps: stepsOrFraction().nullable().default(null),
  eval_delay: num((x) => x >= 0, "a non-negative number").default(0),
  eval_on_start: bool().default(false),
  logging_strategy: oneOf(STRATEGIES).default("steps"),
  logging_steps: stepsOrFraction().default(500),
  logging_first_step: bool().default(false),
  save_strategy: oneOf(SAVE_STRATEGIES).default("steps"),
  save_steps: stepsOrFraction().default(500),
  save_total_limit: num((x) => int(x) && x > 0, "a positive integer (or null for no limit)").nullable().default(null),
  save_only_model: bool().default(false),
  load_best_model_at_end: bool().default(false),
  metric_for_best_model: text().nullable().default(null),
  greater_is_better: bool().nullable().default(null),
  seed: num((x) => int(x) && x >= 0, "a non-negative integer").default(42),
  data_seed: num((x) => int(x) && x >= 0, "a non-negative integer").nullable().default(null),
  label_smoothing_factor: num((x) => x >= 0 && x < 1, "in [0, 1)").default(0),
  gradient_checkpointing: bool().default(false),
  group_by_length: bool().default(false),
  /** Data parallel over MPI: seconds a collective may wait for the other ranks (HF's default). */
  ddp_timeout: num((x) => x > 0, "a positive number of seconds").default(1800),
  /** Data parallel over MPI: gradient bucket size in MiB (null: PyTorch's 25). */
  ddp_bucket_cap_mb: num((x) => x > 0, "a positive number of MiB").nullable().default(null),
  dataloader_drop_last: bool().default(false),
  disable_tqdm: bool().default(false),
  run_name: text().nullable().default(null),
  resume_from_checkpoint: text().nullable().default(null),
});

export type IntervalStrategy = (typeof STRATEGIES)[number];
export type SaveStrategy = (typeof SAVE_STRATEGIES)[number];

/** What a user passes: any subset of the arguments (HF keys with no effect here are accepted). */
export type TrainingArgumentsInit = Partial<z.input<typeof trainingArgumentsSchema>> & { [ignored: string]: unknown };

const DEFAULTS = trainingArgumentsSchema.parse({});

/** HF keys with no effect here (GPU precision, hubs, reporters, workers): accepted and ignored. */
export const IGNORED_HF_KEYS = [
  "do_train", "do_eval", "do_predict", "report_to", "logging_dir", "fp16", "bf16", "tf32", "fp16_opt_level", "half_precision_backend",
  "push_to_hub", "hub_model_id", "hub_strategy", "hub_token", "hub_private_repo", "dataloader_num_workers", "dataloader_pin_memory",
  "dataloader_persistent_workers", "dataloader_prefetch_factor", "ddp_find_unused_parameters", "ddp_backend", "local_rank", "log_level",
  "log_level_replica", "log_on_each_node", "save_safetensors", "save_on_each_node", "use_cpu", "no_cuda", "use_mps_device", "torch_compile",
  "torch_compile_backend", "torch_compile_mode", "gradient_checkpointing_kwargs", "include_inputs_for_metrics", "include_for_metrics",
  "label_names", "prediction_loss_only", "remove_unused_columns", "full_determinism", "optim_args", "auto_find_batch_size",
  "eval_accumulation_steps", "skip_memory_metrics", "logging_nan_inf_filter", "length_column_name", "ignore_data_skip",
  "past_index", "jit_mode_eval", "use_ipex", "deepspeed", "fsdp", "fsdp_config", "torchdynamo", "ray_scope", "average_tokens_across_devices",
];

/** Keys that never change a CPU run whatever their value (bookkeeping, workers, precision of logs). */
const HARMLESS_KEYS = new Set(["do_train", "do_eval", "do_predict", "logging_dir", "save_safetensors", "log_level", "log_level_replica", "log_on_each_node",
  "dataloader_num_workers", "dataloader_pin_memory", "dataloader_persistent_workers", "dataloader_prefetch_factor", "remove_unused_columns", "skip_memory_metrics",
  "logging_nan_inf_filter", "include_inputs_for_metrics", "include_for_metrics", "length_column_name", "label_names", "use_cpu", "no_cuda"]);

/** Whether an ignored key's value asks for something tunelab does not do (fp16: true, report_to: wandb), worth a warning. */
function asksForSomething(key: string, v: unknown): boolean {
  if (HARMLESS_KEYS.has(key)) return false;
  if (v === false || v === null || v === 0 || v === "" || v === "none" || v === "no") return false;
  if (Array.isArray(v)) return v.some((x) => x !== "none");
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

type Resolved = Omit<z.output<typeof trainingArgumentsSchema>, "evaluation_strategy">;

export class TrainingArgumentsError extends Error {
  constructor(readonly problems: string[]) {
    super(`[TrainingArguments] ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "TrainingArgumentsError";
  }
}

export interface TrainingArguments extends Resolved {}

export class TrainingArguments {
  /** Keys given that have no effect here (reported once by the trainer). */
  readonly ignoredKeys: string[] = [];

  constructor(init: TrainingArgumentsInit = {}) {
    const problems = TrainingArguments.check(init);
    if (problems.length) throw new TrainingArgumentsError(problems);
    Object.assign(this, structuredClone(DEFAULTS));
    delete (this as { evaluation_strategy?: unknown }).evaluation_strategy;
    for (const [k, v] of Object.entries(init)) {
      if (v === undefined) continue;
      if (IGNORED_HF_KEYS.includes(k)) {
        if (asksForSomething(k, v)) this.ignoredKeys.push(k);
      }
      else if (k === "evaluation_strategy") this.eval_strategy = v as IntervalStrategy;
      else (this as unknown as Record<string, unknown>)[k] = v;
    }
    // HF's __post_init__ derivations.
    if (this.eval_steps === null && this.eval_strategy === "steps") this.eval_steps = this.logging_steps;
    if (this.load_best_model_at_end && this.metric_for_best_model === null) this.metric_for_best_model = "loss";
    if (this.greater_is_better === null && this.metric_for_best_model !== null) {
      this.greater_is_better = !["loss", "eval_loss"].includes(this.metric_for_best_model);
    }
    if (this.save_strategy === "best" && this.metric_for_best_model === null) this.metric_for_best_model = "loss";
  }

  static readonly validKeys: string[] = schemaKeys(trainingArgumentsSchema);

  /** Every problem with the given keys and values (empty when all is well). */
  static check(init: Record<string, unknown>): string[] {
    const given = Object.fromEntries(Object.entries(init).filter(([k, v]) => !IGNORED_HF_KEYS.includes(k) && v !== undefined));
    const parsed = trainingArgumentsSchema.safeParse(given);
    const problems = parsed.success ? [] : schemaProblems(parsed.error, given, "training arguments", TrainingArguments.validKeys);
    // Rules across keys, HF's __post_init__ checks.
    const get = (k: string) => init[k];
    if (get("eval_strategy") !== undefined && get("evaluation_strategy") !== undefined && get("eval_strategy") !== get("evaluation_strategy")) {
      problems.push(`eval_strategy (${get("eval_strategy")}) and its older name evaluation_strategy (${get("evaluation_strategy")}) disagree; keep only eval_strategy`);
    }
    if (get("output_dir") !== undefined && (typeof get("output_dir") !== "string" || !get("output_dir"))) problems.push("output_dir must be a non-empty path");
    // HF's load_best_model_at_end rule: checkpoints must be saved where evaluations happen.
    const evalStrategy = (get("eval_strategy") ?? get("evaluation_strategy") ?? "no") as string;
    const saveStrategy = (get("save_strategy") ?? "steps") as string;
    if (get("load_best_model_at_end") === true) {
      if (evalStrategy === "no") problems.push("load_best_model_at_end needs evaluations: set eval_strategy to \"steps\" or \"epoch\"");
      else if (saveStrategy !== "best" && saveStrategy !== evalStrategy) {
        problems.push(`load_best_model_at_end requires save_strategy to match eval_strategy, but they are "${saveStrategy}" and "${evalStrategy}"`);
      } else if (evalStrategy === "steps" && saveStrategy === "steps") {
        const save = (get("save_steps") ?? 500) as number;
        const ev = (get("eval_steps") ?? get("logging_steps") ?? 500) as number;
        if (typeof save === "number" && typeof ev === "number" && save >= 1 && ev >= 1 && save % ev !== 0) {
          problems.push(`load_best_model_at_end requires save_steps to be a multiple of eval_steps, but they are ${save} and ${ev}`);
        }
      }
    }
    if (saveStrategy === "best" && evalStrategy === "no") problems.push("save_strategy \"best\" needs evaluations: set eval_strategy");
    return problems;
  }

  /** The arguments as training_args.json stores them (every key, HF names). */
  toDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(DEFAULTS)) out[k] = (this as unknown as Record<string, unknown>)[k];
    return out;
  }

  get train_batch_size(): number {
    return this.per_device_train_batch_size;
  }

  get eval_batch_size(): number {
    return this.per_device_eval_batch_size;
  }

  /** Warmup steps for a run of `total` optimizer steps: warmup_steps wins over warmup_ratio. */
  getWarmupSteps(total: number): number {
    return this.warmup_steps > 0 ? this.warmup_steps : Math.ceil(total * this.warmup_ratio);
  }
}
