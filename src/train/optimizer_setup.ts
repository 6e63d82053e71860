/**
 * The optimizer HF's Trainer builds from TrainingArguments: AdamW (or SGD) over the
 * trainable parameters, with weight decay on every weight except biases and LayerNorm /
 * RMSNorm weights (HF's get_decay_parameter_names), and the schedule from
 * lr_scheduler_type with warmup_steps or warmup_ratio.
 */
import type { Tensor } from "../tensor/index.js";
import { createOptimizerByName, getScheduler, type LambdaLR, type Optimizer } from "../optim/index.js";
import type { TrainingArguments } from "./training_args.js";
import type { TrainableModel } from "./model_contract.js";

export function isNoDecay(name: string): boolean {
  return /(^|\.)bias$/.test(name) || /(layer_?norm|LayerNorm|ln_\w+|norm\d*|_norm)\.weight$/i.test(name);
}

export function createOptimizer(model: TrainableModel, args: TrainingArguments): Optimizer<{ lr: number }> {
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    (isNoDecay(name) ? noDecay : decay).push(p);
  }
  if (decay.length + noDecay.length === 0) {
    throw new Error("[trainer] the model has no trainable parameters; check the method/peft section (everything is frozen)");
  }
  const groups = [
    ...(decay.length ? [{ params: decay, weight_decay: args.weight_decay }] : []),
    ...(noDecay.length ? [{ params: noDecay, weight_decay: 0 }] : []),
  ];
  return createOptimizerByName(args.optim, groups, {
    lr: args.learning_rate,
    betas: [args.adam_beta1, args.adam_beta2],
    eps: args.adam_epsilon,
    weight_decay: args.weight_decay,
  });
}

export function createScheduler(optimizer: Optimizer<{ lr: number }>, args: TrainingArguments, maxSteps: number): LambdaLR {
  return getScheduler(args.lr_scheduler_type, optimizer, {
    num_warmup_steps: args.getWarmupSteps(maxSteps),
    num_training_steps: maxSteps,
    scheduler_specific_kwargs: args.lr_scheduler_kwargs,
  });
}
