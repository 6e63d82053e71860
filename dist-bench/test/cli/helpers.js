// Runs the real `tunelab` command (bin/tunelab.js over dist/) in a child process.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { REPO_ROOT } from "../helpers/paths.js";
export const BIN = path.join(REPO_ROOT, "bin", "tunelab.js");
export const DEMO_DIR = path.join(REPO_ROOT, "assets", "demo");
export function tunelab(args, opts = {}) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
}
export function tunelabAsync(args) {
    return spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
}
export function tempDir(prefix = "tunelab-cli-") {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
/** Writes a YAML config into dir and returns its path. */
export function writeConfig(dir, config, name = "config.yaml") {
    const file = path.join(dir, name);
    fs.writeFileSync(file, stringify(config));
    return file;
}
/** A fast classification config on the shipped demo model and data. */
export function demoConfig(outputDir, training = {}) {
    return {
        model: path.join(DEMO_DIR, "model"),
        task: { type: "text_classification", max_length: 32 },
        dataset: { path: path.join(DEMO_DIR, "data") },
        training: {
            output_dir: outputDir, num_train_epochs: 6, per_device_train_batch_size: 16, learning_rate: 5e-4,
            eval_strategy: "epoch", save_strategy: "epoch", logging_steps: 12, seed: 42, ...training,
        },
    };
}
export function readJson(file) {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}
//# sourceMappingURL=helpers.js.map