/**
 * Joins src/peft's methods to the training-method registry (train sits above peft, so the
 * glue lives here): `method: lora | dora | ia3 | adapter | bitfit | prompt_tuning |
 * prefix_tuning` with the method's PEFT keys in the `peft:` section, validated before any
 * work, applied with PEFT's task_type for the task; and saved adapters load back onto a
 * base model for eval/predict. PeftModel.savePretrained writes only the adapter, so the
 * Trainer's checkpoints hold only the adapter; resume copies it back in place. Modules the
 * base checkpoint lacked (newly initialised) join modules_to_save, so the adapter reloads exactly.
 */
import { METHOD_TO_PEFT_TYPE, PeftModel, applyMethod as applyPeftMethod, peftConfigProblems } from "../peft/index.js";
import { registerAdapterLoader, registerTrainingMethod, trainingMethodNames } from "./methods.js";
const TASK_TYPE = {
    text_classification: "SEQ_CLS",
    token_classification: "TOKEN_CLS",
    causal_lm: "CAUSAL_LM",
    seq2seq: "SEQ_2_SEQ_LM",
    extractive_qa: "QUESTION_ANS",
    masked_lm: null,
};
/**
 * Modules whose weights the checkpoint lacked (a pooler or DistilBERT's pre_classifier under an
 * MLM checkpoint, the new task head): random, so frozen they would be noise that the adapter
 * does not carry — a reload draws other values. They go to modules_to_save: trained, and saved
 * with the adapter, as PEFT does for the classifier.
 */
function newlyInitializedModules(model) {
    const keys = model.loadReport?.newlyInitialized ?? [];
    return [...new Set(keys.map((k) => k.slice(0, Math.max(0, k.lastIndexOf(".")))).filter((p) => p !== ""))];
}
let registered = false;
export function registerPeftTrainingMethods() {
    if (registered)
        return;
    registered = true;
    for (const [name, peftType] of Object.entries(METHOD_TO_PEFT_TYPE)) {
        if (trainingMethodNames().includes(name))
            continue;
        registerTrainingMethod({
            name,
            peft_type: name === "dora" ? undefined : peftType,
            validate(section) {
                // Every problem of the section, for the config report that lists all of a run's problems at once.
                const dict = { ...section, peft_type: peftType, ...(name === "dora" ? { use_dora: true } : {}) };
                return peftConfigProblems(dict).map((p) => p.replace(/^\[peft\] /, ""));
            },
            apply(model, section, ctx) {
                const task_type = section.task_type ?? TASK_TYPE[ctx.task] ?? null;
                const spec = { method: name, ...section, task_type, base_model_name_or_path: section.base_model_name_or_path ?? (ctx.base_model_name_or_path || null) };
                const fresh = newlyInitializedModules(model);
                if (fresh.length)
                    spec.modules_to_save = [...new Set([...(section.modules_to_save ?? []), ...fresh])];
                return applyPeftMethod(model, spec);
            },
        });
    }
    registerAdapterLoader(async (base, dir) => PeftModel.fromPretrained(base, dir));
}
registerPeftTrainingMethods();
//# sourceMappingURL=peft_methods.js.map