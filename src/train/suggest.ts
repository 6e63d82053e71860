/** Nearest-name suggestions for misspelt keys ("learning_rte" → "learning_rate"). */

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
