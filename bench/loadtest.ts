/**
 * `npm run loadtest`: bounded concurrent traffic against `tunelab serve` on 127.0.0.1 only.
 * Starts a server on a free local port (stories260K by default; --model DIR for another
 * causal LM), then for 1, 4 and 16 concurrent clients sends completion requests for a fixed
 * time each and reports requests/s, generated tokens/s, p50/p99 latency and errors (0
 * expected), with the CPU and the load average: figures from a shared machine say so.
 *
 *   npm run loadtest -- [--model DIR] [--seconds 10] [--max-tokens 64] [--clients 1,4,16]
 */
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../src/serve/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.join(here, "..", "..");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const model = path.resolve(arg("model", path.join(repoRoot, "..", "shared", "datasets", "stories260k", "hf")));
const seconds = Number(arg("seconds", "10"));
const maxTokens = Number(arg("max-tokens", "64"));
const levels = arg("clients", "1,4,16").split(",").map(Number);
if (!(seconds > 0) || !(maxTokens > 0) || levels.some((c) => !(Number.isInteger(c) && c > 0 && c <= 64))) {
  console.error("loadtest: --seconds and --max-tokens must be positive, --clients a list of 1..64");
  process.exit(2);
}

const PROMPTS = ["Once upon a time", "The little dog", "Lily wanted to", "One day, Tom found", "The sun was", "A big red ball"];

interface Level {
  clients: number;
  requests: number;
  errors: number;
  tokens: number;
  wall: number;
  latencies: number[];
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function runLevel(url: string, name: string, clients: number, secs = seconds): Promise<Level> {
  const level: Level = { clients, requests: 0, errors: 0, tokens: 0, wall: 0, latencies: [] };
  const end = performance.now() + secs * 1000;
  const start = performance.now();
  let n = 0;
  const client = async () => {
    while (performance.now() < end) {
      const i = n++;
      const t0 = performance.now();
      try {
        const r = await fetch(`${url}/v1/completions`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ model: name, prompt: PROMPTS[i % PROMPTS.length], max_tokens: maxTokens, temperature: 0.8, seed: i }),
        });
        const body = (await r.json()) as { usage?: { completion_tokens: number } };
        if (r.status !== 200 || !body.usage) level.errors++;
        else level.tokens += body.usage.completion_tokens;
      } catch {
        level.errors++;
      }
      level.latencies.push(performance.now() - t0);
      level.requests++;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  level.wall = (performance.now() - start) / 1000;
  return level;
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`# tunelab serve load test — ${cpu}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`model ${model}; ${seconds} s per level; max_tokens ${maxTokens}, temperature 0.8; load average before: ${load()}`);
const server = await startServer({ model, port: 0, host: "127.0.0.1", max_queue: 128, max_tokens: Math.max(maxTokens, 16) });
const name = (await server.models())[0];
// Warm-up: the first requests pay for JIT and buffer-pool growth.
await runLevel(server.url, name, 2, 2);
const rows: string[] = [];
for (const clients of levels) {
  const l = await runLevel(server.url, name, clients);
  rows.push(
    `| ${clients} | ${l.requests} | ${(l.requests / l.wall).toFixed(2)} | ${(l.tokens / l.wall).toFixed(0)} | ${quantile(l.latencies, 0.5).toFixed(0)} | ${quantile(l.latencies, 0.99).toFixed(0)} | ${l.errors} |`,
  );
  console.log(`${clients} clients done (load average ${load()})`);
}
await server.close();
console.log("\n| clients | requests | requests/s | tokens/s | p50 ms | p99 ms | errors |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
console.log(rows.join("\n"));
console.log(`\nload average after: ${load()}`);
