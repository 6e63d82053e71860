// `npm ci` / `npm install` run scripts/install.mjs (and npx runs it again when it installs
// the local project into its cache): an up-to-date addon is not compiled again, and a
// machine without a C++ toolchain gets a message saying what to install.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths.js";
import { tempDir } from "./helpers.js";

test("install script: an up-to-date addon is checked in milliseconds and not compiled", () => {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["scripts/install.mjs"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /native addon up to date: nothing to compile/);
  assert.ok(Date.now() - started < 30_000);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; files: string[] };
  assert.equal(pkg.scripts.install, "node scripts/install.mjs");
  for (const f of ["scripts/install.mjs", "scripts/native-addon.mjs"]) assert.ok(pkg.files.includes(f), `the package ships ${f}`);
  const tsconfig = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tsconfig.json"), "utf8")) as { compilerOptions: { incremental?: boolean } };
  assert.equal(tsconfig.compilerOptions.incremental, true, "prepare's tsc skips what is built");
});

test("install script: with no compiler on PATH, a stale addon stops the install with what to install", () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "native"));
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.writeFileSync(path.join(dir, "native", "mpi.cpp"), "");
  fs.writeFileSync(path.join(dir, "native", "kernels.cpp"), "");
  fs.writeFileSync(path.join(dir, "binding.gyp"), "{}");
  for (const f of ["install.mjs", "native-addon.mjs"]) fs.copyFileSync(path.join(REPO_ROOT, "scripts", f), path.join(dir, "scripts", f));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  const r = spawnSync(process.execPath, ["scripts/install.mjs"], { cwd: dir, encoding: "utf8", env: { PATH: bin } });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /must be compiled once, and this machine lacks a C\+\+17 compiler \(g\+\+ or clang\+\+\), make, Python 3/);
  assert.match(r.stderr, /apt-get install -y g\+\+ make python3/);
  fs.rmSync(dir, { recursive: true, force: true });
});
