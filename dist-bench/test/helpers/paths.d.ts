export declare const REPO_ROOT: string;
/** The shared folder beside the repository; TUNELAB_SHARED overrides it. */
export declare const SHARED: string;
export declare const fixturesDir: string;
export declare const datasetsDir: string;
/** True when the run is CI's (CI=true or CI=1): there, missing shared data is a failure. */
export declare const IN_CI: boolean;
/**
 * For node:test's `skip` option: false when `p` exists, else a message saying what is missing.
 * Usage: `test("reads fixture", { skip: skipIfMissing(dir) }, () => { ... })`.
 * Under CI=true a missing path also registers a failing test naming it (once per path), so a
 * CI run without its fixtures fails instead of passing with silent skips.
 */
export declare function skipIfMissing(p: string): string | false;
