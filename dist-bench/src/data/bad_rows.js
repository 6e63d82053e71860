export function describeSource(s) {
    if (!s)
        return "(in memory)";
    return s.item ? `${s.file} item ${s.line}` : `${s.file}:${s.line}`;
}
export class BadRowError extends Error {
    rows;
    constructor(rows, stage) {
        const shown = rows.slice(0, 10).map((r) => `  ${describeSource(r.source)}: ${r.reason}`);
        const more = rows.length > 10 ? [`  ... and ${rows.length - 10} more`] : [];
        super(`[data] ${rows.length} bad row${rows.length === 1 ? "" : "s"} while ${stage}:\n${[...shown, ...more].join("\n")}\n` +
            `Fix the data, or set on_bad_rows: skip to drop such rows (they are counted and reported).`);
        this.rows = rows;
        this.name = "BadRowError";
    }
}
export class BadRowLog {
    policy;
    rows = [];
    constructor(policy = "fail") {
        this.policy = policy;
        if (policy !== "fail" && policy !== "skip")
            throw new RangeError(`[data] on_bad_rows must be "fail" or "skip", got "${String(policy)}"`);
    }
    add(source, reason) {
        this.rows.push({ source, reason });
    }
    get count() {
        return this.rows.length;
    }
    /**
     * Ends a stage: throws every collected problem under "fail"; under "skip" returns a summary
     * line (or null when nothing was bad) for the caller to print.
     */
    finish(stage) {
        if (this.rows.length === 0)
            return null;
        if (this.policy === "fail")
            throw new BadRowError(this.rows, stage);
        const first = this.rows.slice(0, 3).map((r) => `${describeSource(r.source)} (${r.reason})`).join("; ");
        return `[data] skipped ${this.rows.length} bad row${this.rows.length === 1 ? "" : "s"} while ${stage}: ${first}${this.rows.length > 3 ? "; ..." : ""}`;
    }
}
//# sourceMappingURL=bad_rows.js.map