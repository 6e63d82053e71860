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
import { type PeftConfig, type ConfigReader, type InjectOptions, type PromptEncoderHooks } from "./config.js";
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
export declare class MethodRegistry {
    private readonly byType;
    private readonly byName;
    constructor(methods?: readonly PeftMethod<never>[]);
    /** Adds a method (and its variants); a peft_type or a name may be registered once. */
    register<C extends PeftConfig>(method: PeftMethod<C>): void;
    /** Adds a variant to a registered method (e.g. `qlora` to LORA). */
    addVariant(peftType: string, variant: MethodVariant): void;
    private claimName;
    /** The method adapter_config.json's peft_type names. */
    get(peftType: string): PeftMethod;
    /** The method (and variant) a YAML/CLI name selects, case-insensitively. */
    choose(name: string): MethodChoice;
    has(name: string): boolean;
    /** Every method and variant name, sorted. */
    names(): string[];
    peftTypes(): string[];
    list(): MethodInfo[];
    /** A config dict of PEFT's keys, read by the method its peft_type names: the config and every problem. */
    check(dict: Record<string, unknown>): {
        config: PeftConfig | null;
        problems: string[];
    };
}
/** The built-in methods. Add a method here (one line) after writing its file. */
export declare const peftMethods: MethodRegistry;
/** Every problem with a PEFT config dict (empty when it is valid). */
export declare function peftConfigProblems(dict: Record<string, unknown>): string[];
/** A plain dict of PEFT's keys → the method's typed config; one PeftConfigError lists every problem. */
export declare function parsePeftConfig(dict: Record<string, unknown>): PeftConfig;
