/**
 * PEFT's file format (utils/save_and_load.py): adapter_config.json plus adapter_model.safetensors
 * whose keys are the PeftModel's parameter paths with the adapter name dropped —
 * `base_model.model.<path>.lora_A.default.weight` → `base_model.model.<path>.lora_A.weight`,
 * `<head>.modules_to_save.default.weight` → `<head>.weight`, DoRA's
 * `lora_magnitude_vector.default.weight` → `lora_magnitude_vector`; prompt learning saves one
 * tensor, `prompt_embeddings`. Loading inverts the same map, so a file from Python PEFT and one
 * from tunelab load alike, and every key is checked against the base model by name and shape.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { listKeys } from "../nn/index.js";
import { loadTensors, saveTensors } from "../io/tensors.js";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";
import { PeftConfigError, configToJson } from "./config.js";
export const CONFIG_NAME = "adapter_config.json";
export const SAFETENSORS_WEIGHTS_NAME = "adapter_model.safetensors";
/** Containers whose next path segment is an adapter name. */
const ADAPTER_CONTAINERS = new Set(["lora_A", "lora_B", "lora_dropout", "lora_magnitude_vector", "ia3_l", "adapter_down", "adapter_up", "modules_to_save"]);
/** The PeftModel parameter path → the key PEFT writes for it (adapter name and `modules_to_save.` dropped). */
export function fileKeyOf(modelKey, adapterName) {
    const segs = modelKey.split(".");
    const out = [];
    for (let i = 0; i < segs.length; i++) {
        if (i > 0 && segs[i] === adapterName && ADAPTER_CONTAINERS.has(segs[i - 1]))
            continue;
        if (segs[i] === "modules_to_save" && segs[i + 1] === adapterName)
            continue;
        out.push(segs[i]);
    }
    let key = out.join(".");
    if (key.endsWith(".lora_magnitude_vector.weight"))
        key = key.slice(0, -".weight".length);
    return key;
}
/** Does this PeftModel path hold a tensor of adapter `adapterName` (its own layer parameters)? */
export function isAdapterKey(modelKey, adapterName, prefix) {
    if (!prefix)
        return false;
    const segs = modelKey.split(".");
    for (let i = 1; i < segs.length; i++) {
        if (segs[i] === adapterName && segs[i - 1].startsWith(prefix) && ADAPTER_CONTAINERS.has(segs[i - 1]))
            return true;
    }
    return false;
}
export function isModulesToSaveKey(modelKey, adapterName) {
    return modelKey.includes(`.modules_to_save.${adapterName}.`) || modelKey.startsWith(`modules_to_save.${adapterName}.`);
}
/** Reads adapter_config.json as a plain dict (the caller parses it with the method's parser). */
export function readAdapterConfig(dir) {
    const file = path.join(dir, CONFIG_NAME);
    if (!fs.existsSync(file)) {
        throw new PeftConfigError(`[peft] no ${CONFIG_NAME} in ${dir}; pass the folder PeftModel.savePretrained (or PEFT's save_pretrained) wrote`);
    }
    return readJsonFile(file, { maxBytes: 4 * 1024 * 1024 });
}
export function readAdapterWeights(dir) {
    const file = path.join(dir, SAFETENSORS_WEIGHTS_NAME);
    if (!fs.existsSync(file)) {
        const bin = path.join(dir, "adapter_model.bin");
        if (fs.existsSync(bin)) {
            throw new PeftConfigError(`[peft] ${bin} is a pickle file, which tunelab never reads; re-save the adapter with safe_serialization=True (adapter_model.safetensors)`);
        }
        throw new PeftConfigError(`[peft] no ${SAFETENSORS_WEIGHTS_NAME} in ${dir}`);
    }
    return loadTensors(file);
}
/**
 * tunelab's sidecar for a prompt encoder whose training state the PEFT file cannot hold (prefix
 * tuning with prefix_projection): the encoder's own tensors, read back on resume. PEFT ignores it.
 */
export const PROMPT_ENCODER_STATE_NAME = "prompt_encoder_state.safetensors";
export function writeAdapter(dir, config, tensors) {
    fs.mkdirSync(dir, { recursive: true });
    saveTensors(path.join(dir, SAFETENSORS_WEIGHTS_NAME), tensors, { format: "pt" });
    writeJsonAtomic(path.join(dir, CONFIG_NAME), { ...configToJson(config), inference_mode: true });
}
/**
 * Copies file tensors into the model's tensors by key (`targets`: file key → tensor). Every file
 * key must have a target with the same shape and every target must be in the file; errors name
 * the key and both shapes, so an adapter trained on another base model fails here, not in a matmul.
 */
export function copyIntoTargets(weights, targets, source) {
    const unexpected = [...weights.keys()].filter((k) => !targets.has(k));
    const missing = [...targets.keys()].filter((k) => !weights.has(k));
    if (unexpected.length || missing.length) {
        throw new PeftConfigError(`[peft] the adapter at ${source} does not match this base model: ` +
            (unexpected.length ? `keys with no module here: ${listKeys(unexpected)}` : "") +
            (unexpected.length && missing.length ? "; " : "") +
            (missing.length ? `missing from the file: ${listKeys(missing)}` : "") +
            "; check base_model_name_or_path and target_modules");
    }
    for (const [key, src] of weights) {
        const dst = targets.get(key);
        if (dst.shape.length !== src.shape.length || dst.shape.some((d, i) => d !== src.shape[i])) {
            throw new PeftConfigError(`[peft] ${source}: "${key}" is [${src.shape.join(", ")}] in the file but [${dst.shape.join(", ")}] in the model; the adapter was trained for another base model or rank`);
        }
        if (dst.dtype !== "float32" || !dst.isContiguous())
            throw new PeftConfigError(`[peft] "${key}" is not a contiguous float32 tensor in the model`);
        dst.f32().set(src.toFloat32Array());
    }
}
//# sourceMappingURL=save_and_load.js.map