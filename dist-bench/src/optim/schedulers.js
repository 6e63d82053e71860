export const SCHEDULER_TYPES = [
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt", "cosine_with_min_lr",
];
export class LambdaLR {
    optimizer;
    lrLambda;
    lastEpoch = -1;
    baseLrs;
    lastLr = [];
    constructor(optimizer, lrLambda) {
        this.optimizer = optimizer;
        this.lrLambda = lrLambda;
        for (const g of optimizer.paramGroups)
            if (g.initial_lr === undefined)
                g.initial_lr = g.lr;
        this.baseLrs = optimizer.paramGroups.map((g) => g.initial_lr);
        this.step();
    }
    /** Advances one step and sets every group's lr. */
    step() {
        this.lastEpoch++;
        this.apply();
    }
    apply() {
        const f = this.lrLambda(this.lastEpoch);
        this.lastLr = this.baseLrs.map((base, i) => {
            const lr = base * f;
            this.optimizer.paramGroups[i].lr = lr;
            return lr;
        });
    }
    /** The lr of each group after the latest step (torch's get_last_lr()). */
    getLastLr() {
        return [...this.lastLr];
    }
    stateDict() {
        return { last_epoch: this.lastEpoch, base_lrs: [...this.baseLrs], _last_lr: [...this.lastLr] };
    }
    loadStateDict(sd) {
        if (!sd || typeof sd.last_epoch !== "number")
            throw new TypeError("[scheduler] loadStateDict expects { last_epoch, base_lrs, _last_lr }");
        if (sd.base_lrs && sd.base_lrs.length !== this.baseLrs.length) {
            throw new RangeError(`[scheduler] the state dict has ${sd.base_lrs.length} groups but the optimizer has ${this.baseLrs.length}`);
        }
        this.lastEpoch = sd.last_epoch;
        if (sd.base_lrs)
            sd.base_lrs.forEach((v, i) => (this.baseLrs[i] = v));
        this.apply();
    }
}
function warmup(step, w) {
    return step / Math.max(1, w);
}
function lambdaFor(name, w, T, o, lrInit) {
    switch (name) {
        case "constant":
            return () => 1;
        case "constant_with_warmup":
            return (s) => (s < w ? warmup(s, w) : 1);
        case "linear":
            return (s) => (s < w ? warmup(s, w) : Math.max(0, (T - s) / Math.max(1, T - w)));
        case "cosine": {
            const cycles = o.num_cycles ?? 0.5;
            return (s) => {
                if (s < w)
                    return warmup(s, w);
                const progress = (s - w) / Math.max(1, T - w);
                return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress)));
            };
        }
        case "cosine_with_min_lr": {
            const cycles = o.num_cycles ?? 0.5;
            if ((o.min_lr === undefined) === (o.min_lr_rate === undefined)) {
                throw new RangeError("[getScheduler] cosine_with_min_lr needs exactly one of min_lr or min_lr_rate");
            }
            const rate = o.min_lr_rate ?? o.min_lr / lrInit;
            return (s) => {
                if (s < w)
                    return warmup(s, w);
                const progress = (s - w) / Math.max(1, T - w);
                const f = 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress));
                return Math.max(0, f * (1 - rate) + rate);
            };
        }
        case "cosine_with_restarts": {
            const cycles = o.num_cycles ?? 1;
            return (s) => {
                if (s < w)
                    return warmup(s, w);
                const progress = (s - w) / Math.max(1, T - w);
                if (progress >= 1)
                    return 0;
                return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((cycles * progress) % 1))));
            };
        }
        case "polynomial": {
            const lrEnd = o.lr_end ?? 1e-7;
            const power = o.power ?? 1;
            if (!(lrInit > lrEnd))
                throw new RangeError(`[getScheduler] lr_end (${lrEnd}) must be smaller than the initial lr (${lrInit})`);
            return (s) => {
                if (s < w)
                    return warmup(s, w);
                if (s > T)
                    return lrEnd / lrInit;
                const remaining = 1 - (s - w) / (T - w);
                return ((lrInit - lrEnd) * remaining ** power + lrEnd) / lrInit;
            };
        }
        case "inverse_sqrt": {
            const timescale = o.timescale ?? (w || 10000);
            return (s) => {
                if (s < w)
                    return warmup(s, w);
                return 1 / Math.sqrt((s + timescale - w) / timescale);
            };
        }
    }
}
/**
 * HF's get_scheduler(name, optimizer, num_warmup_steps, num_training_steps, ...): a
 * LambdaLR over the optimizer's groups with step(), getLastLr() and stateDict().
 */
export function getScheduler(name, optimizer, opts = {}) {
    if (!SCHEDULER_TYPES.includes(name)) {
        throw new RangeError(`[getScheduler] unknown lr_scheduler_type "${name}"; supported: ${SCHEDULER_TYPES.join(", ")}`);
    }
    const o = { ...opts, ...opts.scheduler_specific_kwargs };
    const type = name;
    const w = o.num_warmup_steps;
    const T = o.num_training_steps;
    if (type !== "constant") {
        if (w === undefined || w === null)
            throw new RangeError(`[getScheduler] ${type} requires num_warmup_steps, please provide that argument`);
        if (!Number.isInteger(w) || w < 0)
            throw new RangeError(`[getScheduler] num_warmup_steps must be a non-negative integer, got ${w}`);
    }
    if (type !== "constant" && type !== "constant_with_warmup" && type !== "inverse_sqrt") {
        if (T === undefined || T === null)
            throw new RangeError(`[getScheduler] ${type} requires num_training_steps, please provide that argument`);
        if (!Number.isInteger(T) || T < 0)
            throw new RangeError(`[getScheduler] num_training_steps must be a non-negative integer, got ${T}`);
    }
    return new LambdaLR(optimizer, lambdaFor(type, w ?? 0, T ?? 0, o, optimizer.defaults.lr));
}
//# sourceMappingURL=schedulers.js.map