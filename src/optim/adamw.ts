/**
 * AdamW as torch.optim.AdamW (decoupled weight decay, Loshchilov & Hutter), one fused
 * native pass per parameter (native/adamw.cpp):
 *   p -= lr * weight_decay * p
 *   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
 *   p -= lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * State per parameter: exp_avg (m), exp_avg_sq (v), both persistent and created at the
 * parameter's first step, and step (t). Parameters without a gradient are skipped.
 */
import { Tensor, kernels, zeros } from "../tensor/index.js";
import { Optimizer, type ParamGroup, type ParamsInput, checkNumber } from "./optimizer.js";

export interface AdamWOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
}

export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: ParamsInput, opts: Partial<AdamWOptions> = {}) {
    // torch's defaults.
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, ...opts }, "AdamW");
  }

  protected validate(g: ParamGroup & AdamWOptions): void {
    checkNumber("AdamW", "lr", g.lr, (x) => x >= 0, "a non-negative number");
    checkNumber("AdamW", "eps", g.eps, (x) => x >= 0, "a non-negative number");
    checkNumber("AdamW", "weight_decay", g.weight_decay, (x) => x >= 0, "a non-negative number");
    const b = g.betas;
    if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => typeof x === "number" && x >= 0 && x < 1)) {
      throw new RangeError(`[AdamW] betas must be two numbers in [0, 1), got ${JSON.stringify(b)}`);
    }
  }

  protected groupKeys(): (keyof AdamWOptions & string)[] {
    return ["lr", "betas", "eps", "weight_decay"];
  }

  protected override requiredStateKeys(): string[] {
    return ["step", "exp_avg", "exp_avg_sq"];
  }

  /** A zeroed moment buffer (paged_adamw_32bit puts it in file-backed memory). */
  protected newMoment(shape: number[]): Tensor {
    return zeros(shape).keep();
  }

  override readonly fusesGradScale = true;

  /**
   * One update of every parameter that has a gradient. gradScale multiplies the gradients
   * first, inside the fused kernel (how the Trainer applies a clipping coefficient).
   */
  step(gradScale = 1): void {
    for (const g of this.paramGroups) {
      const [beta1, beta2] = g.betas;
      for (const p of g.params) {
        const grad = p.grad;
        if (!grad) continue;
        if (grad.numel !== p.numel || !grad.isContiguous()) {
          throw new RangeError(`[AdamW] the gradient of a parameter [${p.shape.join(", ")}] is [${grad.shape.join(", ")}]`);
        }
        let s = this.state.get(p);
        if (!s) {
          s = { step: 0, exp_avg: this.newMoment(p.shape), exp_avg_sq: this.newMoment(p.shape) };
          this.state.set(p, s);
        }
        const t = (s.step as number) + 1;
        s.step = t;
        if (p.numel === 0) continue;
        const bc1 = 1 - beta1 ** t;
        const bc2 = 1 - beta2 ** t;
        kernels().adamwStep(
          p.f32(), grad.f32(), (s.exp_avg as Tensor).f32(), (s.exp_avg_sq as Tensor).f32(), p.numel,
          g.lr, beta1, beta2, g.eps, g.weight_decay, bc1, bc2, gradScale,
        );
      }
    }
  }
}
