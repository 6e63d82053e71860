// Whether the native addons are up to date with their sources, and how to (re)build them:
// shared by `npm install` (scripts/install.mjs) and `npm test` (scripts/ensure-addon.mjs), so
// an up-to-date build is never compiled again and a stale one compiles in parallel.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** Both targets of binding.gyp, each against its own sources: the MPI loader is native/mpi.cpp alone. */
export function addonTargets() {
  const sources = readdirSync("native").map((f) => join("native", f));
  return [
    { addon: "build/Release/tunelab_native.node", inputs: ["binding.gyp", ...sources.filter((p) => p !== join("native", "mpi.cpp"))] },
    { addon: "build/Release/tunelab_mpi.node", inputs: ["binding.gyp", join("native", "mpi.cpp")] },
  ];
}

/** The first addon that is missing or older than one of its inputs, with that input; null when all are current. */
export function staleAddon() {
  const newestOf = (inputs) => inputs.reduce((best, p) => (statSync(p).mtimeMs > best.t ? { p, t: statSync(p).mtimeMs } : best), { p: "", t: 0 });
  return addonTargets().map((t) => ({ addon: t.addon, newest: newestOf(t.inputs) })).find((t) => !existsSync(t.addon) || statSync(t.addon).mtimeMs < t.newest.t) ?? null;
}

/**
 * Runs node-gyp: `build` (make recompiles only what changed) when the build folder is
 * configured for the current binding.gyp, else `rebuild`; make runs one job per CPU.
 */
export function runNodeGyp() {
  const configured = existsSync("build/Makefile") && existsSync("build/config.gypi") && statSync("build/Makefile").mtimeMs >= statSync("binding.gyp").mtimeMs;
  const action = configured ? "build" : "rebuild";
  const args = [action, "--jobs", "max"];
  // Node's own headers, when installed beside it (/usr/include/node for Debian's nodejs): node-gyp
  // run outside npm would otherwise download them from nodejs.org, which an offline machine cannot.
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
  // npm puts its bundled node-gyp on PATH for scripts; outside npm, npx finds it.
  let r = spawnSync("node-gyp", args, { stdio: "inherit" });
  if (r.error) r = spawnSync("npx", ["--yes", "node-gyp", ...args], { stdio: "inherit" });
  return { action, ok: r.status === 0 };
}
