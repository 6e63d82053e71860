/** --resume: alone (or empty) it means the newest checkpoint in output_dir; with a value, that folder. */
export function resumeFlag(resume) {
    return resume === "" ? true : resume;
}
//# sourceMappingURL=resume.js.map