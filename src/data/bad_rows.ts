/**
 * Bad-row accounting: rows that cannot be used (invalid JSON line, missing column, unknown
 * label, empty text) are collected with their file and line. With `on_bad_rows: "fail"`
 * (the default) every problem is reported at once in one error; with "skip" the rows are
 * dropped and a one-line summary says how many and where.
 */
import { LengthLog } from "./lengths.js";

export type BadRowPolicy = "fail" | "skip";

export interface RowSource {
  file: string;
  /** 1-based line in the file (for JSON arrays: the item index, 0-based, as "item N"). */
  line: number;
  item?: boolean;
}

export interface BadRow {
  source: RowSource | undefined;
  reason: string;
}

export function describeSource(s: RowSource | undefined): string {
  if (!s) return "(in memory)";
  return s.item ? `${s.file} item ${s.line}` : `${s.file}:${s.line}`;
}

export class BadRowError extends Error {
  constructor(readonly rows: BadRow[], stage: string) {
    const shown = rows.slice(0, 10).map((r) => `  ${describeSource(r.source)}: ${r.reason}`);
    const more = rows.length > 10 ? [`  ... and ${rows.length - 10} more`] : [];
    super(
      `[data] ${rows.length} bad row${rows.length === 1 ? "" : "s"} while ${stage}:\n${[...shown, ...more].join("\n")}\n` +
        `Fix the data, or set on_bad_rows: skip to drop such rows (they are counted and reported).`,
    );
    this.name = "BadRowError";
  }
}

export class BadRowLog {
  readonly rows: BadRow[] = [];
  /** Lengths before truncation of the rows encoded under this log (the truncation report). */
  readonly lengths = new LengthLog();
  constructor(readonly policy: BadRowPolicy = "fail") {
    if (policy !== "fail" && policy !== "skip") throw new RangeError(`[data] on_bad_rows must be "fail" or "skip", got "${String(policy)}"`);
  }

  add(source: RowSource | undefined, reason: string): void {
    this.rows.push({ source, reason });
  }

  get count(): number {
    return this.rows.length;
  }

  /**
   * Ends a stage: throws every collected problem under "fail"; under "skip" returns a summary
   * line (or null when nothing was bad) for the caller to print.
   */
  finish(stage: string): string | null {
    if (this.rows.length === 0) return null;
    if (this.policy === "fail") throw new BadRowError(this.rows, stage);
    const first = this.rows.slice(0, 3).map((r) => `${describeSource(r.source)} (${r.reason})`).join("; ");
    return `[data] skipped ${this.rows.length} bad row${this.rows.length === 1 ? "" : "s"} while ${stage}: ${first}${this.rows.length > 3 ? "; ..." : ""}`;
  }
}

/**
 * Longest text field a row may hold. Tokenizing is superlinear on long unbroken text (a 10 MB
 * row took 53 s and 1.5 GB), and no model here reads a million characters at once: a longer
 * field is a bad row, counted and reported under on_bad_rows.
 */
export const MAX_FIELD_CHARS = 1_000_000;

/** Why `row` is too large to use, or null. */
export function oversizedField(row: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === "string" && value.length > MAX_FIELD_CHARS) {
      return `field "${key}" holds ${value.length.toLocaleString("en-US")} characters, over the ${MAX_FIELD_CHARS.toLocaleString("en-US")}-character limit per field; split long documents into several rows`;
    }
  }
  return null;
}
