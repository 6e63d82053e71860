/**
 * Which modules LoRA wraps (tuners/lora/model.py): every target resolved by PEFT's rules gets a
 * LoraLayer (or one more adapter on an existing one), with r/alpha from rank_pattern and
 * alpha_pattern. Conv1D targets force fan_in_fan_out = true and nn.Linear ones false, as PEFT
 * does (and writes into the saved config). `bias` decides which base biases train and are saved.
 */
import type { PreTrainedModel } from "../../models/modeling_utils.js";
import type { PeftMethod } from "../registry.js";
import { LoraLayer } from "./layer.js";
import { type LoraConfig } from "./config.js";
export declare function injectLora(model: PreTrainedModel, config: LoraConfig, adapterName: string): void;
/** Base biases that train with the adapter: every bias ("all") or those of wrapped layers ("lora_only"). */
export declare function loraBiasParameters(model: PreTrainedModel, config: LoraConfig, adapterName: string): string[];
/** Every LoraLayer of a model with its path. */
export declare function loraLayers(model: PreTrainedModel): Generator<[string, LoraLayer]>;
/** The Lora method as the registry holds it (src/peft/registry.ts lists it). */
export declare const LORA_METHOD: PeftMethod<LoraConfig>;
