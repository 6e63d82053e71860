/**
 * PretrainedConfig: config.json with Hugging Face's keys verbatim. Unknown keys are kept
 * so a config survives a load/save round trip; each family subclass supplies defaults.
 */
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";
import { checkModelSize } from "./model_size.js";
export class PretrainedConfig {
    model_type = "";
    architectures;
    id2label = { 0: "LABEL_0", 1: "LABEL_1" };
    label2id = { LABEL_0: 0, LABEL_1: 1 };
    problem_type;
    tie_word_embeddings = true;
    pad_token_id;
    bos_token_id;
    eos_token_id;
    torch_dtype;
    /** Family defaults (HF's __init__ defaults), applied under the given keys. */
    static defaults = {};
    /** Builds a config from a dict (config.json) on top of the class's defaults. */
    static fromDict(dict, source = "config") {
        const cls = this;
        const cfg = new this();
        Object.assign(cfg, structuredClone(cls.defaults), structuredClone(dict));
        cfg.normaliseLabels(dict);
        checkModelSize(cfg, source);
        cfg.validate();
        return cfg;
    }
    static fromFile(dirOrFile) {
        const file = dirOrFile.endsWith(".json") ? dirOrFile : path.join(dirOrFile, "config.json");
        return this.fromDict(readJsonFile(file, { maxBytes: 16 * 1024 * 1024 }), file);
    }
    normaliseLabels(dict) {
        const given = dict.id2label;
        const n = dict.num_labels;
        if (given) {
            this.id2label = Object.fromEntries(Object.entries(given).map(([k, v]) => [String(Number(k)), String(v)]));
        }
        else if (typeof n === "number") {
            this.id2label = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), `LABEL_${i}`]));
        }
        if (!dict.label2id || given || typeof n === "number") {
            this.label2id = Object.fromEntries(Object.entries(this.id2label).map(([k, v]) => [v, Number(k)]));
        }
        // num_labels is derived from id2label (an accessor); an own key would shadow it.
        delete this.num_labels;
    }
    /** Subclasses check divisibility etc., quoting both numbers. */
    validate() { }
    get num_labels() {
        return Object.keys(this.id2label).length;
    }
    set num_labels(n) {
        if (n === undefined)
            return;
        this.id2label = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), this.id2label[String(i)] ?? `LABEL_${i}`]));
        this.label2id = Object.fromEntries(Object.entries(this.id2label).map(([k, v]) => [v, Number(k)]));
    }
    /** Applies overrides (num_labels, id2label, problem_type, ...) from fromPretrained options. */
    update(overrides) {
        const { num_labels, id2label, label2id, ...rest } = overrides;
        Object.assign(this, rest);
        if (id2label)
            this.normaliseLabels({ id2label, label2id });
        else if (typeof num_labels === "number" && num_labels !== this.num_labels)
            this.num_labels = num_labels;
        this.validate();
    }
    /** The dict config.json holds: sorted keys, as save_pretrained writes them. */
    toDict() {
        const out = {};
        for (const key of Object.keys(this).sort()) {
            const v = this[key];
            if (v !== undefined && typeof v !== "function")
                out[key] = v;
        }
        return out;
    }
    save(dir) {
        writeJsonAtomic(path.join(dir, "config.json"), this.toDict());
    }
}
//# sourceMappingURL=configuration_utils.js.map