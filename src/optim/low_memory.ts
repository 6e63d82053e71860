/**
 * Optimizers that keep their state small or out of resident memory, by Transformers' `optim`
 * names:
 * - adamw_8bit: AdamW with both moments as blockwise 8-bit codes in bitsandbytes' format
 *   (state1 over the signed dynamic map, state2 over the unsigned one, absmax1/absmax2 per
 *   block of 256, qmap1/qmap2 the maps); tensors under 4096 elements keep 32-bit moments, as
 *   bitsandbytes' min_8bit_size does. 2 bytes of state per parameter instead of 8.
 * - paged_adamw_8bit / paged_adamw_32bit: the same optimizers with their state in memory-
 *   mapped files. On a GPU, bitsandbytes pages state to CPU RAM under memory pressure; on a CPU
 *   there is nothing faster to page to, so "paged" here means the state lives in shared file
 *   mappings (in TUNELAB_PAGED_DIR or the temp folder, unlinked at once) that the OS may write
 *   back and drop from RAM when memory is short, and fault in again when touched. Without
 *   pressure it is resident like any other memory: it saves RAM only when RAM is scarce.
 * - adafactor: Transformers' Adafactor as the Trainer builds it (scale_parameter=False,
 *   relative_step=False, warmup_init=False, lr given): factored second moments for matrices.
 */
import * as os from "node:os";
import * as path from "node:path";
import { Tensor, kernels, zeros } from "../tensor/index.js";
import { AdamW, type AdamWOptions } from "./adamw.js";
import { Optimizer, type ParamGroup, type ParamsInput, checkNumber } from "./optimizer.js";

/** bitsandbytes' blocksize for 8-bit optimizer state, and the size under which state stays 32-bit. */
export const OPTIM_8BIT_BLOCKSIZE = 256;
export const MIN_8BIT_SIZE = 4096;

let pagedFiles = 0;
/** A zero-filled state tensor in a shared file mapping (see the file comment). */
export function pagedZeros(shape: number[], dtype: "float32" | "uint8"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = n * (dtype === "float32" ? 4 : 1);
  const dir = process.env.TUNELAB_PAGED_DIR ?? os.tmpdir();
  const file = path.join(dir, `tunelab-paged-${process.pid}-${pagedFiles++}.bin`);
  const buf = kernels().mapStateFile(file, bytes);
  const arr = dtype === "float32" ? new Float32Array(buf) : new Uint8Array(buf);
  return Tensor.fromTypedArray(arr, shape, dtype).keep();
}

type Alloc = (shape: number[], dtype: "float32" | "uint8") => Tensor;
const residentZeros: Alloc = (shape, dtype) => (dtype === "float32" ? zeros(shape) : Tensor.fromTypedArray(new Uint8Array(shape.reduce((a, b) => a * b, 1)), shape, "uint8")).keep();

/** paged_adamw_32bit: AdamW whose moments live in file-backed pageable memory. */
export class PagedAdamW extends AdamW {
  constructor(params: ParamsInput, opts: Partial<AdamWOptions> = {}) {
    super(params, opts);
  }
  protected override newMoment(shape: number[]): Tensor {
    return pagedZeros(shape, "float32");
  }
  protected override restoreStateTensor(_name: string, v: Tensor, p: Tensor): Tensor {
    const out = pagedZeros(p.shape, "float32");
    out.f32().set(v.toFloat32Array());
    return out;
  }
}

/** adamw_8bit (and paged_adamw_8bit with `paged`). */
export class AdamW8bit extends Optimizer<AdamWOptions> {
  private readonly alloc: Alloc;
  override readonly fusesGradScale = true;

  constructor(params: ParamsInput, opts: Partial<AdamWOptions> & { paged?: boolean } = {}) {
    const { paged, ...rest } = opts;
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, ...rest }, paged ? "PagedAdamW8bit" : "AdamW8bit");
    this.alloc = paged ? pagedZeros : residentZeros;
  }

  protected validate(g: ParamGroup & AdamWOptions): void {
    checkNumber(this.where, "lr", g.lr, (x) => x >= 0, "a non-negative number");
    checkNumber(this.where, "eps", g.eps, (x) => x >= 0, "a non-negative number");
    checkNumber(this.where, "weight_decay", g.weight_decay, (x) => x >= 0, "a non-negative number");
    if (!Array.isArray(g.betas) || g.betas.length !== 2 || !g.betas.every((x) => typeof x === "number" && x >= 0 && x < 1)) {
      throw new RangeError(`[${this.where}] betas must be two numbers in [0, 1), got ${JSON.stringify(g.betas)}`);
    }
  }

  protected groupKeys(): (keyof AdamWOptions & string)[] {
    return ["lr", "betas", "eps", "weight_decay"];
  }

  protected override requiredStateKeys(): string[] {
    return ["step", "state1", "state2"];
  }

  protected override stateTensorFits(name: string, v: Tensor, p: Tensor): boolean {
    if (name === "qmap1" || name === "qmap2") return v.numel === 256;
    if (name === "absmax1" || name === "absmax2") return v.numel === Math.ceil(p.numel / OPTIM_8BIT_BLOCKSIZE);
    return v.numel === p.numel;
  }

  protected override restoreStateTensor(name: string, v: Tensor, p: Tensor): Tensor {
    const is8bit = p.numel >= MIN_8BIT_SIZE;
    if ((name === "state1" || name === "state2") && is8bit) {
      const out = this.alloc(p.shape, "uint8");
      (out.data as Uint8Array).set(v.dtype === "uint8" ? (v.contiguous().data as Uint8Array) : Uint8Array.from(v.toFloat32Array()));
      return out;
    }
    const out = this.alloc(name.startsWith("state") ? p.shape : v.shape, "float32");
    out.f32().set(v.toFloat32Array());
    return out;
  }

  private newState(p: Tensor): Record<string, Tensor | number> {
    if (p.numel < MIN_8BIT_SIZE) return { step: 0, state1: this.alloc(p.shape, "float32"), state2: this.alloc(p.shape, "float32") };
    const blocks = Math.ceil(p.numel / OPTIM_8BIT_BLOCKSIZE);
    const k = kernels();
    return {
      step: 0,
      state1: this.alloc(p.shape, "uint8"),
      state2: this.alloc(p.shape, "uint8"),
      absmax1: this.alloc([blocks], "float32"),
      absmax2: this.alloc([blocks], "float32"),
      qmap1: Tensor.fromTypedArray(k.dynamicCode8bit(), [256]).keep(),
      qmap2: Tensor.fromTypedArray(k.dynamicCode8bitUnsigned(), [256]).keep(),
    };
  }

  step(gradScale = 1): void {
    const k = kernels();
    for (const g of this.paramGroups) {
      const [beta1, beta2] = g.betas;
      for (const p of g.params) {
        const grad = p.grad;
        if (!grad) continue;
        if (grad.numel !== p.numel || !grad.isContiguous()) throw new RangeError(`[${this.where}] the gradient of a parameter [${p.shape.join(", ")}] is [${grad.shape.join(", ")}]`);
        let s = this.state.get(p);
        if (!s) this.state.set(p, (s = this.newState(p)));
        const t = (s.step as number) + 1;
        s.step = t;
        if (p.numel === 0) continue;
        const bc1 = 1 - beta1 ** t;
        const bc2 = 1 - beta2 ** t;
        const s1 = s.state1 as Tensor;
        if (s1.dtype === "float32") {
          k.adamwStep(p.f32(), grad.f32(), s1.f32(), (s.state2 as Tensor).f32(), p.numel, g.lr, beta1, beta2, g.eps, g.weight_decay, bc1, bc2, gradScale);
        } else {
          k.adamw8bitStep(p.f32(), grad.f32(), s1.data as Uint8Array, (s.state2 as Tensor).data as Uint8Array, (s.absmax1 as Tensor).f32(), (s.absmax2 as Tensor).f32(),
            p.numel, OPTIM_8BIT_BLOCKSIZE, g.lr, beta1, beta2, g.eps, g.weight_decay, bc1, bc2, gradScale);
        }
      }
    }
  }
}

export interface AdafactorOptions {
  lr: number;
  eps: [number, number];
  clip_threshold: number;
  decay_rate: number;
  weight_decay: number;
}

/** Transformers' Adafactor with scale_parameter=False, relative_step=False (what optim: adafactor builds). */
export class Adafactor extends Optimizer<AdafactorOptions> {
  override readonly fusesGradScale = true;
  constructor(params: ParamsInput, opts: Partial<AdafactorOptions> = {}) {
    super(params, { lr: 1e-3, eps: [1e-30, 1e-3], clip_threshold: 1.0, decay_rate: -0.8, weight_decay: 0, ...opts }, "Adafactor");
  }

  protected validate(g: ParamGroup & AdafactorOptions): void {
    checkNumber("Adafactor", "lr", g.lr, (x) => x >= 0, "a non-negative number");
    checkNumber("Adafactor", "clip_threshold", g.clip_threshold, (x) => x > 0, "a positive number");
    checkNumber("Adafactor", "weight_decay", g.weight_decay, (x) => x >= 0, "a non-negative number");
    checkNumber("Adafactor", "decay_rate", g.decay_rate, (x) => x < 0, "negative (e.g. -0.8)");
  }

  protected groupKeys(): (keyof AdafactorOptions & string)[] {
    return ["lr", "eps", "clip_threshold", "decay_rate", "weight_decay"];
  }

  protected override stateTensorFits(name: string, v: Tensor, p: Tensor): boolean {
    if (name === "exp_avg_sq_row") return v.numel === p.numel / p.shape[p.ndim - 1];
    if (name === "exp_avg_sq_col") return v.numel === p.numel / p.shape[p.ndim - 2];
    return v.numel === p.numel;
  }

  protected override restoreStateTensor(_name: string, v: Tensor): Tensor {
    return Tensor.fromTypedArray(v.toFloat32Array(), v.shape, "float32");
  }

  step(gradScale = 1): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        const grad = p.grad.toFloat32Array();
        if (gradScale !== 1) for (let i = 0; i < grad.length; i++) grad[i] *= gradScale;
        const factored = p.ndim >= 2;
        const cols = factored ? p.shape[p.ndim - 1] : 1;
        const rows = factored ? p.shape[p.ndim - 2] : 1;
        const mats = factored ? p.numel / (rows * cols) : 1;
        let s = this.state.get(p);
        if (!s) {
          s = factored
            ? { step: 0, exp_avg_sq_row: zeros([mats * rows]).keep(), exp_avg_sq_col: zeros([mats * cols]).keep() }
            : { step: 0, exp_avg_sq: zeros(p.shape).keep() };
          this.state.set(p, s);
        }
        const t = (s.step as number) + 1;
        s.step = t;
        const beta2t = 1 - t ** g.decay_rate;
        const [eps1] = g.eps;
        const update = new Float32Array(grad.length);
        if (factored) {
          const R = (s.exp_avg_sq_row as Tensor).f32();
          const C = (s.exp_avg_sq_col as Tensor).f32();
          for (let m = 0; m < mats; m++) {
            const base = m * rows * cols;
            const colMean = new Float64Array(cols);
            for (let i = 0; i < rows; i++) {
              let rowMean = 0;
              for (let j = 0; j < cols; j++) {
                const u = grad[base + i * cols + j] ** 2 + eps1;
                rowMean += u;
                colMean[j] += u;
              }
              R[m * rows + i] = R[m * rows + i] * beta2t + (1 - beta2t) * (rowMean / cols);
            }
            for (let j = 0; j < cols; j++) C[m * cols + j] = C[m * cols + j] * beta2t + (1 - beta2t) * (colMean[j] / rows);
            let rMean = 0;
            for (let i = 0; i < rows; i++) rMean += R[m * rows + i];
            rMean /= rows;
            for (let i = 0; i < rows; i++) {
              const rf = 1 / Math.sqrt(R[m * rows + i] / rMean);
              for (let j = 0; j < cols; j++) update[base + i * cols + j] = rf / Math.sqrt(C[m * cols + j]) * grad[base + i * cols + j];
            }
          }
        } else {
          const V = (s.exp_avg_sq as Tensor).f32();
          for (let i = 0; i < grad.length; i++) {
            V[i] = V[i] * beta2t + (1 - beta2t) * (grad[i] ** 2 + eps1);
            update[i] = grad[i] / Math.sqrt(V[i]);
          }
        }
        let sq = 0;
        for (let i = 0; i < update.length; i++) sq += update[i] * update[i];
        const rms = Math.sqrt(sq / Math.max(1, update.length));
        const scale = g.lr / Math.max(1, rms / g.clip_threshold);
        const w = p.f32();
        const decay = 1 - g.weight_decay * g.lr;
        for (let i = 0; i < w.length; i++) w[i] = w[i] * decay - update[i] * scale;
      }
    }
  }
}
