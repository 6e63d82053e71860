#!/usr/bin/env node
// `npm install` / `npm ci` (and npx, which installs a local project into its cache and runs
// this again): compiles the native addon only when it is missing or older than its sources,
// in parallel, and says plainly what to install when there is no C++ toolchain.
import { spawnSync } from "node:child_process";
import { runNodeGyp, staleAddon } from "./native-addon.mjs";

const stale = staleAddon();
if (!stale) {
  console.log("[tunelab] native addon up to date: nothing to compile");
  process.exit(0);
}

const has = (cmd, args = ["--version"]) => !spawnSync(cmd, args, { stdio: "ignore" }).error;
const missing = [
  !(has(process.env.CXX ?? "c++") || has("g++") || has("clang++")) && "a C++17 compiler (g++ or clang++)",
  !has("make") && "make",
  !(has("python3") || has("python")) && "Python 3",
].filter(Boolean);
if (missing.length) {
  console.error(
    `[tunelab] the native addon (C++ kernels) must be compiled once, and this machine lacks ${missing.join(", ")}.\n` +
      "  Debian/Ubuntu: sudo apt-get install -y g++ make python3\n" +
      "  Fedora/RHEL:   sudo dnf install -y gcc-c++ make python3\n" +
      "  macOS:         xcode-select --install\n" +
      "Then run npm install (or npm ci) again.",
  );
  process.exit(1);
}

console.log(`[tunelab] compiling the native addon (${stale.addon}); the first build takes a few minutes on 2 cores`);
const { action, ok } = runNodeGyp();
if (!ok) {
  console.error(`[tunelab] node-gyp ${action} failed (see above); the addon is needed to run tunelab`);
  process.exit(1);
}
