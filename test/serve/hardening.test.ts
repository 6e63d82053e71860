// Hardening: bearer-token auth, oversize and malformed bodies, schema errors, unknown models
// and routes, max_tokens limits, a full queue (429), per-request timeouts (504), a client
// that goes away mid-stream, and graceful shutdown on SIGTERM that finishes requests in flight.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { skipIfMissing } from "../helpers/paths.js";
import { tunelabAsync } from "../cli/helpers.js";
import { STORIES, serve, post, get, errorMessage } from "./helpers.js";

const skip = skipIfMissing(STORIES);
const completion = { model: "hf", prompt: "Once upon a time", max_tokens: 5, temperature: 0 };

test("with --api-key every route but /health needs the bearer token", { skip, timeout: 120_000 }, async () => {
  const server = await serve({ model: STORIES, api_key: "s3cret" });
  try {
    const u = server.url;
    assert.equal((await get(u + "/health")).status, 200);
    const none = await post(u + "/v1/completions", completion);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), "Bearer");
    assert.match(errorMessage(none), /missing API key: send Authorization: Bearer <key>/);
    const wrong = await post(u + "/v1/completions", completion, { Authorization: "Bearer s3cre" });
    assert.equal(wrong.status, 401);
    assert.match(errorMessage(wrong), /invalid API key/);
    assert.equal((await get(u + "/v1/models")).status, 401);
    assert.equal((await get(u + "/metrics")).status, 401);
    assert.equal((await post(u + "/v1/completions", completion, { Authorization: "Bearer s3cret" })).status, 200);
    assert.equal((await get(u + "/v1/models", { Authorization: "bearer s3cret" })).status, 200);
  } finally {
    await server.close();
  }
});

test("bad requests get a 4xx naming the problem, and the server keeps serving", { skip, timeout: 120_000 }, async () => {
  const server = await serve({ model: STORIES, max_body_bytes: 2000, max_tokens: 64 });
  try {
    const u = server.url + "/v1/completions";
    const cases: [unknown, number, RegExp][] = [
      ["{not json", 400, /the body is not valid JSON/],
      ["", 400, /the request has no body/],
      [{ ...completion, prompt: "x".repeat(3000) }, 413, /at most 2000 \(--max-body-bytes\)/],
      [{ ...completion, prompt: 42 }, 400, /prompt: prompt must be a string or a list of strings/],
      [{ ...completion, max_tokens: 0 }, 400, /max_tokens: /],
      [{ ...completion, max_tokens: 65 }, 400, /max_tokens may be at most 64 on this server \(--max-tokens\)/],
      [{ ...completion, temperature: -1 }, 400, /temperature: /],
      [{ ...completion, stop: ["a", "b", "c", "d", "e"] }, 400, /stop must be a non-empty string or a list of at most 4 of them/],
      [{ ...completion, presence_penalty: 1 }, 400, /presence_penalty is not supported by this server/],
      [{ ...completion, model: "gpt-4" }, 404, /model "gpt-4" is not served here; models: hf/],
      [{ prompt: "x" }, 400, /model: /],
      [[1, 2], 400, /expected object/],
    ];
    for (const [body, status, message] of cases) {
      const r = await post(u, body);
      assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 60)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(errorMessage(r), message);
      assert.equal((r.body.error as { type: string }).type, status === 404 ? "not_found_error" : "invalid_request_error");
    }
    const chat = await post(server.url + "/v1/chat/completions", { model: "hf", messages: [{ role: "wizard", content: "hi" }] });
    assert.equal(chat.status, 400);
    assert.match(errorMessage(chat), /^messages\[0\]\.role: /);
    assert.equal((await get(server.url + "/v1/nothing")).status, 404);
    const method = await get(u);
    assert.equal(method.status, 405);
    assert.match(method.text, /\/v1\/completions takes POST, not GET/);
    const cls = await post(server.url + "/v1/classify", { model: "hf", input: "x" });
    assert.equal(cls.status, 400);
    assert.match(errorMessage(cls), /has no classification head/);
    assert.equal((await post(u, completion)).status, 200, "still serving after all that");
    const m = await get(server.url + "/metrics");
    assert.match(m.text, /tunelab_requests_total\{endpoint="\/v1\/completions",status="413"\} 1/);
  } finally {
    await server.close();
  }
});

// The 429 and the 504 are checked on separate servers: with one 0.3 s timeout for both, a loaded
// machine could let the long request time out (freeing the slot) before the second one arrived.
test("a full queue answers 429 with Retry-After", { skip, timeout: 120_000 }, async () => {
  const server = await serve({ model: STORIES, max_queue: 1, request_timeout_s: 120 });
  const ac = new AbortController();
  try {
    const u = server.url + "/v1/completions";
    const long = fetch(u, {
      method: "POST", signal: ac.signal, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...completion, prompt: ["a", "b", "c", "d"], n: 8, max_tokens: 500, temperature: 1, stream: true }),
    });
    await untilInFlight(server.url, 1);
    const busy = await post(u, completion);
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get("retry-after"), "1");
    assert.match(errorMessage(busy), /1 requests in flight \(--max-queue 1\); retry shortly/);
    ac.abort();
    await long.then((r) => r.body?.cancel()).catch(() => {});
    await untilInFlight(server.url, 0);
    assert.equal((await post(u, completion)).status, 200, "the slot is free again");
  } finally {
    ac.abort();
    await server.close();
  }
});

test("a request past its timeout is stopped with 504, and its slot is free again", { skip, timeout: 120_000 }, async () => {
  const server = await serve({ model: STORIES, max_queue: 1, request_timeout_s: 0.3 });
  try {
    const u = server.url + "/v1/completions";
    const timedOut = await post(u, { ...completion, prompt: ["a", "b", "c", "d"], n: 8, max_tokens: 500, temperature: 1 });
    assert.equal(timedOut.status, 504, JSON.stringify(timedOut.body));
    assert.match(errorMessage(timedOut), /longer than 0.3 s \(--request-timeout\) and was stopped/);
    assert.equal((await post(u, completion)).status, 200, "the slot is free again");
  } finally {
    await server.close();
  }
});

test("a client that goes away mid-stream stops its generation", { skip, timeout: 120_000 }, async () => {
  const server = await serve({ model: STORIES, max_queue: 1 });
  try {
    const ac = new AbortController();
    const r = await fetch(server.url + "/v1/completions", {
      method: "POST", signal: ac.signal, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...completion, prompt: ["a", "b", "c", "d"], n: 8, max_tokens: 500, temperature: 1, stream: true }),
    });
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    // The queue slot (max_queue 1) frees as soon as the server sees the disconnect.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await post(server.url + "/v1/completions", completion)).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(status, 200);
  } finally {
    await server.close();
  }
});

test("SIGTERM: `tunelab serve` finishes the request in flight, refuses new ones, and exits 0", { skip, timeout: 120_000 }, async () => {
  const child = tunelabAsync(["serve", "--model", STORIES, "--port", "0", "--max-tokens", "400"]);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  try {
    const deadline = Date.now() + 60_000;
    while (!/listening on (\S+)/.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) assert.fail(`serve did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (\S+)/.exec(out)![1];
    const inflight = post(url + "/v1/completions", { ...completion, prompt: ["a", "b"], n: 4, max_tokens: 300, temperature: 1, seed: 3 });
    await untilInFlight(url, 1);
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = (await exited) as [number];
    const r = await inflight;
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((r.body.choices as unknown[]).length, 8);
    assert.equal(code, 0, out);
    assert.match(out, /SIGTERM: finishing the requests in flight/);
    await assert.rejects(fetch(url + "/health"), "the port is closed after shutdown");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

/** Waits until the server has `n` requests in flight (its /metrics gauge), for at most 30 s. */
async function untilInFlight(url: string, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!new RegExp(`^tunelab_requests_in_flight ${n}$`, "m").test((await get(url + "/metrics")).text)) {
    if (Date.now() > deadline) assert.fail(`never ${n} requests in flight`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
