#!/usr/bin/env node
// The tunelab command. The TypeScript sources compile to dist/ (npm run build).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error("tunelab: dist/ is missing; run `npm run build` first (or `npm install`, which builds it)");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
