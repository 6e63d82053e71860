export class CallbackHandler {
    callbacks;
    constructor(callbacks = []) {
        this.callbacks = callbacks;
    }
    add(cb) {
        this.callbacks.push(cb);
    }
    fire(event, args, state, control, extras = {}) {
        for (const cb of this.callbacks)
            cb[event]?.(args, state, control, extras);
    }
}
/**
 * Stops training when metric_for_best_model has not improved by more than the threshold
 * for `early_stopping_patience` evaluations in a row (HF's EarlyStoppingCallback). Needs
 * metric_for_best_model and evaluations; with load_best_model_at_end the best weights are
 * restored after the stop.
 */
export class EarlyStoppingCallback {
    patience;
    threshold;
    patienceCounter = 0;
    best = null;
    constructor(opts = {}) {
        this.patience = opts.early_stopping_patience ?? 1;
        this.threshold = opts.early_stopping_threshold ?? 0;
        if (!Number.isInteger(this.patience) || this.patience < 1)
            throw new RangeError(`[EarlyStoppingCallback] early_stopping_patience must be a positive integer, got ${this.patience}`);
        if (!(this.threshold >= 0))
            throw new RangeError(`[EarlyStoppingCallback] early_stopping_threshold must be >= 0, got ${this.threshold}`);
    }
    onTrainBegin(args) {
        if (args.eval_strategy === "no")
            throw new Error("[EarlyStoppingCallback] needs evaluations: set eval_strategy to \"steps\" or \"epoch\"");
        if (!args.metric_for_best_model)
            throw new Error("[EarlyStoppingCallback] needs metric_for_best_model (e.g. \"eval_loss\" or \"accuracy\")");
    }
    onEvaluate(args, _state, control, extras) {
        const name = metricKey(args.metric_for_best_model);
        const value = extras.metrics?.[name];
        if (value === undefined) {
            throw new Error(`[EarlyStoppingCallback] metric_for_best_model "${args.metric_for_best_model}" is not among the evaluation metrics (${Object.keys(extras.metrics ?? {}).join(", ")})`);
        }
        const better = args.greater_is_better ? (a, b) => a > b : (a, b) => a < b;
        if (this.best === null || (better(value, this.best) && Math.abs(value - this.best) > this.threshold)) {
            this.best = value;
            this.patienceCounter = 0;
        }
        else {
            this.patienceCounter++;
        }
        if (this.patienceCounter >= this.patience)
            control.should_training_stop = true;
    }
    stateDict() {
        return { patience_counter: this.patienceCounter, best: this.best };
    }
    loadStateDict(s) {
        this.patienceCounter = Number(s.patience_counter ?? 0);
        this.best = typeof s.best === "number" ? s.best : null;
    }
}
/** "accuracy" → "eval_accuracy"; names already prefixed stay. */
export function metricKey(name) {
    return name.startsWith("eval_") ? name : `eval_${name}`;
}
//# sourceMappingURL=callbacks.js.map