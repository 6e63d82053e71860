// Where the shared data sets and reference fixtures live (../shared beside the repository),
// resolved from this file's compiled location so tests work from any working directory.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(): string {
  // Walk up from this file (dist/test/helpers/paths.js or test/helpers/paths.ts) to package.json.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export const REPO_ROOT = findRepoRoot();
/** The shared folder beside the repository; TUNELAB_SHARED overrides it. */
export const SHARED = process.env.TUNELAB_SHARED ? path.resolve(process.env.TUNELAB_SHARED) : path.resolve(REPO_ROOT, "../shared");
export const fixturesDir = path.join(SHARED, "fixtures");
export const datasetsDir = path.join(SHARED, "datasets");

/** True when the run is CI's (CI=true or CI=1): there, missing shared data is a failure. */
export const IN_CI = process.env.CI === "true" || process.env.CI === "1";
const reportedMissing = new Set<string>();

/**
 * For node:test's `skip` option: false when `p` exists, else a message saying what is missing.
 * Usage: `test("reads fixture", { skip: skipIfMissing(dir) }, () => { ... })`.
 * Under CI=true a missing path also registers a failing test naming it (once per path), so a
 * CI run without its fixtures fails instead of passing with silent skips.
 */
export function skipIfMissing(p: string): string | false {
  if (fs.existsSync(p)) return false;
  const why = `missing ${p} (the shared data sets live beside the repository; set TUNELAB_SHARED to their folder)`;
  if (IN_CI && !reportedMissing.has(p)) {
    reportedMissing.add(p);
    test(`shared data present: ${p}`, () => assert.fail(`${why}; under CI=true a missing fixture fails instead of skipping`));
  }
  return why;
}
