/**
 * The pipeline the commands share: config → tokenizer, data splits, task features, model
 * (+ training method) → Trainer. Commands stay thin: they call these and print.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { manualSeed } from "../tensor/index.js";
import { AutoTokenizer } from "../data/tokenizer.js";
import { findSplitFiles, loadDataset } from "../data/readers.js";
import { IterableDataset } from "../data/stream.js";
import { AutoConfig, modelClassFor } from "../models/auto.js";
import { readJsonFile } from "../io/json.js";
import { Trainer } from "../train/trainer.js";
import { TrainingArguments } from "../train/training_args.js";
import { EarlyStoppingCallback } from "../train/callbacks.js";
import { AUTO_TASK, prepareTask } from "../train/tasks.js";
import { prepareStreamingTask } from "../train/streaming_task.js";
import { applyTrainingMethod, describeTrainableParameters, loadAdapter } from "../train/methods.js";
// Registers the PEFT methods (lora, ia3, bitfit, ...) with the training-method registry.
import "../train/peft_methods.js";
export const consoleOutput = { info: (l) => console.log(l), warn: (l) => console.error(l) };
/** The config's tokenizer, else the one saved in modelDir (a trained model folder), else the model's. */
export async function loadTokenizer(cfg, modelDir) {
    const savedInModelDir = modelDir && (fs.existsSync(path.join(modelDir, "tokenizer_config.json")) || fs.existsSync(path.join(modelDir, "tokenizer.json")));
    const source = cfg.tokenizer ?? (savedInModelDir ? modelDir : undefined) ?? cfg.model.name_or_path;
    if (!source)
        throw new Error("[cli] no tokenizer: the config has no tokenizer: and no model folder to take one from; set tokenizer: (a folder with tokenizer.json or vocab.txt)");
    return AutoTokenizer.fromPretrained(source);
}
/** The model eval/predict use: --model, else output_dir when it holds a saved model, else the config's model. */
export function trainedModelDir(cfg, args, given) {
    if (given)
        return path.resolve(given);
    const outDir = args.output_dir;
    if (fs.existsSync(path.join(outDir, "config.json")) || fs.existsSync(path.join(outDir, "adapter_config.json")))
        return outDir;
    if (!cfg.model.name_or_path) {
        throw new Error(`[cli] no model to load: ${outDir} holds no trained model and the config's model is built from_config; train one first (tunelab train), or pass --model <dir>`);
    }
    return cfg.model.name_or_path;
}
/** --resume: alone (or empty) it means the newest checkpoint in output_dir; with a value, that folder. */
export function resumeFlag(resume) {
    return resume === "" ? true : resume;
}
/** The splits the config names, with validation carved out of train when asked (or needed). */
export async function loadSplits(cfg, out, needValidation) {
    const d = cfg.dataset;
    const files = {};
    if (d.train_file)
        files.train = d.train_file;
    if (d.validation_file)
        files.validation = d.validation_file;
    if (d.test_file)
        files.test = d.test_file;
    const splits = await loadDataset(d.path ?? null, {
        data_files: Object.keys(files).length ? files : undefined,
        format: d.format,
        field: d.field,
        on_bad_rows: d.on_bad_rows,
        warn: out.warn,
    });
    const seed = d.split_seed ?? Number(cfg.training.seed ?? 42);
    if (!splits.validation && splits.train && (d.validation_split !== undefined || needValidation)) {
        const size = d.validation_split ?? 0.1;
        const { train, test } = splits.train.trainTestSplit({ test_size: size, seed, stratify_by_column: d.stratify_by_column });
        splits.train = train;
        splits.validation = test;
        out.info(`[data] no validation split: held out ${test.length} of ${train.length + test.length} training rows (validation_split ${size})`);
    }
    if (d.max_train_samples && splits.train)
        splits.train = splits.train.take(d.max_train_samples);
    if (d.max_eval_samples)
        for (const s of ["validation", "test"])
            if (splits[s])
                splits[s] = splits[s].take(d.max_eval_samples);
    return splits;
}
/**
 * dataset.streaming: the train split as a stream, shuffled with a seeded buffer (data_seed or
 * seed), and the other splits (validation, test) read into memory as usual.
 */
export async function loadStreamingSplits(cfg, out, needValidation) {
    const d = cfg.dataset;
    const found = d.path && fs.statSync(d.path).isDirectory() ? findSplitFiles(d.path, d.format) : d.path ? { train: [d.path] } : {};
    const trainFiles = d.train_file ? [d.train_file] : found.train;
    if (!trainFiles?.length)
        throw new Error(`[cli] dataset.streaming: no train file to stream (found: ${Object.keys(found).join(", ") || "nothing"}); set dataset.train_file or name a file train.*`);
    const others = {};
    for (const split of ["validation", "test"]) {
        const given = split === "validation" ? d.validation_file : d.test_file;
        if (given)
            others[split] = [given];
        else if (found[split])
            others[split] = found[split];
    }
    const splits = Object.keys(others).length
        ? await loadDataset(null, { data_files: others, format: d.format, field: d.field, on_bad_rows: d.on_bad_rows, warn: out.warn })
        : {};
    if (needValidation && !splits.validation) {
        throw new Error("[cli] evaluation needs a validation split, and a stream cannot be split; set dataset.validation_file (it is read into memory) or training.eval_strategy: no");
    }
    if (d.max_eval_samples)
        for (const s of ["validation", "test"])
            if (splits[s])
                splits[s] = splits[s].take(d.max_eval_samples);
    let train = IterableDataset.fromFile(trainFiles, { format: d.format, on_bad_rows: d.on_bad_rows });
    if (d.max_train_samples)
        train = train.take(d.max_train_samples);
    const buffer = d.shuffle_buffer_size ?? 1000;
    const seed = Number(cfg.training.data_seed ?? cfg.training.seed ?? 42);
    if (buffer > 0)
        train = train.shuffle({ seed, buffer_size: buffer });
    return { train, splits };
}
export function prepare(cfg, splits, tokenizer, out, fixedLabels) {
    const prepared = prepareTask(cfg.task, splits, tokenizer, cfg.taskOptions, cfg.dataset.on_bad_rows ?? "fail", fixedLabels);
    for (const w of prepared.warnings)
        out.warn(w);
    return prepared;
}
/** The id2label a trained model folder already has (so eval/predict keep its label order). */
export function savedLabels(dir) {
    if (!dir || !fs.existsSync(path.join(dir, "config.json")))
        return null;
    const cfg = readJsonFile(path.join(dir, "config.json"));
    const ids = cfg.id2label ? Object.keys(cfg.id2label) : [];
    // Default LABEL_i maps from a base checkpoint carry no real label names.
    if (!cfg.id2label || ids.every((k) => cfg.id2label[k] === `LABEL_${k}`))
        return null;
    return { id2label: cfg.id2label };
}
/**
 * The task model: pretrained weights from a folder/hub id, or a random initialisation from a
 * config (from_config, or `scratch` to ignore the weights of name_or_path: the baseline).
 */
export async function loadModel(cfg, overrides, opts = {}) {
    const autoTask = AUTO_TASK[cfg.task];
    const extra = { ...(cfg.model.config ?? {}), ...overrides };
    const dir = opts.dir ?? cfg.model.name_or_path;
    if (!opts.scratch && dir) {
        const dict = readJsonFile(path.join(dir, "config.json"));
        const cls = modelClassFor(String(dict.model_type), autoTask);
        return cls.fromPretrained(dir, { config: extra, quiet: opts.quiet, torch_dtype: cfg.model.torch_dtype, revision: cfg.model.revision, local_files_only: cfg.model.local_files_only });
    }
    let config;
    if (cfg.model.from_config !== undefined && (opts.scratch ? !dir : true)) {
        const dict = typeof cfg.model.from_config === "string" ? readJsonFile(cfg.model.from_config) : cfg.model.from_config;
        config = AutoConfig.forModel(String(dict.model_type), dict);
    }
    else {
        config = await AutoConfig.fromPretrained(dir);
    }
    config.update(extra);
    const registered = modelClassFor(config.model_type, autoTask);
    const Ctor = registered;
    const configCls = registered.configClass;
    return new Ctor(config instanceof configCls ? config : configCls.fromDict(config.toDict()));
}
export function trainingArgs(cfg, defaults = {}) {
    const output_dir = cfg.training.output_dir ?? path.join(cfg.baseDir, "runs", path.basename(cfg.file ?? "run", path.extname(cfg.file ?? "")));
    return new TrainingArguments({ ...defaults, ...cfg.training, output_dir });
}
/** Everything `tunelab train` needs, ready to call trainer.train(). */
export async function buildTrainingRun(cfg, out, opts = {}) {
    const args = trainingArgs(cfg, opts.argDefaults);
    const tokenizer = await loadTokenizer(cfg);
    let splits;
    let prepared;
    let streamedTrain;
    if (cfg.dataset.streaming) {
        const loaded = await loadStreamingSplits(cfg, out, args.eval_strategy !== "no");
        splits = loaded.splits;
        const policy = cfg.dataset.on_bad_rows ?? "fail";
        ({ prepared, train: streamedTrain } = await prepareStreamingTask(cfg.task, loaded.train, splits, tokenizer, cfg.taskOptions, policy, out.warn));
        for (const w of prepared.warnings)
            out.warn(w);
    }
    else {
        splits = await loadSplits(cfg, out, args.eval_strategy !== "no");
        if (!splits.train)
            throw new Error(`[cli] the dataset has no train split (found: ${Object.keys(splits).join(", ")}); name a file train.* or set dataset.train_file`);
        prepared = prepare(cfg, splits, tokenizer, out);
    }
    manualSeed(args.seed);
    let model = await loadModel(cfg, prepared.config, { scratch: opts.scratch, quiet: opts.quiet });
    model = await applyTrainingMethod(model, cfg.method, cfg.peft, {
        task: cfg.task,
        model_type: String(model.config?.model_type ?? ""),
        base_model_name_or_path: cfg.model.name_or_path ?? "",
    });
    if (!opts.quiet)
        out.info(`[model] ${cfg.method}: ${describeTrainableParameters(model)}`);
    const callbacks = [...(opts.callbacks ?? [])];
    if (cfg.early_stopping)
        callbacks.push(new EarlyStoppingCallback(cfg.early_stopping));
    const trainer = new Trainer({
        model, args, tokenizer, callbacks,
        train_dataset: streamedTrain ?? prepared.splits.train,
        eval_dataset: prepared.splits.validation,
        data_collator: prepared.collator,
        compute_metrics: prepared.compute_metrics,
        metric_input_columns: prepared.metric_input_columns,
        report_perplexity: prepared.report_perplexity,
        quiet: opts.quiet,
        progress_stream: opts.progress_stream,
    });
    return { tokenizer, splits, prepared, streamedTrain, model, trainer, args };
}
/** A trained model folder for eval/predict: a full model, or an adapter on the config's base model. */
export async function loadTrainedModel(cfg, dir, overrides, quiet = true) {
    if (fs.existsSync(path.join(dir, "adapter_config.json"))) {
        const base = await loadModel(cfg, overrides, { quiet });
        return loadAdapter(base, dir);
    }
    return loadModel(cfg, overrides, { dir, quiet });
}
/**
 * An adapter folder holds only PEFT's two files; the task model's config.json beside them keeps
 * the label names (id2label) that eval and predict read. The weights still come from the base.
 */
export function writeBaseConfigBesideAdapter(model, dir) {
    const config = model.config;
    if (!fs.existsSync(path.join(dir, "adapter_config.json")) || fs.existsSync(path.join(dir, "config.json")) || typeof config?.save !== "function")
        return;
    config.save(dir);
}
/** HF's example scripts write all_results.json plus train_/eval_ files. */
export function writeResults(dir, metrics) {
    fs.mkdirSync(dir, { recursive: true });
    const pick = (prefix) => Object.fromEntries(Object.entries(metrics).filter(([k]) => k.startsWith(prefix) || (prefix === "train_" && k === "epoch")));
    fs.writeFileSync(path.join(dir, "all_results.json"), JSON.stringify(metrics, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "train_results.json"), JSON.stringify(pick("train_"), null, 2) + "\n");
    const ev = pick("eval_");
    if (Object.keys(ev).length)
        fs.writeFileSync(path.join(dir, "eval_results.json"), JSON.stringify(ev, null, 2) + "\n");
}
//# sourceMappingURL=run.js.map