export declare const LOCK_NAME = ".tunelab.lock";
/** A held lock on an output folder; release() gives it up (also done at process exit). */
export declare class OutputDirLock {
    readonly dir: string;
    readonly file: string;
    private released;
    private readonly onExit;
    private constructor();
    /** Creates `dir` if needed and locks it, or throws naming the run that holds it. */
    static acquire(dir: string): OutputDirLock;
    release(): void;
}
/** `dir` exists as a folder (created if missing); a file in its place is a clear error, not EEXIST. */
export declare function ensureDirectory(dir: string): void;
/**
 * A fresh (not resumed) run: refuses an output_dir that already holds files unless
 * overwrite_output_dir, in which case the previous run's checkpoints and logs are removed
 * (a stale checkpoint-500 of an older, longer run must not be picked up by a later resume).
 */
export declare function prepareFreshOutputDir(dir: string, overwrite: boolean): void;
/** fsync a folder, so a rename inside it survives a power loss (where the platform allows). */
export declare function fsyncDirectory(dir: string): void;
/**
 * Writes a set of files into `dir` as one step: `write` fills a staging folder inside dir, which
 * is marked complete and synced, then each entry is renamed into place (milliseconds, where the
 * writes took seconds). A process killed while staging leaves dir as it was; one killed during
 * the renames leaves a complete staging folder that the next run on dir finishes moving
 * (finishInterruptedSaves). Never a tokenizer.json without its tokenizer_config.json.
 */
export declare function writeFolderAtomically(dir: string, write: (staging: string) => void): void;
/** Completes (or, when staging never finished, discards) final saves of runs that died. */
export declare function finishInterruptedSaves(dir: string): void;
