/**
 * The one "did you mean" of every config section ("learning_rte" → "learning_rate"), and the
 * wording of schema problems: `key must be <rule>, got <value>` with the rule the schema
 * states, every problem at once.
 */
import type { z } from "zod";

/** Levenshtein distance (insertions, deletions, substitutions, and adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array<number>(n).fill(0)]);
  for (let j = 1; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** The closest candidate within a distance that scales with the name's length, or null. */
export function nearestName(name: string, candidates: Iterable<string>): string | null {
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return best !== null && bestD <= limit ? best : null;
}

/** `unknown key "x"; did you mean "y"?` or a list of the valid names when nothing is close. */
export function unknownKeyMessage(where: string, name: string, candidates: string[]): string {
  const near = nearestName(name, candidates);
  return near
    ? `${where}: unknown key "${name}"; did you mean "${near}"?`
    : `${where}: unknown key "${name}"; valid keys: ${candidates.join(", ")}`;
}

/** The keys a strict object schema knows (for suggestions). */
export function schemaKeys(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

/**
 * Every problem of a schema check, in our wording. `where` names the section for unknown
 * keys ("training arguments"); `prefix` goes before a value's key ("dataset." → "dataset.format: must be ...").
 * A rule's message is the schema's error text ("a positive integer"); a message that starts
 * with "!" is a whole sentence (a cross-field rule).
 */
export function schemaProblems(error: z.ZodError, raw: unknown, where: string, knownKeys: string[], prefix = ""): string[] {
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) problems.push(unknownKeyMessage(where, k, knownKeys));
      continue;
    }
    const key = issue.path.join(".");
    if (issue.message.startsWith("!")) { problems.push(issue.message.slice(1)); continue; }
    let value: unknown = raw;
    for (const p of issue.path) value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
    problems.push(`${prefix ? `${prefix}${key}:` : key} must be ${issue.message}, got ${JSON.stringify(value)}`);
  }
  return problems;
}
