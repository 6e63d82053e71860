#!/usr/bin/env node
// Rebuilds the native addon before the tests when a native source, header or binding.gyp is
// newer than build/Release/tunelab_native.node, so the TypeScript tests never run an old
// addon. Up to date, it costs a few stat calls. An existing configured build is rebuilt
// incrementally (`node-gyp build`: make recompiles only what changed); otherwise from scratch.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// Both targets of binding.gyp, each against its own sources: the run-time MPI loader is
// native/mpi.cpp alone, the kernels are every other file of native/.
const sources = readdirSync("native").map((f) => join("native", f));
const targets = [
  { addon: "build/Release/tunelab_native.node", inputs: ["binding.gyp", ...sources.filter((p) => p !== join("native", "mpi.cpp"))] },
  { addon: "build/Release/tunelab_mpi.node", inputs: ["binding.gyp", join("native", "mpi.cpp")] },
];
const newestOf = (inputs) => inputs.reduce((best, p) => (statSync(p).mtimeMs > best.t ? { p, t: statSync(p).mtimeMs } : best), { p: "", t: 0 });
const stale = targets.map((t) => ({ addon: t.addon, newest: newestOf(t.inputs) })).find((t) => !existsSync(t.addon) || statSync(t.addon).mtimeMs < t.newest.t);
if (!stale) process.exit(0);
const { addon, newest } = stale;

const configured = existsSync("build/Makefile") && existsSync("build/config.gypi") && statSync("build/Makefile").mtimeMs >= statSync("binding.gyp").mtimeMs;
const action = configured ? "build" : "rebuild";
console.log(existsSync(addon) ? `[tests] ${newest.p} is newer than ${addon}: node-gyp ${action}` : `[tests] ${addon} is missing: node-gyp ${action}`);
// npm puts its bundled node-gyp on PATH for scripts; outside npm, npx finds it.
let r = spawnSync("node-gyp", [action], { stdio: "inherit" });
if (r.error) r = spawnSync("npx", ["--yes", "node-gyp", action], { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`[tests] node-gyp ${action} failed: the addon is out of date, so the tests would run old native code`);
  process.exit(1);
}
