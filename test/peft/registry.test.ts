// The one registry of training methods: names, variants, listing, refusals, a method added at
// run time (what the recipe in docs/adding-a-peft-method.md shows), and config problems
// gathered without any global mode (two parses interleaved keep their own problems).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MethodRegistry, ConfigReader, PeftConfigError, peftMethods, peftConfigProblems, readConfig, methodProblems, type PeftConfig, type PeftMethod,
} from "../../src/peft/index.js";
import { listTrainingMethods, resolveMethodName, trainingMethodNames, validateMethod } from "../../src/train/methods.js";

test("the built-in methods, their variants and full, by name and by peft_type", () => {
  assert.deepEqual(peftMethods.names(), ["adapter", "bitfit", "bottleneck_adapter", "dora", "ia3", "lora", "prefix_tuning", "prompt_tuning", "qlora"]);
  assert.deepEqual(trainingMethodNames(), ["adapter", "bitfit", "bottleneck_adapter", "dora", "full", "ia3", "lora", "prefix_tuning", "prompt_tuning", "qlora"]);
  const dora = peftMethods.choose("DoRA");
  assert.equal(dora.method.peft_type, "LORA");
  assert.deepEqual(dora.variant?.presets, { use_dora: true });
  assert.equal(peftMethods.get("BOTTLENECK_ADAPTER").name, "adapter");
  const listed = listTrainingMethods();
  assert.equal(listed[0].name, "full");
  assert.deepEqual(listed.find((m) => m.name === "dora"), { name: "dora", peft_type: "LORA", summary: dora.variant!.summary, variant_of: "lora" });
  assert.ok(listed.every((m) => m.summary.length > 10), "every method has a summary");
  assert.throws(() => peftMethods.choose("lorra"), /unknown method "lorra"; did you mean "lora"\?/);
  assert.throws(() => peftMethods.get("LORAA"), /unknown peft_type "LORAA".*did you mean "LORA"/);
  assert.equal(resolveMethodName(undefined, { peft_type: "ia3" }), "ia3");
  assert.equal(resolveMethodName(undefined, { r: 4 }), "lora");
  assert.equal(resolveMethodName(undefined, undefined), "full");
});

test("validateMethod: full takes no keys, a variant's presets apply, unknown names get a suggestion", () => {
  assert.deepEqual(validateMethod("full", {}), []);
  assert.match(validateMethod("full", { r: 8 })[0], /^peft: method "full" takes no peft options, got r/);
  assert.deepEqual(validateMethod("dora", { r: 4 }), []);
  assert.match(validateMethod("bitfti", {})[0], /^method: unknown method "bitfti"; did you mean "bitfit"\?/);
  assert.deepEqual(validateMethod("lora", { r: 0, lora_alhpa: 3 }), [
    'peft: unknown LORA config key "lora_alhpa"; did you mean "lora_alpha"?',
    "peft: r must be a positive integer, got 0",
  ]);
  assert.deepEqual(methodProblems({ method: "ia3", peft_type: "LORA" }), ['[peft] method "ia3" contradicts peft_type "LORA"']);
});

test("a method registered at run time: a variant with presets and a base preparation, and refusals", () => {
  const registry = new MethodRegistry([peftMethods.get("LORA") as PeftMethod<never>]);
  const prepared: string[] = [];
  registry.addVariant("LORA", { name: "tiny_lora", summary: "LoRA at rank 1", presets: { r: 1 }, prepareBase: (m) => void prepared.push(m.constructor.name) });
  assert.deepEqual(registry.names(), ["dora", "lora", "qlora", "tiny_lora"]);
  assert.deepEqual(methodProblems({ method: "tiny_lora" }, registry), []);
  assert.throws(() => registry.addVariant("LORA", { name: "dora", summary: "again" }), /"dora" is already taken/);
  assert.throws(() => registry.addVariant("LORA", { name: "full", summary: "no" }), /"full" is already taken/);

  interface ScaleConfig extends PeftConfig { scale: number }
  const SCALE: PeftMethod<ScaleConfig> = {
    peft_type: "SCALE", name: "scale", summary: "a test method", prefix: "scale_",
    readConfig: (r) => ({ ...r.base("SCALE", ["scale"]), scale: r.number("scale", 1, (x) => x > 0, "positive") }),
    inject: () => {},
  };
  registry.register(SCALE);
  assert.deepEqual(registry.check({ peft_type: "scale", scale: 2 }).problems, []);
  assert.deepEqual(registry.check({ peft_type: "SCALE", scale: -1 }).problems, ["[peft] scale must be positive, got -1"]);
  assert.throws(() => registry.register(SCALE), PeftConfigError);
  assert.throws(() => registry.register({ ...SCALE, peft_type: "SCALE2", name: "Scale" }), /lower case/);
  assert.ok(!peftMethods.has("scale"), "a private registry leaves the built-in one alone");
});

test("config problems are gathered per reader: no global mode, interleaved parses keep their own", () => {
  const outer = readConfig({ peft_type: "LORA", r: -1 }, "outer", (r) => {
    const inner = peftConfigProblems({ peft_type: "IA3", fan_in_fan_out: 3 });
    assert.deepEqual(inner, ["[peft] fan_in_fan_out must be true or false, got 3"]);
    return r.number("r", 8, (x) => x > 0, "positive");
  });
  assert.deepEqual(outer, { config: null, problems: ["[peft] r must be positive, got -1"] });
  const reader = new ConfigReader({ bias: "al" });
  assert.equal(reader.oneOf("bias", ["none", "all"] as const, "none"), "none");
  assert.deepEqual(reader.problems, ['[peft] bias must be one of "none", "all", got "al"; did you mean "all"?']);
  // A thrown check still reports what was noted before it.
  const thrown = readConfig({}, "x", (r) => {
    r.problem("first");
    throw new PeftConfigError("second");
  });
  assert.deepEqual(thrown.problems, ["first", "second"]);
  assert.deepEqual(readConfig([] as never, "LoRA", () => 1).problems, ["[peft] a LoRA config must be an object of PEFT's keys, got []"]);
});
