// nn.Module without reflection: the registry is the truth and fields read it, so a swap by
// path is one operation; removal; a deep clone that shares nothing mutable with its original.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../src/tensor/index.js";
import { Module, ModuleList, Linear } from "../../src/nn/index.js";

class Block extends Module {
  readonly proj: Linear;
  readonly scale: Tensor;
  readonly cache = new Map<string, number[]>();
  readonly history: number[] = [];
  hits = 0;
  constructor() {
    super();
    this.proj = this.addModule("proj", new Linear(2, 2));
    this.scale = this.addParameter("scale", tensor([1, 2]));
  }
}

class Net extends Module {
  readonly layers: ModuleList<Block>;
  readonly head: Linear;
  constructor() {
    super();
    this.layers = this.addModule("layers", new ModuleList([new Block(), new Block()]));
    this.head = this.addModule("head", new Linear(2, 1));
  }
}

test("replaceModule by dotted path: fields, list items and paths all see the new module; the old one is returned", () => {
  const net = new Net();
  const oldProj = net.layers.at(1).proj;
  const swapped = new Linear(2, 2, { bias: false });
  assert.equal(net.replaceModule("layers.1.proj", swapped), oldProj);
  assert.equal(net.layers.at(1).proj, swapped, "the field reads the registry");
  assert.equal(net.getSubmodule("layers.1.proj"), swapped);
  assert.ok([...net.namedParameters()].some(([k]) => k === "layers.1.proj.weight") && ![...net.namedParameters()].some(([k]) => k === "layers.1.proj.bias"));
  const block = new Block();
  net.replaceModule("layers.0", block);
  assert.equal(net.layers.items[0], block, "ModuleList items come from the registry");
  assert.equal([...net.layers][0], block);
  assert.throws(() => net.replaceModule("layers.2", block), /no submodule "layers.2": ModuleList has children 0, 1/);
  assert.throws(() => net.replaceModule("nothing.here", block), /no submodule "nothing"/);
});

test("removeModule and removeParameter unregister (the caller owns what comes back); fields read null/undefined", () => {
  const net = new Net();
  const head = net.removeModule("head");
  assert.ok(head instanceof Linear);
  assert.equal(net.head, undefined);
  assert.ok(![...net.namedParameters()].some(([k]) => k.startsWith("head.")));
  const scale = net.removeParameter("layers.0.scale");
  assert.deepEqual(scale && [...scale.data], [1, 2]);
  assert.equal(net.layers.at(0).scale, null);
  assert.ok(!net.stateDict().has("layers.0.scale"));
  assert.throws(() => net.removeParameter("layers.0.scale"), /has no parameter "scale"/);
});

test("setParameter and assigning a field go through the registry", () => {
  const block = new Block();
  const t = tensor([5, 6]);
  block.setParameter("scale", t);
  assert.equal(block.scale, t);
  const other = new Linear(2, 2);
  (block as { proj: Linear }).proj = other;
  assert.equal(block.getSubmodule("proj"), other, "assigning a registered field replaces the child");
});

test("clone is deep: fresh tensors, children and mutable state; config-like instances are shared", () => {
  const net = new Net();
  const config = new (class Config { size = 2 })();
  (net as unknown as { config: object }).config = config;
  net.layers.at(0).cache.set("k", [1]);
  net.layers.at(0).history.push(3);
  net.layers.at(0).scale.requiresGrad = false;
  const copy = net.clone();
  assert.ok(copy instanceof Net && copy !== net);
  const a = net.layers.at(0);
  const b = copy.layers.at(0);
  assert.notEqual(b, a);
  assert.notEqual(b.proj, a.proj);
  assert.notEqual(b.proj.weight, a.proj.weight);
  assert.deepEqual([...b.proj.weight.data], [...a.proj.weight.data]);
  assert.equal(b.proj.weight.requiresGrad, true);
  assert.equal(b.scale.requiresGrad, false);
  assert.notEqual(b.cache, a.cache, "a Map is not shared");
  assert.deepEqual(b.cache.get("k"), [1]);
  b.cache.get("k")!.push(2);
  assert.deepEqual(a.cache.get("k"), [1], "nor the arrays inside it");
  b.history.push(4);
  assert.deepEqual(a.history, [3]);
  assert.equal((copy as unknown as { config: object }).config, config);
  // The copy's registry and fields are its own: swapping in the copy leaves the original alone.
  copy.replaceModule("head", new Linear(2, 3));
  assert.equal(net.head.outFeatures, 1);
  assert.equal(copy.head.outFeatures, 3);
  (b.scale.data as Float32Array)[0] = 9;
  assert.equal(a.scale.data[0], 1);
});

test("a subclass that re-declares a registered field without `declare` fails at construction", () => {
  class Base extends Module {
    readonly inner: Module;
    constructor() {
      super();
      this.inner = this.addModule("inner", new Module());
    }
  }
  class Bad extends Base {
    override readonly inner: Module = new Module();
  }
  assert.throws(() => new Bad(), TypeError);
});
