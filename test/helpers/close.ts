/**
 * The one "close enough" comparison for the TypeScript tests. Every function here treats a NaN
 * anywhere (in either array) as the worst possible difference: a NaN can never pass a `<= tol`
 * check, whichever position it is at. (A running `if (!(d <= worst)) worst = d` loses a NaN as
 * soon as a later finite difference replaces it; these functions stop at the first NaN instead.)
 */
import assert from "node:assert/strict";

/** Per-element violation of |a − e| ≤ atol + rtol·|e| (≤ 0 passes; NaN when either value is NaN). */
function violation(a: number, e: number, atol: number, rtol: number): number {
  if (Number.isNaN(a) || Number.isNaN(e)) return NaN;
  if (a === e) return 0 - atol; // equal infinities are close (Inf − Inf would be NaN); 0 − atol, never −0
  return Math.abs(a - e) - (atol + rtol * Math.abs(e));
}

/** The worst element: its index and violation (NaN if any element is NaN, index of the first NaN). */
function worstElement(a: ArrayLike<number>, e: ArrayLike<number>, atol: number, rtol: number, keep?: (i: number) => boolean): { at: number; value: number } {
  if (a.length !== e.length) throw new Error(`length ${a.length} vs ${e.length}`);
  let worst = { at: -1, value: -Infinity };
  for (let i = 0; i < a.length; i++) {
    if (keep && !keep(i)) continue;
    const v = violation(a[i], e[i], atol, rtol);
    if (Number.isNaN(v)) return { at: i, value: NaN };
    if (v > worst.value) worst = { at: i, value: v };
  }
  return worst;
}

/** max |a − b| over the kept positions (rows of `inner` values each when a mask is given); NaN if any is NaN. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, mask: ArrayLike<number> | null = null, inner = 1): number {
  const keep = mask ? (i: number) => !!mask[Math.floor(i / inner)] : undefined;
  const w = worstElement(a, b, 0, 0, keep);
  return w.at < 0 ? 0 : w.value;
}

/** Worst violation of |a − b| ≤ atol + rtol·|b| (≤ 0 passes; NaN if any element is NaN). */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  return worstElement(a, b, atol, rtol).value;
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, naming the worst (or first NaN) element. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5, what = "value"): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  const w = worstElement(actual, expected, atol, rtol);
  assert.ok(w.value <= 0, `${what}: element ${w.at} is ${actual[w.at]} but expected ${expected[w.at]} (atol ${atol}, rtol ${rtol})`);
}
