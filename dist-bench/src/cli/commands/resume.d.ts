/** --resume: alone (or empty) it means the newest checkpoint in output_dir; with a value, that folder. */
export declare function resumeFlag(resume: string | boolean | undefined): string | boolean | undefined;
