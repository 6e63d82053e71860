import { PeftConfigError, nearestKey, problemsError, readConfig, } from "./config.js";
import { LORA_METHOD } from "./lora/model.js";
import { IA3_METHOD } from "./ia3.js";
import { BOTTLENECK_ADAPTER_METHOD } from "./adapter.js";
import { BITFIT_METHOD } from "./bitfit.js";
import { PROMPT_TUNING_METHOD } from "./prompt_tuning.js";
import { PREFIX_TUNING_METHOD } from "./prefix_tuning.js";
export class MethodRegistry {
    byType = new Map();
    byName = new Map();
    constructor(methods = []) {
        for (const m of methods)
            this.register(m);
    }
    /** Adds a method (and its variants); a peft_type or a name may be registered once. */
    register(method) {
        const m = method;
        if (this.byType.has(m.peft_type))
            throw new PeftConfigError(`[peft] peft_type "${m.peft_type}" is already registered; each method registers once`);
        this.claimName(m.name, { name: m.name, method: m, variant: null });
        this.byType.set(m.peft_type, m);
        for (const v of m.variants ?? [])
            this.claimName(v.name, { name: v.name, method: m, variant: v });
    }
    /** Adds a variant to a registered method (e.g. `qlora` to LORA). */
    addVariant(peftType, variant) {
        const method = this.get(peftType);
        this.claimName(variant.name, { name: variant.name, method, variant });
        method.variants = [...(method.variants ?? []), variant];
    }
    claimName(name, choice) {
        if (name !== name.toLowerCase())
            throw new PeftConfigError(`[peft] method names are lower case, got "${name}"`);
        if (name === "full" || this.byName.has(name))
            throw new PeftConfigError(`[peft] method name "${name}" is already taken`);
        this.byName.set(name, choice);
    }
    /** The method adapter_config.json's peft_type names. */
    get(peftType) {
        const m = this.byType.get(peftType);
        if (!m) {
            const near = nearestKey(peftType.toUpperCase(), [...this.byType.keys()]);
            throw new PeftConfigError(`[peft] unknown peft_type "${peftType}"; supported: ${this.peftTypes().join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`);
        }
        return m;
    }
    /** The method (and variant) a YAML/CLI name selects, case-insensitively. */
    choose(name) {
        const choice = this.byName.get(name.toLowerCase());
        if (!choice) {
            const near = nearestKey(name.toLowerCase(), this.names());
            throw new PeftConfigError(`[peft] unknown method "${name}"${near ? `; did you mean "${near}"?` : ""} (methods: full, ${this.names().join(", ")})`);
        }
        return choice;
    }
    has(name) {
        return this.byName.has(name.toLowerCase());
    }
    /** Every method and variant name, sorted. */
    names() {
        return [...this.byName.keys()].sort();
    }
    peftTypes() {
        return [...this.byType.keys()];
    }
    list() {
        return this.names().map((name) => {
            const { method, variant } = this.byName.get(name);
            return { name, peft_type: method.peft_type, summary: variant?.summary ?? method.summary, variant_of: variant ? method.name : null };
        });
    }
    /** A config dict of PEFT's keys, read by the method its peft_type names: the config and every problem. */
    check(dict) {
        if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
            return { config: null, problems: [`[peft] a PEFT config must be an object, got ${JSON.stringify(dict)}`] };
        }
        const type = dict.peft_type;
        if (typeof type !== "string") {
            return { config: null, problems: [`[peft] the config has no peft_type; set one of ${this.peftTypes().join(", ")}`] };
        }
        const peftType = type.toUpperCase();
        let method;
        try {
            method = this.get(peftType);
        }
        catch (err) {
            return { config: null, problems: [err.message] };
        }
        return readConfig({ ...dict, peft_type: peftType }, peftType, (r) => method.readConfig(r));
    }
}
/** The built-in methods. Add a method here (one line) after writing its file. */
export const peftMethods = new MethodRegistry([
    LORA_METHOD, IA3_METHOD, BOTTLENECK_ADAPTER_METHOD, BITFIT_METHOD, PROMPT_TUNING_METHOD, PREFIX_TUNING_METHOD,
]);
/** Every problem with a PEFT config dict (empty when it is valid). */
export function peftConfigProblems(dict) {
    return peftMethods.check(dict).problems;
}
/** A plain dict of PEFT's keys → the method's typed config; one PeftConfigError lists every problem. */
export function parsePeftConfig(dict) {
    const { config, problems } = peftMethods.check(dict);
    if (problems.length)
        throw problemsError(problems, "PEFT");
    return config;
}
//# sourceMappingURL=registry.js.map