/**
 * The `sweep:` section of a config: which keys to vary and how, the search strategy (every
 * combination, or seeded random draws), the trial budget, the metric and the pruning rule.
 * Keys are paths as `--set` takes them (`learning_rate`, `peft.r`, `training.num_train_epochs`);
 * a parameter is a list of values, `{ values: [...] }`, or a range `{ min, max, scale: log,
 * type: int }` (random draws from it; a grid takes `num` evenly spaced points, 3 by default).
 */
import { z } from "zod";
import { SeededRandom } from "../../tensor/index.js";
import { schemaKeys, schemaProblems, unknownKeyMessage } from "../../train/suggest.js";

export type ParamValue = string | number | boolean | null | unknown[];

export type ParameterSpec =
  | { kind: "choice"; values: ParamValue[] }
  | { kind: "range"; min: number; max: number; log: boolean; integer: boolean; num: number };

export interface SweepSpec {
  strategy: "grid" | "random";
  n_trials: number;
  seed: number;
  /** A metric_for_best_model name (accuracy, eval_loss); default the config's, else loss. */
  metric: string | null;
  greater_is_better: boolean | null;
  pruning: "none" | "median";
  pruning_warmup_evals: number;
  pruning_startup_trials: number;
  parameters: Record<string, ParameterSpec>;
}

const RANGE_KEYS = ["min", "max", "scale", "type", "num"];
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function parseParameter(key: string, v: unknown, problems: string[]): ParameterSpec | null {
  const where = `sweep.parameters.${key}`;
  if (Array.isArray(v)) {
    if (!v.length) problems.push(`${where}: an empty list of values; give at least one`);
    return { kind: "choice", values: v as ParamValue[] };
  }
  if (!isObject(v)) {
    problems.push(`${where}: must be a list of values ([4, 8, 16]), { values: [...] }, or a range { min, max, scale: log }; got ${JSON.stringify(v)}`);
    return null;
  }
  if ("values" in v) {
    for (const k of Object.keys(v)) if (k !== "values") problems.push(`${where}: "${k}" does not go with values:; give either values or a range (min, max)`);
    if (!Array.isArray(v.values) || !v.values.length) problems.push(`${where}.values: must be a non-empty list`);
    return { kind: "choice", values: (Array.isArray(v.values) ? v.values : []) as ParamValue[] };
  }
  for (const k of Object.keys(v)) if (!RANGE_KEYS.includes(k)) problems.push(unknownKeyMessage(where, k, ["values", ...RANGE_KEYS]));
  const { min, max } = v;
  const log = v.scale === "log";
  if (v.scale !== undefined && v.scale !== "log" && v.scale !== "linear") problems.push(`${where}.scale: must be "linear" or "log", got ${JSON.stringify(v.scale)}`);
  if (v.type !== undefined && v.type !== "int" && v.type !== "float") problems.push(`${where}.type: must be "int" or "float", got ${JSON.stringify(v.type)}`);
  const num = v.num ?? 3;
  if (!(Number.isInteger(num) && (num as number) >= 1)) problems.push(`${where}.num: must be a positive whole number of grid points, got ${JSON.stringify(v.num)}`);
  if (typeof min !== "number" || typeof max !== "number" || !Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    problems.push(`${where}: a range needs numbers min <= max, got min ${JSON.stringify(min)}, max ${JSON.stringify(max)}`);
    return null;
  }
  if (log && min <= 0) problems.push(`${where}: a log scale needs min > 0, got ${min}`);
  return { kind: "range", min, max, log, integer: v.type === "int", num: num as number };
}

const wholeNumber = (what: string, min: number) => z.number({ error: what }).int({ error: what }).min(min, { error: what });

/** The sweep section's own keys (parameters are read by parseParameter: a list or a range each). */
export const sweepSectionSchema = z.strictObject({
  strategy: z.enum(["grid", "random"], { error: '"grid" or "random"' }).optional(),
  n_trials: wholeNumber("a positive whole number (the trial budget)", 1).optional(),
  seed: z.number({ error: "a whole number" }).int({ error: "a whole number" }).optional(),
  metric: z.string({ error: "a metric name (accuracy, eval_loss, ...)" }).min(1, { error: "a metric name (accuracy, eval_loss, ...)" }).optional(),
  greater_is_better: z.boolean({ error: "true or false" }).optional(),
  pruning: z.enum(["none", "median"], { error: '"median" or "none"' }).optional(),
  pruning_warmup_evals: wholeNumber("a whole number >= 0", 0).optional(),
  pruning_startup_trials: wholeNumber("a whole number >= 1", 1).optional(),
  parameters: z.record(z.string(), z.unknown(), { error: "a mapping of keys to vary" }).optional(),
});

/** The compare section's shape: a method list and one section of overrides per method (tunelab compare). */
export const compareSectionSchema = z.object({
  methods: z.array(z.string({ error: "a method name" }), { error: "a list of method names, e.g. [full, lora, ia3]" }).optional(),
}).catchall(z.strictObject({
  peft: z.record(z.string(), z.unknown(), { error: "a mapping of the method's PEFT keys" }).optional(),
  training: z.record(z.string(), z.unknown(), { error: "a mapping of training arguments" }).optional(),
}));

/** Reads and checks the sweep section; every problem is added to `problems`. */
export function parseSweepSection(raw: unknown, problems: string[]): SweepSpec | null {
  if (!isObject(raw)) {
    problems.push("sweep: missing; add a sweep: section with parameters: (e.g. sweep: { parameters: { learning_rate: { min: 1e-4, max: 1e-2, scale: log } }, n_trials: 8 })");
    return null;
  }
  const parsed = sweepSectionSchema.safeParse(raw);
  if (!parsed.success) problems.push(...schemaProblems(parsed.error, raw, "sweep", schemaKeys(sweepSectionSchema), "sweep."));
  const s = (parsed.success ? parsed.data : {}) as z.infer<typeof sweepSectionSchema>;
  const parameters: Record<string, ParameterSpec> = {};
  if (!isObject(raw.parameters) || !Object.keys(raw.parameters).length) problems.push("sweep.parameters: missing; name at least one key to vary, e.g. parameters: { learning_rate: [1e-4, 1e-3], peft.r: [4, 8] }");
  else for (const [k, v] of Object.entries(raw.parameters)) {
    const p = parseParameter(k, v, problems);
    if (p) parameters[k] = p;
  }
  const strategy = s.strategy ?? (Object.values(parameters).some((p) => p.kind === "range") ? "random" : "grid");
  return {
    strategy, n_trials: s.n_trials ?? (strategy === "grid" ? Infinity : 10), seed: s.seed ?? 42,
    metric: s.metric ?? null, greater_is_better: s.greater_is_better ?? null,
    pruning: s.pruning ?? "none", pruning_warmup_evals: s.pruning_warmup_evals ?? 1, pruning_startup_trials: s.pruning_startup_trials ?? 2, parameters,
  };
}

/** Grid points of a range: evenly spaced (in log space on a log scale), rounded for ints, deduplicated. */
function gridValues(p: ParameterSpec): ParamValue[] {
  if (p.kind === "choice") return p.values;
  const pts = Array.from({ length: p.num }, (_, i) => {
    const t = p.num === 1 ? 0.5 : i / (p.num - 1);
    const v = p.log ? Math.exp(Math.log(p.min) + t * (Math.log(p.max) - Math.log(p.min))) : p.min + t * (p.max - p.min);
    return p.integer ? Math.round(v) : Number(v.toPrecision(6));
  });
  return [...new Set(pts)];
}

function draw(p: ParameterSpec, rng: SeededRandom): ParamValue {
  if (p.kind === "choice") return p.values[Math.floor(rng.next() * p.values.length) % p.values.length];
  const u = rng.next();
  if (p.integer) return Math.min(p.max, Math.floor(p.min + u * (p.max - p.min + 1)));
  const v = p.log ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min))) : p.min + u * (p.max - p.min);
  return Number(v.toPrecision(6));
}

/** The trials, in the order they run: every combination (first key varies slowest), or seeded random draws. */
export function planTrials(spec: SweepSpec): Record<string, ParamValue>[] {
  const keys = Object.keys(spec.parameters);
  if (spec.strategy === "grid") {
    let combos: Record<string, ParamValue>[] = [{}];
    for (const k of keys) combos = combos.flatMap((c) => gridValues(spec.parameters[k]).map((v) => ({ ...c, [k]: v })));
    return combos.slice(0, spec.n_trials);
  }
  const rng = new SeededRandom(spec.seed);
  const seen = new Set<string>();
  const trials: Record<string, ParamValue>[] = [];
  // Draws repeat when the space is small; a few extra draws find the unseen ones.
  for (let attempt = 0; trials.length < spec.n_trials && attempt < spec.n_trials * 20; attempt++) {
    const t = Object.fromEntries(keys.map((k) => [k, draw(spec.parameters[k], rng)]));
    const id = JSON.stringify(t);
    if (seen.has(id)) continue;
    seen.add(id);
    trials.push(t);
  }
  return trials;
}
