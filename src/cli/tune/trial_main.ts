/**
 * The child process of `tunelab compare` and `tunelab sweep`: `tunelab train` on one config
 * (spec file in argv[2]), with a sweep's pruning callback when the spec has one. Exit codes
 * as the CLI's: 0 done, 1 error, 2 configuration error.
 */
import * as fs from "node:fs";
import { trainCommand } from "../commands/train.js";
import { reportFailure } from "../main.js";
import { MedianPruningCallback } from "./pruning.js";
import type { ChildRunSpec } from "./child.js";

async function runChild(specFile: string): Promise<number> {
  try {
    const spec = JSON.parse(fs.readFileSync(specFile, "utf8")) as ChildRunSpec;
    const callbacks = spec.pruning ? [new MedianPruningCallback(spec.pruning)] : [];
    await trainCommand(spec.config, { quiet: true, resume: spec.resume ? true : undefined, callbacks });
    return 0;
  } catch (err) {
    return reportFailure(err);
  }
}

process.exitCode = await runChild(process.argv[2]);
