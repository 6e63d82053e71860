#!/usr/bin/env node
// Rebuilds the native addon before the tests when a native source, header or binding.gyp is
// newer than its build/Release/*.node, so the TypeScript tests never run an old addon. Up to
// date, it costs a few stat calls; otherwise make recompiles only what changed, in parallel.
import { existsSync } from "node:fs";
import { runNodeGyp, staleAddon } from "./native-addon.mjs";

const stale = staleAddon();
if (!stale) process.exit(0);
const { addon, newest } = stale;
console.log(existsSync(addon) ? `[tests] ${newest.p} is newer than ${addon}: rebuilding` : `[tests] ${addon} is missing: building`);
const { action, ok } = runNodeGyp();
if (!ok) {
  console.error(`[tests] node-gyp ${action} failed: the addon is out of date, so the tests would run old native code`);
  process.exit(1);
}
