/**
 * The one registry of training methods (besides `full`, which is the Trainer's: nothing to
 * wrap). Each entry holds everything about a method: its PEFT peft_type (what
 * adapter_config.json selects it by), its CLI/YAML name and variants (`dora` is LoRA with
 * use_dora: true; a variant may also prepare the base model, as QLoRA quantizes it), its config
 * reader, its injector (or prompt-encoder hooks) and the parameters it saves. The built-in
 * methods are listed below, explicitly; `peftMethods.register(...)` adds one more at run time,
 * refusing a second method with the same peft_type or name. Recipe: docs/adding-a-peft-method.md.
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import {
  type PeftConfig, type ConfigReader, type InjectOptions, type PromptEncoderHooks, PeftConfigError, nearestKey, problemsError, readConfig,
} from "./config.js";
import { LORA_METHOD } from "./lora/model.js";
import { IA3_METHOD } from "./ia3.js";
import { BOTTLENECK_ADAPTER_METHOD } from "./adapter.js";
import { BITFIT_METHOD } from "./bitfit.js";
import { PROMPT_TUNING_METHOD } from "./prompt_tuning.js";
import { PREFIX_TUNING_METHOD } from "./prefix_tuning.js";

export interface PeftMethod<C extends PeftConfig = PeftConfig> {
  /** PEFT's peft_type ("LORA"): adapter_config.json and `peft: { peft_type }` select the method by it. */
  peft_type: string;
  /** The YAML/CLI name, lower case: `method: lora`. */
  name: string;
  /** One line for help and method listings (`tunelab compare`). */
  summary: string;
  /** Other names for this method: the same method with keys preset or the base model prepared. */
  variants?: MethodVariant[];
  /** Parameter names of this method's adapter tensors contain this prefix ("lora_", "ia3_"). */
  prefix: string | null;
  /** Reads a dict of PEFT's keys, noting every problem on the reader. */
  readConfig(r: ConfigReader): C;
  /** Layer methods: wraps/marks modules of `model` in place for adapter `adapterName`. */
  inject?(model: PreTrainedModel, config: C, adapterName: string, opts: InjectOptions): void;
  /** Prompt-learning methods. */
  prompt?: PromptEncoderHooks<C>;
  /** Extra parameter paths (relative to the base model) that belong to the adapter (LoRA bias, BitFit biases). */
  extraSavedParameters?(model: PreTrainedModel, config: C, adapterName: string): string[];
}

/** A second name for a method: `dora` = LoRA + use_dora: true; `qlora` = LoRA on a 4-bit base. */
export interface MethodVariant {
  name: string;
  summary: string;
  /** Keys set on top of the user's (the variant's meaning wins over a contradicting key). */
  presets?: Record<string, unknown>;
  /**
   * Changes the base model before the adapter is added, both when training starts and when a
   * saved adapter is loaded back (QLoRA swaps Linear layers for 4-bit ones).
   */
  prepareBase?(model: PreTrainedModel, config: PeftConfig): void;
}

/** What a method name selects. */
export interface MethodChoice {
  name: string;
  method: PeftMethod;
  variant: MethodVariant | null;
}

/** One row of a method listing. */
export interface MethodInfo {
  name: string;
  peft_type: string;
  summary: string;
  /** The method this is a variant of, or null. */
  variant_of: string | null;
}

export class MethodRegistry {
  private readonly byType = new Map<string, PeftMethod>();
  private readonly byName = new Map<string, MethodChoice>();

  constructor(methods: readonly PeftMethod<never>[] = []) {
    for (const m of methods) this.register(m);
  }

  /** Adds a method (and its variants); a peft_type or a name may be registered once. */
  register<C extends PeftConfig>(method: PeftMethod<C>): void {
    const m = method as unknown as PeftMethod;
    if (this.byType.has(m.peft_type)) throw new PeftConfigError(`[peft] peft_type "${m.peft_type}" is already registered; each method registers once`);
    this.claimName(m.name, { name: m.name, method: m, variant: null });
    this.byType.set(m.peft_type, m);
    for (const v of m.variants ?? []) this.claimName(v.name, { name: v.name, method: m, variant: v });
  }

  /** Adds a variant to a registered method (e.g. `qlora` to LORA). */
  addVariant(peftType: string, variant: MethodVariant): void {
    const method = this.get(peftType);
    this.claimName(variant.name, { name: variant.name, method, variant });
    method.variants = [...(method.variants ?? []), variant];
  }

  private claimName(name: string, choice: MethodChoice): void {
    if (name !== name.toLowerCase()) throw new PeftConfigError(`[peft] method names are lower case, got "${name}"`);
    if (name === "full" || this.byName.has(name)) throw new PeftConfigError(`[peft] method name "${name}" is already taken`);
    this.byName.set(name, choice);
  }

  /** The method adapter_config.json's peft_type names. */
  get(peftType: string): PeftMethod {
    const m = this.byType.get(peftType);
    if (!m) {
      const near = nearestKey(peftType.toUpperCase(), [...this.byType.keys()]);
      throw new PeftConfigError(`[peft] unknown peft_type "${peftType}"; supported: ${this.peftTypes().join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`);
    }
    return m;
  }

  /** The method (and variant) a YAML/CLI name selects, case-insensitively. */
  choose(name: string): MethodChoice {
    const choice = this.byName.get(name.toLowerCase());
    if (!choice) {
      const near = nearestKey(name.toLowerCase(), this.names());
      throw new PeftConfigError(`[peft] unknown method "${name}"${near ? `; did you mean "${near}"?` : ""} (methods: full, ${this.names().join(", ")})`);
    }
    return choice;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** Every method and variant name, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  peftTypes(): string[] {
    return [...this.byType.keys()];
  }

  list(): MethodInfo[] {
    return this.names().map((name) => {
      const { method, variant } = this.byName.get(name)!;
      return { name, peft_type: method.peft_type, summary: variant?.summary ?? method.summary, variant_of: variant ? method.name : null };
    });
  }

  /** A config dict of PEFT's keys, read by the method its peft_type names: the config and every problem. */
  check(dict: Record<string, unknown>): { config: PeftConfig | null; problems: string[] } {
    if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
      return { config: null, problems: [`[peft] a PEFT config must be an object, got ${JSON.stringify(dict)}`] };
    }
    const type = dict.peft_type;
    if (typeof type !== "string") {
      return { config: null, problems: [`[peft] the config has no peft_type; set one of ${this.peftTypes().join(", ")}`] };
    }
    const peftType = type.toUpperCase();
    let method: PeftMethod;
    try {
      method = this.get(peftType);
    } catch (err) {
      return { config: null, problems: [(err as Error).message] };
    }
    return readConfig({ ...dict, peft_type: peftType }, peftType, (r) => method.readConfig(r));
  }
}

/** The built-in methods. Add a method here (one line) after writing its file. */
export const peftMethods = new MethodRegistry([
  LORA_METHOD, IA3_METHOD, BOTTLENECK_ADAPTER_METHOD, BITFIT_METHOD, PROMPT_TUNING_METHOD, PREFIX_TUNING_METHOD,
] as unknown as PeftMethod<never>[]);

/** Every problem with a PEFT config dict (empty when it is valid). */
export function peftConfigProblems(dict: Record<string, unknown>): string[] {
  return peftMethods.check(dict).problems;
}

/** A plain dict of PEFT's keys → the method's typed config; one PeftConfigError lists every problem. */
export function parsePeftConfig(dict: Record<string, unknown>): PeftConfig {
  const { config, problems } = peftMethods.check(dict);
  if (problems.length) throw problemsError(problems, "PEFT");
  return config!;
}
