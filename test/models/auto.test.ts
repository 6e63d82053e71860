// Auto classes: model_type -> class per task, errors for unknown types and missing tasks.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
  AutoModelForTokenClassification, BertConfig, BertForMaskedLM, BertForSequenceClassification, BertModel, DistilBertForQuestionAnswering,
  RobertaConfig, RobertaForTokenClassification, registerModel, supportedModelTypes, modelClassFor, MistralForCausalLM,
} from "../../src/models/index.js";
import { fixturesDir, skipIfMissing } from "../helpers/paths.js";

const MODEL_DIR = path.join(fixturesDir, "bert_tiny", "model");
const skip = skipIfMissing(MODEL_DIR);

test("AutoConfig reads model_type and builds the family's config", { skip }, async () => {
  const cfg = await AutoConfig.fromPretrained(MODEL_DIR);
  assert.ok(cfg instanceof BertConfig);
  assert.equal((cfg as BertConfig).hidden_size, 32);
  assert.ok(AutoConfig.forModel("roberta", { hidden_size: 64, num_attention_heads: 4 }) instanceof RobertaConfig);
});

test("AutoModelFor* pick the class from config.json's model_type", { skip }, async () => {
  const seq = await AutoModelForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true });
  assert.ok(seq instanceof BertForSequenceClassification);
  const base = await AutoModel.fromPretrained(MODEL_DIR, { quiet: true });
  assert.ok(base instanceof BertModel);
  assert.deepEqual([...base.loadReport!.unexpectedKeys].sort(), ["classifier.bias", "classifier.weight"]);
  const mlm = await AutoModelForMaskedLM.fromPretrained(MODEL_DIR, { quiet: true });
  assert.ok(mlm instanceof BertForMaskedLM);
  // Pooler weights are dropped silently; the tied decoder is not reported missing.
  assert.ok(!mlm.loadReport!.unexpectedKeys.some((k) => k.includes("pooler")));
  assert.deepEqual(mlm.loadReport!.newlyInitialized.sort(), [
    "cls.predictions.bias", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.transform.LayerNorm.weight",
    "cls.predictions.transform.dense.bias", "cls.predictions.transform.dense.weight",
  ]);
  assert.equal((mlm as BertForMaskedLM).cls.predictions.decoder.param("weight"), (mlm as BertForMaskedLM).bert.embeddings.word_embeddings.param("weight"));
});

test("a family without the task says so and names the types that have it", { skip }, async () => {
  await assert.rejects(AutoModelForCausalLM.fromPretrained(MODEL_DIR, { quiet: true }), /model_type "bert" has no causal-lm model \(it has: base, sequence-classification/);
});

test("an unknown model_type lists the supported ones", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-auto-"));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "bort" }));
  await assert.rejects(AutoModelForSequenceClassification.fromPretrained(dir), (err: Error) => {
    assert.match(err.message, /model_type "bort" is not supported; supported model types: .*bert.*distilbert.*roberta/);
    return true;
  });
  assert.throws(() => AutoModel.fromConfig({ model_type: "bort" }), /supported model types/);
  fs.rmSync(dir, { recursive: true });
});

test("fromConfig builds a fresh model of the config's type", () => {
  const tiny = { hidden_size: 16, num_attention_heads: 2, num_hidden_layers: 1, intermediate_size: 32, vocab_size: 30, max_position_embeddings: 8 };
  const tok = AutoModelForTokenClassification.fromConfig({ model_type: "roberta", ...tiny, num_labels: 5 });
  assert.ok(tok instanceof RobertaForTokenClassification);
  assert.equal(tok.config.num_labels, 5);
  const qa = AutoModelForQuestionAnswering.fromConfig({ model_type: "distilbert", dim: 16, n_heads: 2, n_layers: 1, hidden_dim: 32, vocab_size: 30 });
  assert.ok(qa instanceof DistilBertForQuestionAnswering);
  // A config object of the right class is used as is.
  const cfg = BertConfig.fromDict(tiny);
  assert.equal(AutoModel.fromConfig(cfg).config, cfg);
  assert.ok(supportedModelTypes().includes("bert"));
});

test("registration refuses duplicates", () => {
  assert.throws(() => registerModel("bert", "sequence-classification", BertForSequenceClassification), /already has a sequence-classification class/);
});

// config.json's `architectures` and the Trainer's causal-LM shift read what each class declares,
// never its constructor name (which a bundler or minifier renames).
test("every registered class declares its architecture name and task kind; savePretrained writes the declared name", () => {
  const tasks = ["base", "sequence-classification", "token-classification", "causal-lm", "masked-lm", "seq2seq-lm", "question-answering"] as const;
  let checked = 0;
  for (const modelType of supportedModelTypes()) {
    for (const task of tasks) {
      let cls: ReturnType<typeof modelClassFor>;
      try {
        cls = modelClassFor(modelType, task);
      } catch {
        continue;
      }
      const declared = cls as unknown as { architecture: string; taskKind: string };
      assert.ok(Object.hasOwn(cls, "architecture"), `${cls.name} declares no architecture of its own`);
      assert.equal(declared.architecture, cls.name);
      assert.equal(declared.taskKind, task, `${cls.name}.taskKind`);
      checked++;
    }
  }
  assert.ok(checked >= 25, `only ${checked} classes checked`);

  // A renamed class (what a minifier does) still saves under its declared name.
  const Renamed = class extends MistralForCausalLM {};
  Object.defineProperty(Renamed, "name", { value: "a" });
  const config = AutoConfig.forModel("mistral", { vocab_size: 16, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1 });
  const model = new Renamed(config as never);
  assert.equal(model.taskKind, "causal-lm");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-arch-"));
  model.savePretrained(dir);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).architectures, ["MistralForCausalLM"]);
  fs.rmSync(dir, { recursive: true, force: true });
});
