/** --resume: alone (or empty) it means the newest checkpoint in output_dir; with a value, that folder. */
export function resumeFlag(resume: string | boolean | undefined): string | boolean | undefined {
  return resume === "" ? true : resume;
}
