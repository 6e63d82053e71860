/**
 * One run per output folder. A run takes an exclusive lock (`.tunelab.lock`, created with
 * O_EXCL, holding the pid and host) for as long as it trains, so a second run on the same
 * folder is refused with the holder named instead of deleting the first run's checkpoint in
 * progress. A lock whose process is dead (same host) is stale and taken over. A fresh run
 * refuses a folder that already holds results unless `overwrite_output_dir: true` (then the old
 * checkpoints and log are removed) or it resumes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeFsError } from "../io/json.js";

export const LOCK_NAME = ".tunelab.lock";

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
    return Number.isInteger(info.pid) && typeof info.host === "string" ? info : null;
  } catch {
    return null; // being written right now, or garbage: treated as held below
  }
}

/** A held lock on an output folder; release() gives it up (also done at process exit). */
export class OutputDirLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly dir: string, readonly file: string) {
    process.once("exit", this.onExit);
  }

  /** Creates `dir` if needed and locks it, or throws naming the run that holds it. */
  static acquire(dir: string): OutputDirLock {
    ensureDirectory(dir);
    const file = path.join(dir, LOCK_NAME);
    const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(mine) + "\n", { flag: "wx" });
        finishInterruptedSaves(dir);
        return new OutputDirLock(dir, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`[trainer] ${file}: cannot create the output_dir lock (${describeFsError(err)}); check that output_dir is writable`);
      }
      const holder = readLock(file);
      const stale = holder !== null && holder.host === mine.host && holder.pid !== process.pid && !alive(holder.pid);
      if (!stale) {
        const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.started}` : "another run (its lock file is unreadable)";
        throw new Error(
          `[trainer] output_dir ${dir} is in use by ${who}: two runs on one folder would overwrite each other's checkpoints. ` +
            `Wait for that run to finish, choose another output_dir, or — if that process no longer exists — delete ${file}`,
        );
      }
      fs.rmSync(file, { force: true }); // its process is gone: take the lock over
    }
    throw new Error(`[trainer] ${file}: could not take over a stale lock (another run is starting at the same time?); try again`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener("exit", this.onExit);
    const holder = readLock(this.file);
    if (holder && holder.pid === process.pid && holder.host === os.hostname()) fs.rmSync(this.file, { force: true });
  }
}

/** `dir` exists as a folder (created if missing); a file in its place is a clear error, not EEXIST. */
export function ensureDirectory(dir: string): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new Error(`[trainer] output_dir ${dir} is a file, not a folder; choose another output_dir or move the file away`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EEXIST" || code === "ENOTDIR" ? "a part of the path is a file, not a folder" : describeFsError(err);
    throw new Error(`[trainer] output_dir ${dir}: cannot create it (${why}); choose another output_dir`);
  }
}

/** What a previous run leaves in output_dir and a fresh run with overwrite_output_dir removes. */
const RUN_ARTIFACT = /^(checkpoint-\d+|\.tmp-checkpoint-.*|\.tmp-final-.*|trainer_log\.jsonl|trainer_state\.json|all_results\.json|train_results\.json|eval_results\.json|run_config\.yaml|run_info\.json|report\.html|charts)$/;

/**
 * A fresh (not resumed) run: refuses an output_dir that already holds files unless
 * overwrite_output_dir, in which case the previous run's checkpoints and logs are removed
 * (a stale checkpoint-500 of an older, longer run must not be picked up by a later resume).
 */
export function prepareFreshOutputDir(dir: string, overwrite: boolean): void {
  const entries = fs.readdirSync(dir).filter((n) => n !== LOCK_NAME);
  if (!entries.length) return;
  if (!overwrite) {
    const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? `, ... (${entries.length} entries)` : "");
    throw new Error(
      `[trainer] output_dir ${dir} already exists and is not empty (${shown}); a fresh run would mix its results with these. ` +
        "Resume with --resume (resume_from_checkpoint: true), set overwrite_output_dir: true to replace them, or choose another output_dir",
    );
  }
  for (const n of entries) if (RUN_ARTIFACT.test(n)) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
}

/** fsync a folder, so a rename inside it survives a power loss (where the platform allows). */
export function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM") throw new Error(`[trainer] ${dir}: fsync failed (${describeFsError(err)})`);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

const FINAL_TMP = ".tmp-final-";
const STAGED_COMPLETE = ".complete";

/**
 * Writes a set of files into `dir` as one step: `write` fills a staging folder inside dir, which
 * is marked complete and synced, then each entry is renamed into place (milliseconds, where the
 * writes took seconds). A process killed while staging leaves dir as it was; one killed during
 * the renames leaves a complete staging folder that the next run on dir finishes moving
 * (finishInterruptedSaves). Never a tokenizer.json without its tokenizer_config.json.
 */
export function writeFolderAtomically(dir: string, write: (staging: string) => void): void {
  ensureDirectory(dir);
  const staging = path.join(dir, `${FINAL_TMP}${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  try {
    write(staging);
    fs.writeFileSync(path.join(staging, STAGED_COMPLETE), "");
    fsyncDirectory(staging);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  moveStaged(staging, dir);
}

function moveStaged(staging: string, dir: string): void {
  for (const name of fs.readdirSync(staging)) {
    if (name === STAGED_COMPLETE) continue;
    const from = path.join(staging, name);
    const to = path.join(dir, name);
    if (fs.statSync(from).isDirectory()) fs.rmSync(to, { recursive: true, force: true });
    fs.renameSync(from, to);
  }
  fsyncDirectory(dir);
  fs.rmSync(staging, { recursive: true, force: true });
}

/** Completes (or, when staging never finished, discards) final saves of runs that died. */
export function finishInterruptedSaves(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(FINAL_TMP)) continue;
    const pid = Number(name.slice(FINAL_TMP.length));
    if (pid === process.pid || (Number.isInteger(pid) && alive(pid))) continue;
    const staging = path.join(dir, name);
    if (fs.existsSync(path.join(staging, STAGED_COMPLETE))) moveStaged(staging, dir);
    else fs.rmSync(staging, { recursive: true, force: true });
  }
}
