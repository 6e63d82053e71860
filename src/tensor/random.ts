/**
 * The global generator: a (seed, offset) pair over the native counter-based generator
 * (Philox), so the same manualSeed gives the same numbers on every run and any thread
 * count. Its state is two integers, saved in checkpoints to resume exactly.
 */
export interface RngState {
  seed: number;
  offset: number;
}

const state: RngState = { seed: 0x5eed, offset: 0 };

/** Seeds every random draw in tunelab (init, dropout, shuffles). Like torch.manual_seed. */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`[manualSeed] seed must be a non-negative integer, got ${seed}`);
  }
  state.seed = seed;
  state.offset = 0;
}

export function getRngState(): RngState {
  return { ...state };
}

export function setRngState(s: RngState): void {
  state.seed = s.seed;
  state.offset = s.offset;
}

/** Runs fn with the generator at `s`, then puts it back where it was (replaying earlier draws). */
export function withRngState<T>(s: RngState, fn: () => T): T {
  const now = getRngState();
  setRngState(s);
  try {
    return fn();
  } finally {
    setRngState(now);
  }
}

/** Reserves n counter values and returns where they start. */
export function reserve(n: number): { seed: number; offset: number } {
  const offset = state.offset;
  // Philox produces 4 numbers per counter; keep draws on whole blocks.
  state.offset += Math.ceil(n / 4) * 4;
  return { seed: state.seed, offset };
}

/** A fresh 32-bit seed for a kernel that generates its own stream (dropout). */
export function nextKernelSeed(): number {
  const { seed, offset } = reserve(4);
  // splitmix-style mixing of (seed, offset) into 48 bits that stay exact in a double.
  let z = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + BigInt(offset));
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  z ^= z >> 31n;
  return Number(z & 0xffffffffffffn);
}

/** A deterministic JS-side generator (for shuffles and sampling), seeded like numpy's. */
export class SeededRandom {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}
