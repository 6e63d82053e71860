/**
 * SGD as torch.optim.SGD (momentum, dampening, Nesterov, L2 weight decay):
 *   g = g + weight_decay * p
 *   buf = g at the first step, else momentum * buf + (1 - dampening) * g
 *   g = nesterov ? g + momentum * buf : buf          (when momentum != 0)
 *   p -= lr * g
 * A plain loop over the contiguous float32 buffers: memory-bound, no kernel needed.
 */
import { Tensor } from "../tensor/index.js";
import { Optimizer, type ParamGroup, type ParamsInput, checkNumber } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput, opts: Partial<SGDOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, ...opts }, "SGD");
  }

  protected validate(g: ParamGroup & SGDOptions): void {
    checkNumber("SGD", "lr", g.lr, (x) => x >= 0, "a non-negative number");
    checkNumber("SGD", "momentum", g.momentum, (x) => x >= 0, "a non-negative number");
    checkNumber("SGD", "weight_decay", g.weight_decay, (x) => x >= 0, "a non-negative number");
    checkNumber("SGD", "dampening", g.dampening, () => true, "a number");
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError("[SGD] nesterov needs momentum > 0 and dampening 0");
    }
  }

  protected groupKeys(): (keyof SGDOptions & string)[] {
    return ["lr", "momentum", "dampening", "weight_decay", "nesterov"];
  }

  override readonly fusesGradScale = true;

  /** One update; gradScale multiplies each gradient as it is read (a clipping coefficient). */
  step(gradScale = 1): void {
    for (const g of this.paramGroups) {
      const { lr, momentum, dampening, weight_decay: wd, nesterov } = g;
      for (const p of g.params) {
        if (!p.grad) continue;
        const x = p.f32();
        const grad = p.grad.f32();
        let buf: Float32Array | null = null;
        let first = false;
        if (momentum !== 0) {
          let s = this.state.get(p);
          if (!s) {
            s = { momentum_buffer: Tensor.empty(p.shape).keep() };
            this.state.set(p, s);
            first = true;
          }
          buf = (s.momentum_buffer as Tensor).f32();
        }
        for (let i = 0; i < x.length; i++) {
          let d = gradScale * grad[i] + wd * x[i];
          if (buf) {
            buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
            d = nesterov ? d + momentum * buf[i] : buf[i];
          }
          x[i] -= lr * d;
        }
      }
    }
  }
}
