/**
 * How many examples max_length cut while a split was encoded, and what length would keep
 * most of them whole: printed at the start of a run, since a silent cut of most rows (news
 * articles at max_length 64) changes what the model can learn.
 */
export class LengthLog {
  private readonly full: number[] = [];
  private maxLength = 0;
  private limit = Infinity;

  /** One example's length before truncation, the max_length it was cut to, and the model's limit. */
  add(fullLength: number, maxLength: number, modelLimit = Infinity): void {
    this.full.push(fullLength);
    this.maxLength = maxLength;
    this.limit = modelLimit;
  }

  get truncated(): number {
    return this.full.filter((n) => n > this.maxLength).length;
  }

  /** A line for the user when anything was cut, else null. */
  summary(what: string): string | null {
    const cut = this.truncated;
    if (cut === 0) return null;
    const sorted = [...this.full].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
    const suggestion = Math.min(Math.ceil(p95 / 8) * 8, this.limit);
    const pct = ((100 * cut) / this.full.length).toFixed(1);
    const advice = suggestion > this.maxLength
      ? `max_length ${suggestion} would keep 95% of them whole (longer is slower)`
      : "most examples fit; the cut ones are outliers";
    return `[data] max_length ${this.maxLength} cuts ${cut.toLocaleString("en-US")} of ${this.full.length.toLocaleString("en-US")} examples of ${what} (${pct}%; the longest has ${sorted[sorted.length - 1]} tokens); ${advice}`;
  }
}

/** Recognises a LengthLog summary (a stream reports it once, from its first rows, not per chunk). */
export const TRUNCATION_NOTE = /^\[data\] max_length \d+ cuts /;
