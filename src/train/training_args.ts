/**
 * TrainingArguments with Hugging Face's names and defaults (transformers 4.4x), so a
 * Python config pastes in unchanged. Every problem is collected and thrown together: an
 * unknown key suggests the nearest valid name, a bad value names the key and the rule.
 * Keys that only matter on GPUs or to other tools (fp16, report_to, ...) are accepted and
 * ignored, as a Python config often carries them.
 */
import { SCHEDULER_TYPES } from "../optim/index.js";
import { unknownKeyMessage } from "./suggest.js";

export type IntervalStrategy = "no" | "steps" | "epoch";
export type SaveStrategy = IntervalStrategy | "best";

export const SUPPORTED_OPTIMIZERS = ["adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw", "sgd"] as const;

export interface TrainingArgumentsInit {
  output_dir?: string;
  overwrite_output_dir?: boolean;
  num_train_epochs?: number;
  max_steps?: number;
  per_device_train_batch_size?: number;
  per_device_eval_batch_size?: number;
  gradient_accumulation_steps?: number;
  learning_rate?: number;
  weight_decay?: number;
  adam_beta1?: number;
  adam_beta2?: number;
  adam_epsilon?: number;
  max_grad_norm?: number;
  optim?: string;
  lr_scheduler_type?: string;
  lr_scheduler_kwargs?: Record<string, unknown>;
  warmup_ratio?: number;
  warmup_steps?: number;
  eval_strategy?: IntervalStrategy;
  /** The older name of eval_strategy. */
  evaluation_strategy?: IntervalStrategy;
  eval_steps?: number | null;
  eval_delay?: number;
  eval_on_start?: boolean;
  logging_strategy?: IntervalStrategy;
  logging_steps?: number;
  logging_first_step?: boolean;
  save_strategy?: SaveStrategy;
  save_steps?: number;
  save_total_limit?: number | null;
  save_only_model?: boolean;
  load_best_model_at_end?: boolean;
  metric_for_best_model?: string | null;
  greater_is_better?: boolean | null;
  seed?: number;
  data_seed?: number | null;
  label_smoothing_factor?: number;
  gradient_checkpointing?: boolean;
  group_by_length?: boolean;
  dataloader_drop_last?: boolean;
  disable_tqdm?: boolean;
  run_name?: string | null;
  resume_from_checkpoint?: string | null;
  [ignored: string]: unknown;
}

const DEFAULTS = {
  output_dir: "trainer_output",
  overwrite_output_dir: false,
  num_train_epochs: 3,
  max_steps: -1,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 8,
  gradient_accumulation_steps: 1,
  learning_rate: 5e-5,
  weight_decay: 0,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  max_grad_norm: 1,
  optim: "adamw_torch",
  lr_scheduler_type: "linear",
  lr_scheduler_kwargs: {} as Record<string, unknown>,
  warmup_ratio: 0,
  warmup_steps: 0,
  eval_strategy: "no" as IntervalStrategy,
  eval_steps: null as number | null,
  eval_delay: 0,
  eval_on_start: false,
  logging_strategy: "steps" as IntervalStrategy,
  logging_steps: 500,
  logging_first_step: false,
  save_strategy: "steps" as SaveStrategy,
  save_steps: 500,
  save_total_limit: null as number | null,
  save_only_model: false,
  load_best_model_at_end: false,
  metric_for_best_model: null as string | null,
  greater_is_better: null as boolean | null,
  seed: 42,
  data_seed: null as number | null,
  label_smoothing_factor: 0,
  gradient_checkpointing: false,
  group_by_length: false,
  /** Data parallel over MPI: seconds a collective may wait for the other ranks (HF's default). */
  ddp_timeout: 1800,
  /** Data parallel over MPI: gradient bucket size in MiB (null: PyTorch's 25). */
  ddp_bucket_cap_mb: null as number | null,
  dataloader_drop_last: false,
  disable_tqdm: false,
  run_name: null as string | null,
  resume_from_checkpoint: null as string | null,
};

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

type Resolved = typeof DEFAULTS;

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
    for (const [k, v] of Object.entries(init)) {
      if (v === undefined) continue;
      if (IGNORED_HF_KEYS.includes(k)) this.ignoredKeys.push(k);
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

  static readonly validKeys: string[] = [...Object.keys(DEFAULTS), "evaluation_strategy"];

  /** Every problem with the given keys and values (empty when all is well). */
  static check(init: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const known = new Set([...TrainingArguments.validKeys, ...IGNORED_HF_KEYS]);
    for (const key of Object.keys(init)) {
      if (!known.has(key)) problems.push(unknownKeyMessage("training arguments", key, TrainingArguments.validKeys));
    }
    const get = (k: string) => init[k];
    const num = (k: string, ok: (x: number) => boolean, rule: string) => {
      const v = get(k);
      if (v !== undefined && v !== null && (typeof v !== "number" || !ok(v))) problems.push(`${k} must be ${rule}, got ${JSON.stringify(v)}`);
    };
    const int = (x: number) => Number.isInteger(x);
    num("num_train_epochs", (x) => x > 0, "a positive number");
    num("max_steps", (x) => int(x) && (x > 0 || x === -1), "a positive integer (or -1 to use num_train_epochs)");
    for (const k of ["per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps"]) num(k, (x) => int(x) && x > 0, "a positive integer");
    num("learning_rate", (x) => x >= 0 && Number.isFinite(x), "a non-negative number");
    num("weight_decay", (x) => x >= 0, "a non-negative number");
    num("adam_beta1", (x) => x >= 0 && x < 1, "in [0, 1)");
    num("adam_beta2", (x) => x >= 0 && x < 1, "in [0, 1)");
    num("adam_epsilon", (x) => x >= 0, "a non-negative number");
    num("max_grad_norm", (x) => x >= 0, "a non-negative number (0 disables clipping)");
    num("warmup_ratio", (x) => x >= 0 && x <= 1, "in [0, 1]");
    num("warmup_steps", (x) => int(x) && x >= 0, "a non-negative integer");
    for (const k of ["logging_steps", "eval_steps", "save_steps"]) num(k, (x) => x > 0 && (x < 1 || int(x)), "a positive integer, or a fraction in (0, 1) of the total steps");
    num("save_total_limit", (x) => int(x) && x > 0, "a positive integer (or null for no limit)");
    num("seed", (x) => int(x) && x >= 0, "a non-negative integer");
    num("label_smoothing_factor", (x) => x >= 0 && x < 1, "in [0, 1)");
    num("eval_delay", (x) => x >= 0, "a non-negative number");
    num("ddp_timeout", (x) => x > 0, "a positive number of seconds");
    num("ddp_bucket_cap_mb", (x) => x > 0, "a positive number of MiB");
    const oneOf = (k: string, values: readonly string[]) => {
      const v = get(k);
      if (v !== undefined && v !== null && !values.includes(String(v))) problems.push(`${k} must be one of ${values.join(", ")}, got ${JSON.stringify(v)}`);
    };
    oneOf("eval_strategy", ["no", "steps", "epoch"]);
    oneOf("evaluation_strategy", ["no", "steps", "epoch"]);
    oneOf("logging_strategy", ["no", "steps", "epoch"]);
    oneOf("save_strategy", ["no", "steps", "epoch", "best"]);
    oneOf("lr_scheduler_type", SCHEDULER_TYPES);
    oneOf("optim", SUPPORTED_OPTIMIZERS);
    for (const k of ["load_best_model_at_end", "greater_is_better", "gradient_checkpointing", "group_by_length", "overwrite_output_dir", "logging_first_step", "dataloader_drop_last", "eval_on_start", "disable_tqdm", "save_only_model"]) {
      const v = get(k);
      if (v !== undefined && v !== null && typeof v !== "boolean") problems.push(`${k} must be true or false, got ${JSON.stringify(v)}`);
    }
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
