/**
 * `tunelab compare config.yaml --methods full,lora,...`: the same model, data and training
 * arguments with each method, one child process per method (so each peak memory is that
 * method's alone), each in <output_dir>/<method>/. A method starts from its usual settings
 * (USUAL_SETTINGS), then the config's own peft section when it names that method, then the
 * config's `compare.<method>` overrides. Writes compare.md, compare.html and
 * compare_results.json; run again, it skips the methods that finished and resumes one that
 * was cut short from its newest checkpoint.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { applyOverrides, ConfigError, readYamlFile, validateConfig } from "../config.js";
import { consoleOutput, trainingArgs, type Output } from "../../pipelines/run.js";
import { listTrainingMethods, trainingMethodNames } from "../../train/methods.js";
import { nearestName } from "../../train/suggest.js";
import { metricKey } from "../../train/callbacks.js";
import { readRun } from "../../report/run_data.js";
import { compareRow, writeComparePages, type CompareRow } from "../../report/compare_page.js";
import { hasCheckpoint, runTrainingChild } from "../tune/child.js";
import { resolvedConfigDict } from "../run_record.js";

/**
 * The methods compared when neither --methods nor compare.methods names them: every method
 * of the registry (src/peft) that is not a second name of another, and qlora, which is
 * reported unavailable in a build that does not register it.
 */
export function defaultCompareMethods(): string[] {
  const base = listTrainingMethods().filter((m) => m.variant_of === null).map((m) => m.name);
  return [...new Set([...base, "qlora"])];
}

/**
 * Each method's usual settings: what its papers and PEFT's examples start from. The learning
 * rate replaces training.learning_rate (which stays the one full fine-tuning uses); any of it
 * can be overridden under `compare: { <method>: { peft: {...}, training: {...} } }`.
 */
export const USUAL_SETTINGS: Record<string, { peft?: Record<string, unknown>; learning_rate?: number }> = {
  lora: { peft: { r: 8, lora_alpha: 16, lora_dropout: 0.05 }, learning_rate: 1e-3 },
  qlora: { peft: { r: 8, lora_alpha: 16, lora_dropout: 0.05 }, learning_rate: 1e-3 },
  dora: { peft: { r: 8, lora_alpha: 16, lora_dropout: 0.05 }, learning_rate: 1e-3 },
  adapter: { learning_rate: 1e-3 },
  bottleneck_adapter: { learning_rate: 1e-3 },
  ia3: { learning_rate: 3e-3 },
  bitfit: { learning_rate: 1e-3 },
  prompt_tuning: { peft: { num_virtual_tokens: 20 }, learning_rate: 3e-2 },
  prefix_tuning: { peft: { num_virtual_tokens: 20 }, learning_rate: 1e-2 },
};

export interface CompareOptions {
  methods?: string;
  set?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The raw config one method trains with (no compare section; output_dir is the method's folder). */
export function methodConfig(raw: Record<string, unknown>, method: string, outputDir: string, problems: string[]): Record<string, unknown> {
  const { compare, sweep: _sweep, ...base } = raw;
  const overrides = isObject(compare) && isObject(compare[method]) ? compare[method] : {};
  for (const k of Object.keys(overrides)) if (k !== "peft" && k !== "training") problems.push(`compare.${method}: unknown key "${k}"; a method's overrides are peft: {...} and training: {...}`);
  const usual = USUAL_SETTINGS[method] ?? {};
  const baseMethod = typeof raw.method === "string" ? raw.method.toLowerCase() : null;
  const ownPeft = baseMethod === method && isObject(raw.peft) ? raw.peft : {};
  const peft = method === "full" ? {} : { ...(usual.peft ?? {}), ...ownPeft, ...(isObject(overrides.peft) ? overrides.peft : {}) };
  const training = {
    ...(isObject(raw.training) ? raw.training : {}),
    ...(method !== "full" && usual.learning_rate !== undefined ? { learning_rate: usual.learning_rate } : {}),
    ...(isObject(overrides.training) ? overrides.training : {}),
    output_dir: outputDir,
    // compare owns the folder (its config and log sit there); a fresh start clears what a cut-short run left.
    overwrite_output_dir: true,
  };
  const cfg: Record<string, unknown> = { ...base, method, training };
  delete cfg.peft;
  if (Object.keys(peft).length) cfg.peft = peft;
  return cfg;
}

function requestedMethods(raw: Record<string, unknown>, flag: string | undefined, problems: string[]): string[] {
  const fromConfig = isObject(raw.compare) ? raw.compare.methods : undefined;
  if (fromConfig !== undefined && !(Array.isArray(fromConfig) && fromConfig.every((m) => typeof m === "string"))) problems.push("compare.methods: must be a list of method names, e.g. [full, lora, ia3]");
  const list = flag ? flag.split(",") : Array.isArray(fromConfig) ? (fromConfig as string[]) : defaultCompareMethods();
  const methods = [...new Set(list.map((m) => m.trim().toLowerCase()).filter(Boolean))];
  if (!methods.length) problems.push("--methods: no method given; e.g. --methods full,lora,ia3");
  if (isObject(raw.compare)) {
    for (const k of Object.keys(raw.compare)) {
      if (k !== "methods" && !methods.includes(k) && !trainingMethodNames().includes(k) && !(k in USUAL_SETTINGS)) {
        const near = nearestName(k, ["methods", ...trainingMethodNames()]);
        problems.push(`compare: unknown key "${k}"${near ? `; did you mean "${near}"?` : ""} (keys: methods, and one section of overrides per method)`);
      }
    }
  }
  return methods;
}

export async function compareCommand(configFile: string, opts: CompareOptions = {}, out: Output = consoleOutput): Promise<CompareRow[]> {
  const raw = applyOverrides(readYamlFile(configFile), opts.set ?? []);
  const baseDir = path.dirname(path.resolve(configFile));
  const problems: string[] = [];
  const methods = requestedMethods(raw, opts.methods, problems);
  const { compare: _c, sweep: _s, ...plain } = raw;
  const base = validateConfig(plain, configFile, baseDir);
  const root = trainingArgs(base).output_dir;
  const registered = trainingMethodNames();

  // Every method's config is checked before the first one trains.
  const plans: { method: string; dir: string; config?: Record<string, unknown>; unavailable?: string }[] = [];
  for (const method of methods) {
    const dir = path.join(root, method);
    if (!registered.includes(method)) {
      plans.push({ method, dir, unavailable: `not registered in this build (registered methods: ${registered.join(", ")})` });
      continue;
    }
    try {
      // Resolved (absolute paths), since the config is written into the method's folder.
      const config = resolvedConfigDict(validateConfig(methodConfig(raw, method, dir, problems), `${configFile} (method ${method})`, baseDir));
      plans.push({ method, dir, config });
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems.map((p) => `${method}: ${p}`));
      else throw err;
    }
  }
  if (problems.length) throw new ConfigError(configFile, problems);
  if (!plans.some((p) => p.config)) throw new ConfigError(configFile, [`none of the methods ${methods.join(", ")} is available; registered methods: ${registered.join(", ")}`]);

  fs.mkdirSync(root, { recursive: true });
  const metric = metricKey(String(base.training.metric_for_best_model ?? "loss"));
  const rows: CompareRow[] = [];
  for (const [i, plan] of plans.entries()) {
    const tag = `[compare ${i + 1}/${plans.length}] ${plan.method}`;
    if (plan.unavailable) {
      out.warn(`${tag}: ${plan.unavailable}`);
      rows.push({ method: plan.method, status: "unavailable", note: plan.unavailable });
      continue;
    }
    const cfgFile = path.join(plan.dir, "compare_config.yaml");
    const text = `# tunelab compare: method ${plan.method}, from ${path.resolve(configFile)}\n` + stringify(plan.config);
    const finished = fs.existsSync(path.join(plan.dir, "all_results.json")) && fs.existsSync(cfgFile) && fs.readFileSync(cfgFile, "utf8") === text;
    if (finished) {
      out.info(`${tag}: finished earlier, kept (${plan.dir})`);
      rows.push(compareRow(readRun(plan.dir), metric, "done", "finished earlier"));
      continue;
    }
    // A changed config starts afresh; the same config cut short resumes from its newest checkpoint.
    const sameConfig = fs.existsSync(cfgFile) && fs.readFileSync(cfgFile, "utf8") === text;
    if (!sameConfig && fs.existsSync(plan.dir)) fs.rmSync(plan.dir, { recursive: true, force: true });
    fs.mkdirSync(plan.dir, { recursive: true });
    fs.writeFileSync(cfgFile, text);
    const resume = sameConfig && hasCheckpoint(plan.dir);
    out.info(`${tag}: training${resume ? " (resuming)" : ""} → ${plan.dir}`);
    const started = performance.now();
    const result = await runTrainingChild({ config: cfgFile, resume }, plan.dir);
    if (result.status !== 0) {
      out.warn(`${tag}: failed (exit ${result.status}); see ${path.join(plan.dir, "train.log")}:\n${result.tail}`);
      rows.push({ method: plan.method, status: "failed", note: result.tail.split("\n").at(-1) ?? "" });
      continue;
    }
    const row = compareRow(readRun(plan.dir), metric, "done");
    out.info(`${tag}: done in ${((performance.now() - started) / 1000).toFixed(1)} s; ${metric} best ${row.best_metric ?? "–"}, peak ${row.peak_rss_mb ?? "?"} MiB`);
    rows.push(row);
  }
  const pages = await writeComparePages(root, rows, { metric, config: path.resolve(configFile) });
  out.info(`[compare] ${pages.markdown}\n[compare] ${pages.html}`);
  out.info(fs.readFileSync(pages.markdown, "utf8").split("\n").filter((l) => l.startsWith("|")).join("\n"));
  return rows;
}
