#!/usr/bin/env node
// Writes schema/tunelab-config.schema.json from the config's zod schemas (run after `npm run build`).
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CONFIG_SCHEMA_FILE, configJsonSchema } from "../dist/src/cli/schema.js";

mkdirSync(dirname(CONFIG_SCHEMA_FILE), { recursive: true });
writeFileSync(CONFIG_SCHEMA_FILE, JSON.stringify(configJsonSchema(), null, 2) + "\n");
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
