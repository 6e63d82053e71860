/**
 * parsePeftConfig: a plain dict of PEFT's keys (adapter_config.json, a YAML `peft:` section) →
 * the method's typed config, dispatched on peft_type. Every problem is found in one pass
 * (unknown keys with the nearest valid name, bad types and values): peftConfigProblems lists
 * them for a caller that reports all of a config's problems at once (the CLI), parsePeftConfig
 * throws one PeftConfigError holding them all. Importing this file registers every method.
 */
import { PeftConfigError, gatherConfigProblems, getPeftMethod, registeredPeftTypes } from "./config.js";
import "./lora/model.js";
import "./ia3.js";
import "./adapter.js";
import "./bitfit.js";
import "./prompt_tuning.js";
import "./prefix_tuning.js";
function checkPeftConfig(dict) {
    if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
        return { config: null, problems: [`[peft] a PEFT config must be an object, got ${JSON.stringify(dict)}`] };
    }
    const type = dict.peft_type;
    if (typeof type !== "string") {
        return { config: null, problems: [`[peft] the config has no peft_type; set one of ${registeredPeftTypes().join(", ")}`] };
    }
    const peftType = type.toUpperCase();
    return gatherConfigProblems(() => getPeftMethod(peftType).parseConfig({ ...dict, peft_type: peftType }));
}
/** Every problem with a PEFT config dict (empty when it is valid). */
export function peftConfigProblems(dict) {
    return checkPeftConfig(dict).problems;
}
export function parsePeftConfig(dict) {
    const { config, problems } = checkPeftConfig(dict);
    if (problems.length === 1)
        throw new PeftConfigError(problems[0]);
    if (problems.length > 1) {
        throw new PeftConfigError(`[peft] ${problems.length} problems in the PEFT config:\n${problems.map((p) => `  - ${p}`).join("\n")}`, problems);
    }
    return config;
}
//# sourceMappingURL=parse.js.map