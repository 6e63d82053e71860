// 8-bit AdamW (bitsandbytes' blockwise state layout), paged optimizers (file-backed state) and
// Adafactor, by Transformers' optim names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, randn, manualSeed } from "../../src/tensor/index.js";
import { AdamW, AdamW8bit, PagedAdamW, Adafactor, createOptimizerByName, type Optimizer } from "../../src/optim/index.js";

/** Runs `steps` of the optimizer on L = sum((p - target)^2) / 2 (grad = p - target). */
function run(make: (p: Tensor) => Optimizer<{ lr: number }>, shape: number[], steps: number, seed = 1): { p: Float32Array; opt: Optimizer<{ lr: number }>; param: Tensor } {
  manualSeed(seed);
  const p = randn(shape).keep().setRequiresGrad(true);
  const target = randn(shape).toFloat32Array();
  const opt = make(p);
  for (let s = 0; s < steps; s++) {
    const w = p.toFloat32Array();
    p.grad = Tensor.fromTypedArray(w.map((x, i) => x - target[i]), shape).keep();
    (opt as unknown as { step(): void }).step();
    opt.zeroGrad();
  }
  return { p: p.toFloat32Array(), opt, param: p };
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test("adamw_8bit: small tensors keep 32-bit moments (bitsandbytes' min_8bit_size) and match AdamW exactly", () => {
  const a = run((p) => new AdamW([p], { lr: 1e-2 }) as unknown as Optimizer<{ lr: number }>, [30, 20], 10);
  const b = run((p) => new AdamW8bit([p], { lr: 1e-2 }) as unknown as Optimizer<{ lr: number }>, [30, 20], 10);
  assert.deepEqual(b.p, a.p);
});

test("adamw_8bit: blockwise 8-bit moments track 32-bit AdamW; state in bitsandbytes' layout; state dict round trip", (t) => {
  const shape = [64, 130];
  const a = run((p) => new AdamW([p], { lr: 1e-2 }) as unknown as Optimizer<{ lr: number }>, shape, 30);
  const b = run((p) => new AdamW8bit([p], { lr: 1e-2 }) as unknown as Optimizer<{ lr: number }>, shape, 30);
  const d = maxAbs(a.p, b.p);
  t.diagnostic(`after 30 steps at lr 1e-2: max |p_8bit - p_32bit| = ${d.toExponential(2)}`);
  // Each p moved up to ~0.3; the 8-bit moments keep it within a few percent of that.
  assert.ok(d > 0 && d < 5e-2, `8-bit AdamW drifted ${d} from 32-bit`);
  const sd = b.opt.stateDict();
  const s = sd.state["0"];
  assert.equal((s.state1 as Tensor).dtype, "uint8");
  assert.equal((s.state2 as Tensor).dtype, "uint8");
  assert.deepEqual((s.absmax1 as Tensor).shape, [Math.ceil((64 * 130) / 256)]);
  assert.equal((s.qmap1 as Tensor).numel, 256);
  const q2 = (s.qmap2 as Tensor).toFloat32Array();
  assert.ok(q2[0] === 0 && q2[255] === 1, "state2 uses the unsigned dynamic map");
  // A fresh optimizer loaded from the state dict takes the same next step.
  const other = new AdamW8bit([b.param], { lr: 1e-2 });
  other.loadStateDict(sd);
  const before = b.param.toFloat32Array();
  const g = Tensor.fromTypedArray(before.map((x) => x * 0.5), shape).keep();
  const copy = Tensor.fromTypedArray(before.slice(), shape).keep().setRequiresGrad(true);
  const third = new AdamW8bit([copy], { lr: 1e-2 });
  third.loadStateDict(sd);
  b.param.grad = g;
  copy.grad = Tensor.fromTypedArray(g.toFloat32Array(), shape).keep();
  (b.opt as unknown as AdamW8bit).step();
  third.step();
  assert.deepEqual(copy.toFloat32Array(), b.param.toFloat32Array());
});

test("paged_adamw_32bit equals AdamW (state in file-backed memory); paged_adamw_8bit equals adamw_8bit", () => {
  const a = run((p) => new AdamW([p], { lr: 1e-2 }) as unknown as Optimizer<{ lr: number }>, [80, 70], 5);
  const b = run((p) => new PagedAdamW([p], { lr: 1e-2 }) as unknown as Optimizer<{ lr: number }>, [80, 70], 5);
  assert.deepEqual(b.p, a.p);
  const c = run((p) => createOptimizerByName("adamw_8bit", [p], { lr: 1e-2 }), [80, 70], 5);
  const d = run((p) => createOptimizerByName("paged_adamw_8bit", [p], { lr: 1e-2 }), [80, 70], 5);
  assert.deepEqual(d.p, c.p);
});

test("adafactor: factored second moments for matrices, a full one for vectors; it minimises", () => {
  for (const shape of [[40, 30], [50]]) {
    manualSeed(3);
    const r = run((p) => new Adafactor([p], { lr: 5e-2 }) as unknown as Optimizer<{ lr: number }>, shape, 60);
    const s = r.opt.stateDict().state["0"];
    if (shape.length === 2) {
      assert.equal((s.exp_avg_sq_row as Tensor).numel, 40);
      assert.equal((s.exp_avg_sq_col as Tensor).numel, 30);
    } else assert.equal((s.exp_avg_sq as Tensor).numel, 50);
    manualSeed(1);
    randn(shape);
    const target = randn(shape).toFloat32Array();
    manualSeed(1);
    const start = randn(shape).toFloat32Array();
    const dist = (w: Float32Array) => Math.sqrt(w.reduce((acc, x, i) => acc + (x - target[i]) ** 2, 0));
    assert.ok(dist(r.p) < 0.5 * dist(start), `adafactor did not minimise: ${dist(r.p)} vs ${dist(start)}`);
  }
});

test("optimizers by Transformers' optim names; an unknown name lists the supported ones", () => {
  const p = randn([4]).keep().setRequiresGrad(true);
  for (const name of ["adamw_torch", "adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "adafactor"]) {
    assert.ok(createOptimizerByName(name, [p], { lr: 1e-3 }));
  }
  assert.throws(() => createOptimizerByName("adamw_4bit", [p], { lr: 1e-3 }), /unknown optimizer "adamw_4bit"; supported: adamw_torch/);
});

test("paged state lives in a shared mapping of an unlinked file in TUNELAB_PAGED_DIR (pages the OS may write back and drop)", { skip: process.platform !== "linux" && "reads /proc/self/maps" }, async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-paged-test-"));
  const before = process.env.TUNELAB_PAGED_DIR;
  process.env.TUNELAB_PAGED_DIR = dir;
  try {
    const r = run((p) => createOptimizerByName("paged_adamw_32bit", [p], { lr: 1e-2 }), [300, 40], 2);
    const maps = fs.readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) => l.includes(dir) && l.includes("tunelab-paged-"));
    // exp_avg and exp_avg_sq: 300 x 40 float32 each, MAP_SHARED ("s"), the file already unlinked.
    assert.equal(maps.length, 2, maps.join("\n"));
    for (const line of maps) {
      const [range, perms] = line.split(/\s+/);
      const [lo, hi] = range.split("-").map((h) => parseInt(h, 16));
      assert.equal(perms, "rw-s");
      assert.ok(hi - lo >= 300 * 40 * 4, `mapping of ${hi - lo} bytes`);
      assert.match(line, /\(deleted\)$/);
    }
    assert.deepEqual(fs.readdirSync(dir), [], "no file is left behind");
    const s = r.opt.stateDict().state["0"];
    assert.ok((s.exp_avg as Tensor).toFloat32Array().some((v) => v !== 0), "the mapped state holds the moments");
    // A folder that cannot take the state is refused up front, naming the variable.
    process.env.TUNELAB_PAGED_DIR = path.join(dir, "missing");
    assert.throws(() => run((p) => createOptimizerByName("paged_adamw_32bit", [p], { lr: 1e-2 }), [10, 10], 1), /cannot map .*TUNELAB_PAGED_DIR/);
  } finally {
    if (before === undefined) delete process.env.TUNELAB_PAGED_DIR;
    else process.env.TUNELAB_PAGED_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
