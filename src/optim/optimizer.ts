/**
 * The Optimizer base, after torch.optim.Optimizer: parameter groups whose hyper-parameters
 * (lr first) schedulers may change between steps, per-parameter state, zeroGrad, and a
 * state dict of plain tensors plus JSON-able numbers (torch's layout: `state` keyed by the
 * parameter's index across groups, `param_groups` listing those indices).
 */
import { Tensor } from "../tensor/index.js";

/** Hyper-parameters of one group; the optimizer's own keys are added by subclasses. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  /** The lr a scheduler started from (torch's initial_lr). */
  initial_lr?: number;
  [key: string]: unknown;
}

/** What a constructor accepts: a list of tensors, or groups with per-group overrides. */
export type ParamsInput = Tensor[] | ({ params: Tensor[] } & Record<string, unknown>)[];

export interface OptimizerStateDict {
  state: Record<string, Record<string, Tensor | number>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

export abstract class Optimizer<Defaults extends { lr: number }> {
  readonly paramGroups: (ParamGroup & Defaults)[] = [];
  readonly defaults: Defaults;
  protected state = new Map<Tensor, Record<string, Tensor | number>>();

  constructor(params: ParamsInput, defaults: Defaults, protected readonly where: string) {
    this.defaults = defaults;
    const list = [...params];
    if (list.length === 0) throw new RangeError(`[${where}] got an empty parameter list; pass the model's trainable parameters`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as { params: Tensor[] }[]);
    const seen = new Set<Tensor>();
    for (const g of groups) {
      if (!g || !Array.isArray(g.params)) {
        throw new TypeError(`[${where}] a parameter group must be { params: Tensor[], ... }; mixing tensors and groups is not supported`);
      }
      for (const p of g.params) {
        if (!(p instanceof Tensor)) throw new TypeError(`[${where}] parameters must be Tensors`);
        if (seen.has(p)) throw new RangeError(`[${where}] a parameter appears in more than one group (shape [${p.shape.join(", ")}])`);
        if (p.dtype !== "float32" || !p.isContiguous()) {
          throw new TypeError(`[${where}] parameters must be contiguous float32 tensors, got ${p.dtype} [${p.shape.join(", ")}]; train a float32 copy`);
        }
        seen.add(p);
      }
      const group = { ...defaults, ...g, params: [...g.params] } as ParamGroup & Defaults;
      this.validate(group);
      this.paramGroups.push(group);
    }
  }

  /** Checks one group's hyper-parameters (throws naming the bad key). */
  protected abstract validate(group: ParamGroup & Defaults): void;
  /** Keys saved per group besides params (torch's group hyper-parameters). */
  protected abstract groupKeys(): (keyof Defaults & string)[];

  /**
   * True when step(gradScale) applies gradScale inside its update (AdamW's fused kernel, SGD),
   * so gradient clipping costs no separate pass over the gradients. An optimizer that leaves
   * it false is given gradients already scaled.
   */
  readonly fusesGradScale: boolean = false;

  /** One update of every parameter that has a gradient; gradScale multiplies the gradients first when fusesGradScale. */
  abstract step(gradScale?: number): void;

  /** State entries every parameter with state must have (checked when loading a state dict). */
  protected requiredStateKeys(): string[] {
    return [];
  }

  /** Whether a loaded state tensor fits its parameter (default: one value per element). */
  protected stateTensorFits(_name: string, v: Tensor, p: Tensor): boolean {
    return v.numel === p.numel;
  }

  /** The optimizer's own copy of a loaded state tensor (default: float32, the parameter's shape). */
  protected restoreStateTensor(_name: string, v: Tensor, p: Tensor): Tensor {
    return copyToF32(v, p.shape);
  }

  /** Frees every parameter's gradient (torch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad) {
          p.grad.dispose();
          p.grad = null;
        }
      }
    }
  }

  /** Frees every state tensor (moments, momentum buffers); the optimizer must not be stepped afterwards. */
  dispose(): void {
    this.clearState();
  }

  private clearState(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }

  /** All parameters, in group order (the indices of the state dict). */
  protected allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Plain tensors (shared with the optimizer: copy them to keep a snapshot) and numbers. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    this.allParams().forEach((p, i) => index.set(p, i));
    const state: OptimizerStateDict["state"] = {};
    for (const [p, s] of this.state) state[String(index.get(p))] = { ...s };
    const keys = this.groupKeys();
    let next = 0;
    const param_groups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> & { params: number[] } = { params: g.params.map(() => next++) };
      for (const k of keys) (out as Record<string, unknown>)[k] = Array.isArray(g[k]) ? [...(g[k] as unknown[])] : g[k];
      if (g.initial_lr !== undefined) out.initial_lr = g.initial_lr;
      return out;
    });
    return { state, param_groups };
  }

  /** Restores hyper-parameters and copies state tensors in (shapes must match the parameters). */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = this.where;
    if (!sd || !Array.isArray(sd.param_groups) || typeof sd.state !== "object") {
      throw new TypeError(`[${where}] loadStateDict expects { state, param_groups } as stateDict() returns`);
    }
    if (sd.param_groups.length !== this.paramGroups.length) {
      throw new RangeError(`[${where}] the state dict has ${sd.param_groups.length} parameter groups but this optimizer has ${this.paramGroups.length}`);
    }
    sd.param_groups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) {
        throw new RangeError(`[${where}] group ${i} of the state dict has ${g.params.length} parameters but this optimizer's has ${this.paramGroups[i].params.length}`);
      }
    });
    const params = this.allParams();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (!p) throw new RangeError(`[${where}] the state dict has state for parameter ${key} but there are only ${params.length}`);
      for (const name of this.requiredStateKeys()) {
        if (!(name in s)) throw new RangeError(`[${where}] state of parameter ${key} lacks "${name}"; the optimizer state file is incomplete or from another optimizer`);
      }
      for (const [name, v] of Object.entries(s)) {
        if (v instanceof Tensor && !this.stateTensorFits(name, v, p)) {
          throw new RangeError(`[${where}] state "${name}" of parameter ${key} is [${v.shape.join(", ")}] but the parameter is [${p.shape.join(", ")}]`);
        }
      }
    }
    this.clearState();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      const copy: Record<string, Tensor | number> = {};
      for (const [name, v] of Object.entries(s)) {
        copy[name] = v instanceof Tensor ? this.restoreStateTensor(name, v, p).keep() : Number(v);
      }
      this.state.set(p, copy);
    }
    sd.param_groups.forEach((g, i) => {
      const group = this.paramGroups[i] as Record<string, unknown>;
      for (const [k, v] of Object.entries(g)) if (k !== "params") group[k] = Array.isArray(v) ? [...v] : v;
      this.validate(this.paramGroups[i]);
    });
  }
}

/** A contiguous float32 copy of t with `shape` (state tensors may come from a file as bf16). */
function copyToF32(t: Tensor, shape: number[]): Tensor {
  const values = t.toFloat32Array();
  return Tensor.fromTypedArray(values, shape, "float32");
}

export function checkNumber(where: string, key: string, v: unknown, ok: (x: number) => boolean, rule: string): void {
  if (typeof v !== "number" || !ok(v)) throw new RangeError(`[${where}] ${key} must be ${rule}, got ${JSON.stringify(v)}`);
}
