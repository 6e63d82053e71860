import { PeftConfigError, parseOrThrow } from "./config.js";
import { matchesModuleList } from "./targets.js";
export function parseBitFitConfig(dict) {
    return parseOrThrow(dict, "BITFIT", readBitFitConfig);
}
/** Reads a BITFIT config, noting every problem on the reader. */
export function readBitFitConfig(r) {
    const dict = r.dict;
    const base = r.base("BITFIT", ["target_modules", "exclude_modules"]);
    return { ...base, peft_type: "BITFIT", target_modules: r.targets("target_modules"), exclude_modules: r.targets("exclude_modules") };
}
/** Paths (relative to the base model) of the bias tensors BitFit trains. */
export function bitfitParameters(model, config) {
    const out = [];
    for (const [path, t] of model.namedParameters()) {
        if (!(path === "bias" || path.endsWith(".bias")) || t.dtype !== "float32")
            continue;
        if (path.includes(".modules_to_save.") || path.includes(".original_module."))
            continue;
        const owner = path.slice(0, Math.max(0, path.length - ".bias".length)).replace(/\.base_layer$/, "");
        if (config.target_modules !== null && !matchesModuleList(owner, config.target_modules))
            continue;
        if (config.exclude_modules && matchesModuleList(owner, config.exclude_modules))
            continue;
        out.push(path);
    }
    if (out.length === 0) {
        throw new PeftConfigError(`[peft] BitFit: no bias to train in ${model.constructor.name}${config.target_modules ? ` under target_modules ${JSON.stringify(config.target_modules)}` : ""} (models without biases, like Llama, cannot use BitFit; use LoRA or IA3)`);
    }
    return out;
}
/** The BitFit method as the registry holds it (src/peft/registry.ts lists it). */
export const BITFIT_METHOD = {
    peft_type: "BITFIT",
    name: "bitfit",
    summary: "BitFit: only the bias terms train",
    prefix: null, // no parameter of its own: everything it trains is listed by extraSavedParameters
    readConfig: readBitFitConfig,
    inject: (model, config) => void bitfitParameters(model, config),
    extraSavedParameters: (model, config) => bitfitParameters(model, config),
};
//# sourceMappingURL=bitfit.js.map