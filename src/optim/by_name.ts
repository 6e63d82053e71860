/** Optimizers by Transformers' TrainingArguments `optim` names. */
import { AdamW } from "./adamw.js";
import { SGD } from "./sgd.js";
import { AdamW8bit, Adafactor, PagedAdamW } from "./low_memory.js";
import type { Optimizer, ParamsInput } from "./optimizer.js";

export const OPTIMIZER_NAMES = [
  "adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw", "adamw_8bit", "adamw_bnb_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "adafactor",
] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerHyperParameters {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
}

export function createOptimizerByName(name: string, params: ParamsInput, h: OptimizerHyperParameters): Optimizer<{ lr: number }> {
  const adam = { lr: h.lr, ...(h.betas ? { betas: h.betas } : {}), ...(h.eps !== undefined ? { eps: h.eps } : {}), ...(h.weight_decay !== undefined ? { weight_decay: h.weight_decay } : {}) };
  switch (name) {
    case "adamw_torch":
    case "adamw_torch_fused":
    case "adamw_hf":
    case "adamw":
      return new AdamW(params, adam) as unknown as Optimizer<{ lr: number }>;
    case "adamw_8bit":
    case "adamw_bnb_8bit":
      return new AdamW8bit(params, adam) as unknown as Optimizer<{ lr: number }>;
    case "paged_adamw_8bit":
      return new AdamW8bit(params, { ...adam, paged: true }) as unknown as Optimizer<{ lr: number }>;
    case "paged_adamw_32bit":
      return new PagedAdamW(params, adam) as unknown as Optimizer<{ lr: number }>;
    case "sgd":
      return new SGD(params, { lr: h.lr }) as unknown as Optimizer<{ lr: number }>;
    case "adafactor":
      return new Adafactor(params, { lr: h.lr, ...(h.weight_decay !== undefined ? { weight_decay: h.weight_decay } : {}) }) as unknown as Optimizer<{ lr: number }>;
    default:
      throw new RangeError(`[optim] unknown optimizer "${name}"; supported: ${OPTIMIZER_NAMES.join(", ")}`);
  }
}
