// Fixtures and clients for the server tests: model folders built from the shared stories260K
// model and the shipped demo BERT (in temp folders), JSON and SSE requests.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { manualSeed } from "../../src/tensor/index.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { AutoModelForSequenceClassification } from "../../src/models/auto.js";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { getPeftModel } from "../../src/peft/peft_model.js";
import { startServer, type ServeOptions, type TunelabServer } from "../../src/serve/server.js";
import { datasetsDir, REPO_ROOT } from "../helpers/paths.js";

export const STORIES = path.join(datasetsDir, "stories260k", "hf");
export const DEMO_MODEL = path.join(REPO_ROOT, "assets", "demo", "model");
export const CHAT_TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

export function tempDir(prefix = "tunelab-serve-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** stories260K with a chat template, served as "stories". */
export function storiesWithChat(root: string): string {
  const dir = path.join(root, "stories");
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(STORIES)) fs.copyFileSync(path.join(STORIES, f), path.join(dir, f));
  const cfgFile = path.join(dir, "tokenizer_config.json");
  const cfg = JSON.parse(fs.readFileSync(cfgFile, "utf8"));
  fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, chat_template: CHAT_TEMPLATE }));
  return dir;
}

/** A LoRA adapter on stories260K with random (non-zero) B, so it changes the output. */
export async function storiesLora(root: string, name: string, seed: number): Promise<string> {
  manualSeed(seed);
  const base = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  const pm = getPeftModel(base, { peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 32, target_modules: ["q_proj", "v_proj", "down_proj"], init_lora_weights: false });
  const dir = path.join(root, name);
  pm.savePretrained(dir);
  return dir;
}

/** The demo BERT with a two-label classification head (random head: only the plumbing is tested). */
export async function demoClassifier(root: string): Promise<string> {
  manualSeed(4);
  const dir = path.join(root, "sentiment");
  const model = await AutoModelForSequenceClassification.fromPretrained(DEMO_MODEL, { quiet: true, config: { num_labels: 2, id2label: { 0: "negative", 1: "positive" }, label2id: { negative: 0, positive: 1 } } });
  model.savePretrained(dir);
  (await AutoTokenizer.fromPretrained(DEMO_MODEL)).savePretrained(dir);
  return dir;
}

export async function serve(opts: ServeOptions): Promise<TunelabServer> {
  return startServer({ port: 0, ...opts });
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { headers });
  return { status: r.status, text: await r.text() };
}

/** The data: payloads of a server-sent event stream, [DONE] included as a string. */
export async function postStream(url: string, body: unknown): Promise<{ status: number; contentType: string | null; events: unknown[] }> {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const text = await r.text();
  const events = text
    .split("\n\n")
    .filter((b) => b.startsWith("data: "))
    .map((b) => b.slice(6))
    .map((d) => (d === "[DONE]" ? d : JSON.parse(d)));
  return { status: r.status, contentType: r.headers.get("content-type"), events };
}

export const errorMessage = (r: Reply) => (r.body.error as { message: string }).message;
