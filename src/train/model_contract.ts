/**
 * What the Trainer needs from a model, so a PreTrainedModel, a PEFT wrapper or a
 * hand-written Module all train the same way. A PEFT wrapper's savePretrained writes only
 * the adapter, and its loadCheckpointWeights reads it back: the Trainer's checkpoints then
 * hold "only the adapter when training one" with no special case here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Tensor } from "../tensor/index.js";
import { loadCheckpointTensors } from "../io/model_weights.js";
import { rawToTensor } from "../io/tensors.js";
import type { ModelInputs, ModelOutput, TaskKind } from "../models/modeling_utils.js";

export interface TrainableModel {
  forward(inputs: ModelInputs): ModelOutput;
  namedParameters(): Iterable<[string, Tensor]>;
  trainableParameters(): Tensor[];
  train(mode?: boolean): unknown;
  eval(): unknown;
  /** Writes what a checkpoint must hold: full weights + config, or only the adapter. */
  savePretrained(dir: string): void;
  config?: { [key: string]: unknown; model_type?: string; num_labels?: number; problem_type?: unknown };
  /** What the model's head computes (PreTrainedModel declares it, PeftModel forwards it); absent: "base". */
  readonly taskKind?: TaskKind;
  /** Restores the weights savePretrained wrote into dir (default: model.safetensors by key). */
  loadCheckpointWeights?(dir: string): void;
  gradientCheckpointingEnable?(): void;
  tieWeights?(): void;
  loadStateDict?(state: Map<string, Tensor>, opts?: { strict?: boolean }): { missingKeys: string[]; unexpectedKeys: string[] };
}

/** Loads a checkpoint's weights into the model, through the model's own hook when it has one. */
export function loadCheckpointWeights(model: TrainableModel, dir: string): void {
  if (typeof model.loadCheckpointWeights === "function") {
    model.loadCheckpointWeights(dir);
    return;
  }
  // A PEFT wrapper saved only its adapter: copy it back into the same tensors.
  const adapterAware = model as TrainableModel & { loadAdapterWeights?(dir: string): void };
  if (typeof adapterAware.loadAdapterWeights === "function" && fs.existsSync(path.join(dir, "adapter_config.json"))) {
    adapterAware.loadAdapterWeights(dir);
    return;
  }
  if (typeof model.loadStateDict !== "function") {
    throw new Error(`[trainer] the model has neither loadCheckpointWeights(dir) nor loadStateDict(); cannot restore weights from ${dir}`);
  }
  const tensors = new Map<string, Tensor>();
  for (const [k, raw] of loadCheckpointTensors(dir)) tensors.set(k, rawToTensor(raw, k));
  const own = new Set([...model.namedParameters()].map(([k]) => k));
  const { unexpectedKeys } = model.loadStateDict(tensors, { strict: false });
  const missing = [...own].filter((k) => !tensors.has(k));
  // Tied weights are saved once; anything else missing means the checkpoint is not this model's.
  model.tieWeights?.();
  if (unexpectedKeys.length || missing.length > 0 && missing.length === own.size) {
    throw new Error(`[trainer] ${dir} does not hold this model's weights (unexpected: ${unexpectedKeys.slice(0, 5).join(", ") || "none"}; missing: ${missing.slice(0, 5).join(", ") || "none"})`);
  }
}
