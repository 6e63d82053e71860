/** Parameter initialisation as Hugging Face's `_init_weights` does it (seeded by manualSeed). */
import { Tensor, randn, zeros, ones, full, rand, getRngState, withRngState } from "../tensor/index.js";
import { reserve } from "../tensor/random.js";
import { Storage } from "../tensor/storage.js";
import type { Module } from "./module.js";

/** Deferred init (Transformers' init_empty_weights): shape-only tensors, drawn only if never loaded. */
let deferring = false;
const deferred = new WeakMap<Tensor, () => Tensor>();

function initTensor(shape: number[], draw: () => Tensor): Tensor {
  if (!deferring) return draw();
  // A tensor with a shape and no memory: kernels refuse it (its buffer is empty).
  const numel = shape.reduce((a, b) => a * b, 1);
  const t = new Tensor(new Storage("float32", numel, new Float32Array(0)), shape);
  // The generator moves on as if the draw happened (randn/rand reserve numel values), and a
  // later draw starts where this one would have: a deferred model's newly drawn head and every
  // random number after loading are those of a model built without deferral.
  const at = getRngState();
  reserve(numel);
  deferred.set(t, () => withRngState(at, draw));
  return t;
}

/** normal(mean, std) samples of `shape`. */
export function normal(shape: number[], std: number, mean = 0): Tensor {
  return initTensor(shape, () => randn(shape, { mean, std }));
}

/** Uniform in [-bound, bound) (torch's kaiming_uniform_ for nn.Linear uses bound = 1/sqrt(in)). */
export function uniform(shape: number[], bound: number): Tensor {
  return initTensor(shape, () => rand(shape, { low: -bound, high: bound }));
}

/**
 * Builds a module whose randomly initialised weights take no memory until they are drawn:
 * a loader fills them from the checkpoint (or quantizes them as it reads), then
 * materializeDeferred draws whatever the checkpoint lacked.
 */
export function withDeferredInit<T>(build: () => T): T {
  const prev = deferring;
  deferring = true;
  try {
    return build();
  } finally {
    deferring = prev;
  }
}

/** Draws every still-deferred parameter of `m` (newly initialised heads); returns their keys. */
export function materializeDeferred(m: Module): string[] {
  const drawn: string[] = [];
  for (const [path, mod] of m.namedModules()) {
    for (const [name, t] of [...mod.namedParameters()].filter(([k]) => !k.includes("."))) {
      const draw = deferred.get(t);
      if (!draw) continue;
      mod.setParameter(name, draw());
      drawn.push(path ? `${path}.${name}` : name);
    }
  }
  return drawn;
}

export { zeros, ones, full };
