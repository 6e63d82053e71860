// A real pretrained Llama (stories260K, ../shared/datasets) quantized as Transformers +
// bitsandbytes would (every decoder linear; the tied embedding / lm_head and the norms stay
// float32; float32 compute): perplexity on 24 held-out TinyStories-style stories written for
// this test (data/held_out_stories.txt, 2,791 predicted tokens), against float32.
//
// Measured (deterministic): NF4 + double quantization +11.3% (95% bootstrap CI over stories
// 8.3% .. 14.4%), NF4 +11.4%, FP4 +26.8%, 8-bit (LLM.int8 eval) +0.17%, 8-bit training matmul
// +0.02%. The 5% target for NF4 is NOT met on this model. Not an implementation error:
// the codes and scales are bitsandbytes' bit for bit (fixtures), and the dequantized weights'
// relative RMS error is 9.2% (FP4 12.1%, int8 0.6%), what NF4 gives any Gaussian-like weight;
// a 260K-parameter model with hidden size 64 simply tolerates that noise less than the large
// models QLoRA was measured on. (The first 4 stories alone, the earlier set, gave +5.1%: too
// few tokens — their CI is several points wide.) The test guards these figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { AutoTokenizer } from "../../src/data/index.js";
import { LlamaForCausalLM } from "../../src/models/index.js";
import { noGrad } from "../../src/tensor/index.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";

const STORIES = path.join(datasetsDir, "stories260k", "hf");
const here = path.dirname(fileURLToPath(import.meta.url));
// dist/test/quant -> test/quant/data (the text is not compiled).
const HELD_OUT = path.resolve(here, "../../../test/quant/data/held_out_stories.txt");

/** Negative log-likelihood of every next token, per story. */
function tokenNll(model: LlamaForCausalLM, ids: number[][]): number[][] {
  return noGrad(() =>
    ids.map((row) => {
      const logits = model.forward({ input_ids: [row] }).logits;
      const V = logits.shape[2];
      const l = logits.toFloat32Array();
      const nll: number[] = [];
      for (let t = 0; t + 1 < row.length; t++) {
        let m = -Infinity;
        for (let v = 0; v < V; v++) m = Math.max(m, l[t * V + v]);
        let s = 0;
        for (let v = 0; v < V; v++) s += Math.exp(l[t * V + v] - m);
        nll.push(m + Math.log(s) - l[t * V + row[t + 1]]);
      }
      return nll;
    }),
  );
}

const meanOf = (rows: number[][]) => rows.flat().reduce((a, b) => a + b, 0) / rows.flat().length;

/** Perplexity ratio q / base and its 95% interval from a bootstrap over stories (paired). */
function ratioWithInterval(q: number[][], base: number[][]): { ratio: number; lo: number; hi: number } {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  const boots: number[] = [];
  for (let b = 0; b < 2000; b++) {
    let d = 0;
    let n = 0;
    for (let i = 0; i < q.length; i++) {
      const j = Math.floor(rand() * q.length);
      for (let t = 0; t < q[j].length; t++) (d += q[j][t] - base[j][t]), n++;
    }
    boots.push(Math.exp(d / n));
  }
  boots.sort((a, b) => a - b);
  return { ratio: Math.exp(meanOf(q) - meanOf(base)), lo: boots[50], hi: boots[1949] };
}

test("stories260K: NF4 perplexity +11% over float32 on 24 held-out stories (the 5% target is not met), 8-bit within 0.5%", { skip: skipIfMissing(STORIES) }, async (t) => {
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const texts = fs.readFileSync(HELD_OUT, "utf8").trim().split("\n");
  assert.equal(texts.length, 24);
  const ids = texts.map((s) => tok.encode(s));
  const load = (quantization_config?: object) => LlamaForCausalLM.fromPretrained(STORIES, { quiet: true, ...(quantization_config ? { quantization_config } : {}) });
  const base = tokenNll(await load(), ids);
  const int8Train = await load({ load_in_8bit: true });
  int8Train.train(); // bitsandbytes' CPU training matmul: dequantized weights, float activations
  const figures = {
    nf4_double_quant: tokenNll(await load({ load_in_4bit: true, bnb_4bit_quant_type: "nf4", bnb_4bit_use_double_quant: true }), ids),
    fp4: tokenNll(await load({ load_in_4bit: true, bnb_4bit_quant_type: "fp4" }), ids),
    int8_llm_int8: tokenNll(await load({ load_in_8bit: true }), ids),
    int8_training: tokenNll(int8Train, ids),
  };
  const pct = (x: number) => `${(100 * (x - 1)).toFixed(2)}%`;
  const r = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, ratioWithInterval(v, base)]));
  t.diagnostic(`float32 perplexity ${Math.exp(meanOf(base)).toFixed(3)} over ${base.flat().length} tokens`);
  for (const [k, v] of Object.entries(r)) t.diagnostic(`${k}: ${pct(v.ratio)} (95% CI ${pct(v.lo)} .. ${pct(v.hi)})`);
  assert.ok(Math.exp(meanOf(base)) > 1 && Math.exp(meanOf(base)) < 8, "the float32 model knows these stories' style");
  assert.ok(r.nf4_double_quant.ratio > 1.05 && r.nf4_double_quant.ratio < 1.15, `NF4 ${pct(r.nf4_double_quant.ratio)}: changed from the recorded +11.3%`);
  assert.ok(r.fp4.ratio > r.nf4_double_quant.ratio, "FP4 is worse than NF4, as in the QLoRA paper");
  assert.ok(Math.abs(r.int8_llm_int8.ratio - 1) < 0.005 && Math.abs(r.int8_training.ratio - 1) < 0.005, "8-bit stays within 0.5%");
});
