// The layering holds: no import cycle between source files and no import that climbs the
// layer order (scripts/import-graph.mjs holds the order and says why it differs from DESIGN.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "./helpers/paths.js";

test("src/ has no import cycles and no upward imports", () => {
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts", "import-graph.mjs"), "--json"], { encoding: "utf8" });
  const graph = JSON.parse(out) as { files: number; cycles: unknown[]; upward: unknown[] };
  assert.ok(graph.files > 100, `read ${graph.files} files`);
  assert.deepEqual(graph.cycles, [], "import cycles");
  assert.deepEqual(graph.upward, [], "upward imports");
});
