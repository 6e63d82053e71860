import { createOptimizerByName, getScheduler } from "../optim/index.js";
export function isNoDecay(name) {
    return /(^|\.)bias$/.test(name) || /(layer_?norm|LayerNorm|ln_\w+|norm\d*|_norm)\.weight$/i.test(name);
}
export function createOptimizer(model, args) {
    const decay = [];
    const noDecay = [];
    for (const [name, p] of model.namedParameters()) {
        if (!p.requiresGrad)
            continue;
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
export function createScheduler(optimizer, args, maxSteps) {
    return getScheduler(args.lr_scheduler_type, optimizer, {
        num_warmup_steps: args.getWarmupSteps(maxSteps),
        num_training_steps: maxSteps,
        scheduler_specific_kwargs: args.lr_scheduler_kwargs,
    });
}
//# sourceMappingURL=optimizer_setup.js.map