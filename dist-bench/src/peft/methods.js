import { PeftConfigError } from "./config.js";
import { peftMethods, parsePeftConfig } from "./registry.js";
import { PeftModel } from "./peft_model.js";
import { readAdapterConfig } from "./save_and_load.js";
/** The method a spec selects and the PEFT config dict it stands for (a variant's presets applied). */
export function methodConfigDict(spec, registry = peftMethods) {
    const { method, ...rest } = spec;
    if (method === undefined && rest.peft_type === undefined) {
        throw new PeftConfigError(`[peft] say which method to use: method: ${registry.names().join(" | ")}`);
    }
    if (method?.toLowerCase() === "full") {
        throw new PeftConfigError('[peft] "full" fine-tuning wraps nothing: train the model itself (the Trainer\'s method: full)');
    }
    const choice = registry.choose(method ?? registry.get(String(rest.peft_type).toUpperCase()).name);
    const given = rest.peft_type;
    if (given !== undefined && String(given).toUpperCase() !== choice.method.peft_type) {
        throw new PeftConfigError(`[peft] method "${method}" contradicts peft_type "${String(given)}"`);
    }
    return { choice, dict: { ...rest, ...choice.variant?.presets, peft_type: choice.method.peft_type } };
}
/** Every problem with a method name and its keys (empty when valid). */
export function methodProblems(spec, registry = peftMethods) {
    let dict;
    try {
        ({ dict } = methodConfigDict(spec, registry));
    }
    catch (err) {
        if (err instanceof PeftConfigError)
            return [err.message];
        throw err;
    }
    return registry.check(dict).problems;
}
/** Wraps `model` with a new adapter of the method `spec` names (a variant prepares the base first). */
export function applyMethod(model, spec, opts = {}) {
    const { choice, dict } = methodConfigDict(spec);
    const config = parsePeftConfig(dict);
    choice.variant?.prepareBase?.(model, config);
    return new PeftModel(model, config, opts);
}
/**
 * Loads the adapter saved in `dir` onto `base` for evaluation or prediction (frozen unless
 * is_trainable); `method` names the variant it was trained with when that variant prepares the
 * base (qlora), since adapter_config.json records only the peft_type.
 */
export function loadAdapterFor(base, dir, opts = {}) {
    const { method, ...rest } = opts;
    if (method !== undefined && method.toLowerCase() !== "full") {
        const choice = peftMethods.choose(method);
        if (choice.variant?.prepareBase) {
            const config = parsePeftConfig(readAdapterConfig(dir));
            choice.variant.prepareBase(base, config);
        }
    }
    return PeftModel.fromPretrained(base, dir, rest);
}
//# sourceMappingURL=methods.js.map