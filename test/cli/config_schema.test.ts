// The config's one schema: the JSON Schema shipped for editors matches the checks, and every
// section's typo gets the same "did you mean".
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_SCHEMA_FILE, configJsonSchema } from "../../src/cli/schema.js";
import { validateConfig, ConfigError } from "../../src/cli/config.js";
import { REPO_ROOT } from "../helpers/paths.js";

test("schema/tunelab-config.schema.json is the schema the checks use (regenerate with npm run schema)", () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, CONFIG_SCHEMA_FILE), "utf8"));
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(configJsonSchema())), "the shipped schema is stale: run npm run schema");
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { files: string[] };
  assert.ok(pkg.files.includes("schema"), "the package ships the schema");
  const props = shipped.properties as Record<string, { anyOf?: { properties?: Record<string, Record<string, unknown>> }[]; properties?: Record<string, Record<string, unknown>> }>;
  assert.equal(props.training.properties!.learning_rate.default, 5e-5, "defaults come from the schema");
  assert.deepEqual(props.dataset.anyOf![1].properties!.on_bad_rows.enum, ["fail", "skip"]);
  assert.ok(props.learning_rate, "training arguments may sit at the top level");
});

test("one did-you-mean and one wording for every section, all problems at once", () => {
  const raw = {
    model: { name_or_pth: "m" },
    task: { type: "text_classification", max_lenght: 32, text_column: 3 },
    dataset: { path: "d", on_bad_row: "skip", max_train_samples: 0 },
    early_stopping: { early_stopping_patiense: 2 },
    training: { learning_rte: 1e-4, num_train_epochs: -1 },
    method: "lora",
    peft: { r: 8 },
  };
  const err = (() => { try { validateConfig(raw, "t.yaml", "/tmp", { requirePaths: false }); } catch (e) { return e as ConfigError; } })();
  assert.ok(err instanceof ConfigError);
  const text = err.problems.join("\n");
  for (const re of [
    /model: unknown key "name_or_pth"; did you mean "name_or_path"\?/,
    /task \(text_classification\): unknown key "max_lenght"; did you mean "max_length"\?/,
    /task\.text_column: must be a column name, got 3/,
    /dataset: unknown key "on_bad_row"; did you mean "on_bad_rows"\?/,
    /dataset\.max_train_samples: must be a positive integer, got 0/,
    /early_stopping: unknown key "early_stopping_patiense"; did you mean "early_stopping_patience"\?/,
    /training: training arguments: unknown key "learning_rte"; did you mean "learning_rate"\?/,
    /training: num_train_epochs must be a positive number, got -1/,
  ]) assert.match(text, re);
});

test("the same typo gets the same suggestion in every section, PEFT's included (one edit-distance rule)", () => {
  const raw = {
    model: { name_or_path: "m", reivsion: "main" },
    task: "text_classification",
    dataset: { path: "d" },
    method: "lora",
    peft: { r: 8, lora_alhpa: 16, lroa_dropout: 0.1 },
    training: { laerning_rate: 1e-4 },
  };
  const err = (() => { try { validateConfig(raw, "t.yaml", "/tmp", { requirePaths: false }); } catch (e) { return e as ConfigError; } })();
  assert.ok(err instanceof ConfigError);
  const text = err.problems.join("\n");
  // Adjacent swaps are one edit in every section.
  assert.match(text, /model: unknown key "reivsion"; did you mean "revision"\?/);
  assert.match(text, /unknown LORA config key "lora_alhpa"; did you mean "lora_alpha"\?/);
  assert.match(text, /unknown LORA config key "lroa_dropout"; did you mean "lora_dropout"\?/);
  assert.match(text, /unknown key "laerning_rate"; did you mean "learning_rate"\?/);
});
