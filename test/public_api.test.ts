// The public API is a list of names: src/index.ts and every folder index name what they
// export (no `export *`), and kernels' helpers stay internal.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tunelab from "../src/index.js";
import { REPO_ROOT } from "./helpers/paths.js";

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

test("no source file re-exports a whole module", () => {
  const star = sources(path.join(REPO_ROOT, "src")).filter((f) => /^\s*export \*/m.test(fs.readFileSync(f, "utf8")));
  assert.deepEqual(star.map((f) => path.relative(REPO_ROOT, f)), []);
});

test("internal helpers are not part of the public API; the everyday names are", () => {
  const api = tunelab as Record<string, unknown>;
  for (const internal of ["binaryKernel", "scalarKernel", "sumToShape", "whereKernel", "kernels", "setLeafGradFinalHook", "layerScope", "swapOpFrame", "toIds", "fileKeyOf"]) {
    assert.equal(api[internal], undefined, `${internal} is internal`);
  }
  for (const name of ["Tensor", "defineOp", "scope", "noGrad", "AutoModelForCausalLM", "getPeftModel", "Trainer", "TrainingArguments", "buildRun", "generate", "exportOnnx"]) {
    assert.ok(api[name] !== undefined, `${name} is public`);
  }
});
