/** Optimizers by Transformers' TrainingArguments `optim` names. */
import { AdamW } from "./adamw.js";
import { SGD } from "./sgd.js";
import { AdamW8bit, Adafactor, PagedAdamW } from "./low_memory.js";
export const OPTIMIZER_NAMES = [
    "adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw", "adamw_8bit", "adamw_bnb_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "adafactor",
];
export function createOptimizerByName(name, params, h) {
    const adam = { lr: h.lr, ...(h.betas ? { betas: h.betas } : {}), ...(h.eps !== undefined ? { eps: h.eps } : {}), ...(h.weight_decay !== undefined ? { weight_decay: h.weight_decay } : {}) };
    switch (name) {
        case "adamw_torch":
        case "adamw_torch_fused":
        case "adamw_hf":
        case "adamw":
            return new AdamW(params, adam);
        case "adamw_8bit":
        case "adamw_bnb_8bit":
            return new AdamW8bit(params, adam);
        case "paged_adamw_8bit":
            return new AdamW8bit(params, { ...adam, paged: true });
        case "paged_adamw_32bit":
            return new PagedAdamW(params, adam);
        case "sgd":
            return new SGD(params, { lr: h.lr });
        case "adafactor":
            return new Adafactor(params, { lr: h.lr, ...(h.weight_decay !== undefined ? { weight_decay: h.weight_decay } : {}) });
        default:
            throw new RangeError(`[optim] unknown optimizer "${name}"; supported: ${OPTIMIZER_NAMES.join(", ")}`);
    }
}
//# sourceMappingURL=by_name.js.map