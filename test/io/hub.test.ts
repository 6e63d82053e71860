import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { resolvePretrained } from "../../src/io/hub.js";

// A stand-in for the hub that serves the URL layout @huggingface/hub requests:
// GET  /api/models/<id>/revision/<rev>   → {sha, siblings}
// POST /api/models/<id>/paths-info/<rev> → [{path, oid, size, lfs?, lastCommit}]
// GET  /<id>/resolve/<rev>/<file>        → bytes (206 + Content-Range for "Range: bytes=0-0"), ETag, X-Repo-Commit

interface Repo {
  private?: boolean;
  revisions: Record<string, { sha: string; files: Record<string, string | Buffer> }>;
}

const SHA_MAIN = "a".repeat(40);
const SHA_V1 = "b".repeat(40);
const weights = Buffer.alloc(4096, 7);
const repos: Record<string, Repo> = {
  "org/tiny": {
    revisions: {
      main: {
        sha: SHA_MAIN,
        files: {
          "config.json": '{"model_type":"llama"}\n',
          "model.safetensors": weights,
          "tokenizer.json": "{}",
          "README.md": "# not needed",
          "pytorch_model.bin": "pickle: never downloaded",
          "sub/config.json": "{}",
        },
      },
      v1: { sha: SHA_V1, files: { "config.json": '{"model_type":"llama","v":1}\n' } },
    },
  },
  "org/private": { private: true, revisions: { main: { sha: "c".repeat(40), files: { "config.json": "{}" } } } },
  "org/pickled": { revisions: { main: { sha: "d".repeat(40), files: { "config.json": "{}", "pytorch_model.bin": "x" } } } },
};

const requests: { method: string; url: string; auth?: string }[] = [];
let server: http.Server;
let endpoint = "";

function findRevision(id: string, rev: string) {
  const repo = repos[id];
  if (!repo) return null;
  rev = decodeURIComponent(rev);
  for (const r of Object.values(repo.revisions)) if (r.sha === rev) return { repo, r };
  const r = repo.revisions[rev];
  return r ? { repo, r } : null;
}

function gitOid(content: Buffer): string {
  return crypto.createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
  const url = new URL(req.url!, "http://x");
  const json = (status: number, value: unknown, extra: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...extra });
    res.end(JSON.stringify(value));
  };
  let m = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|paths-info)\/(.+)$/.exec(url.pathname);
  const id = m?.[1] ?? /^\/([^/]+\/[^/]+)\/resolve\//.exec(url.pathname)?.[1] ?? "";
  const found = m ? findRevision(m[1], m[3]) : null;
  if (repos[id]?.private && req.headers.authorization !== "Bearer hf_secret") return json(401, { error: "Invalid credentials" });
  if (m && m[2] === "revision") {
    if (!found) return json(404, { error: "Repository not found" }, { "X-Error-Code": "RepoNotFound" });
    return json(200, { _id: "x", id: m[1], sha: found.r.sha, private: false, siblings: Object.keys(found.r.files).map((rfilename) => ({ rfilename })) });
  }
  if (m && m[2] === "paths-info") {
    if (!found) return json(404, { error: "Revision not found" });
    const { paths } = JSON.parse(body) as { paths: string[] };
    return json(
      200,
      paths.map((p) => {
        const content = Buffer.from(found.r.files[p]);
        const lfs = p.endsWith(".safetensors") ? { oid: crypto.createHash("sha256").update(content).digest("hex"), size: content.length } : undefined;
        return { type: "file", path: p, oid: gitOid(content), size: content.length, lfs, lastCommit: { id: found.r.sha, title: "c", date: "2024-01-01T00:00:00Z" } };
      }),
    );
  }
  m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  const target = m ? findRevision(m[1], m[2]) : null;
  const file = m && target ? target.r.files[decodeURIComponent(m[3])] : undefined;
  if (!m || !target || file === undefined) return json(404, { error: "Entry not found" }, { "X-Error-Code": "EntryNotFound" });
  const content = Buffer.from(file);
  const headers = { ETag: `"${gitOid(content)}"`, "X-Repo-Commit": target.r.sha, "Content-Type": "application/octet-stream" };
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
  if (range) {
    const [a, b] = [Number(range[1]), Math.min(Number(range[2]), content.length - 1)];
    res.writeHead(206, { ...headers, "Content-Range": `bytes ${a}-${b}/${content.length}`, "Content-Length": String(b - a + 1) });
    return void res.end(content.subarray(a, b + 1));
  }
  res.writeHead(200, { ...headers, "Content-Length": String(content.length) });
  res.end(content);
}

before(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function tmpCache(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-hub-"));
}

/** Runs `fn` with environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}

const noEnv = { HF_HUB_OFFLINE: undefined, HF_TOKEN: undefined, HF_ENDPOINT: undefined };

test("downloading neither replaces console.debug (process-wide) nor logs anything", async () => {
  const original = console.debug;
  const logged: unknown[][] = [];
  const spy = (...args: unknown[]) => void logged.push(args);
  console.debug = spy;
  const seen = new Set<unknown>();
  const watching: typeof fetch = (input, init) => {
    seen.add(console.debug); // what any other code calling console.debug now would reach
    return fetch(input, init);
  };
  try {
    await withEnv(noEnv, () => resolvePretrained("org/tiny", { cache_dir: tmpCache(), endpoint, progress: false, fetch: watching }));
  } finally {
    console.debug = original;
  }
  assert.deepEqual([...seen], [spy]);
  assert.deepEqual(logged, []);
});

test("downloads the needed files into the Hugging Face cache layout, sending the token", async () => {
  const cache = tmpCache();
  requests.length = 0;
  const dir = await withEnv(noEnv, () => resolvePretrained("org/tiny", { cache_dir: cache, endpoint, token: "hf_test", progress: false }));
  const storage = path.join(cache, "models--org--tiny");
  assert.equal(dir, path.join(storage, "snapshots", SHA_MAIN));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "model.safetensors", "tokenizer.json"], "README, pickle and subfolder files are not downloaded");
  assert.equal(fs.readFileSync(path.join(storage, "refs", "main"), "utf8"), SHA_MAIN);
  assert.deepEqual(fs.readFileSync(path.join(dir, "model.safetensors")), weights);
  // Snapshot entries are relative symlinks to content-addressed blobs (sha256 for LFS files, git oid otherwise).
  const sha256 = crypto.createHash("sha256").update(weights).digest("hex");
  assert.equal(fs.readlinkSync(path.join(dir, "model.safetensors")), path.join("..", "..", "blobs", sha256));
  assert.ok(fs.existsSync(path.join(storage, "blobs", gitOid(Buffer.from('{"model_type":"llama"}\n')))));
  assert.ok(requests.length > 0);
  for (const r of requests) assert.equal(r.auth, "Bearer hf_test", `${r.method} ${r.url} carries the token`);
  assert.ok(requests.every((r) => !r.url.includes("pytorch_model.bin") && !r.url.includes("README")));

  // Second call online: only the revision lookup, no file transfers.
  requests.length = 0;
  assert.equal(await withEnv(noEnv, () => resolvePretrained("org/tiny", { cache_dir: cache, endpoint, progress: false })), dir);
  assert.deepEqual(requests.map((r) => r.url.split("?")[0]), ["/api/models/org/tiny/revision/main"]);

  // Offline: the cache alone, no requests at all.
  requests.length = 0;
  assert.equal(await withEnv({ ...noEnv, HF_HUB_OFFLINE: "1" }, () => resolvePretrained("org/tiny", { cache_dir: cache, endpoint })), dir);
  assert.equal(await withEnv(noEnv, () => resolvePretrained("org/tiny", { cache_dir: cache, endpoint, local_files_only: true })), dir);
  assert.equal(requests.length, 0);
  fs.rmSync(cache, { recursive: true });
});

test("HF_HUB_OFFLINE without a cached snapshot fails clearly", async () => {
  const cache = tmpCache();
  await assert.rejects(
    withEnv({ ...noEnv, HF_HUB_OFFLINE: "1" }, () => resolvePretrained("org/tiny", { cache_dir: cache, endpoint })),
    /^Error: \[hub\] org\/tiny@main: HF_HUB_OFFLINE=1 and the cache has no snapshot of it \(looked in .*models--org--tiny\); download it once while online or pass a local folder/,
  );
  fs.rmSync(cache, { recursive: true });
});

test("revision: a tag resolves to its own snapshot and ref; HF_ENDPOINT and HF_TOKEN come from the environment", async () => {
  const cache = tmpCache();
  requests.length = 0;
  const dir = await withEnv({ ...noEnv, HF_ENDPOINT: endpoint, HF_TOKEN: "hf_env" }, () => resolvePretrained("org/tiny", { cache_dir: cache, revision: "v1", progress: false }));
  assert.equal(dir, path.join(cache, "models--org--tiny", "snapshots", SHA_V1));
  assert.equal(fs.readFileSync(path.join(dir, "config.json"), "utf8"), '{"model_type":"llama","v":1}\n');
  assert.equal(fs.readFileSync(path.join(cache, "models--org--tiny", "refs", "v1"), "utf8"), SHA_V1);
  assert.ok(requests.every((r) => r.auth === "Bearer hf_env"));
  // A commit hash needs no ref file and works offline once cached.
  assert.equal(await withEnv({ ...noEnv, HF_HUB_OFFLINE: "1" }, () => resolvePretrained("org/tiny", { cache_dir: cache, revision: SHA_V1 })), dir);
  fs.rmSync(cache, { recursive: true });
});

test("hub errors: missing repo, private repo without token, pickle-only repo, unreachable hub", async () => {
  const cache = tmpCache();
  await withEnv(noEnv, async () => {
    await assert.rejects(resolvePretrained("org/missing", { cache_dir: cache, endpoint }), /\[hub\] org\/missing@main: not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404: Repository not found\); check the repository id and revision, or set HF_TOKEN/);
    await assert.rejects(resolvePretrained("org/private", { cache_dir: cache, endpoint }), /access denied \(HTTP 401.*set HF_TOKEN to a token with access/);
    const dir = await resolvePretrained("org/private", { cache_dir: cache, endpoint, token: "hf_secret", progress: false });
    assert.ok(fs.existsSync(path.join(dir, "config.json")));
    await assert.rejects(resolvePretrained("org/pickled", { cache_dir: cache, endpoint }), /has only pickle weights \(pytorch_model\.bin\).*save_pretrained\(dir, safe_serialization=True\)/);
    // Tokenizer-style requests that do not ask for weights are fine.
    await resolvePretrained("org/pickled", { cache_dir: cache, endpoint, files: ["config.json"], progress: false });
    await assert.rejects(resolvePretrained("org/tiny", { cache_dir: cache, endpoint: "http://127.0.0.1:1" }), /could not download from http:\/\/127\.0\.0\.1:1 .*HF_HUB_OFFLINE=1/);
    await assert.rejects(resolvePretrained("org/tiny", { cache_dir: cache, endpoint, token: "nope" }), /token does not start with "hf_"/);
    await assert.rejects(resolvePretrained("./no/such/folder", { cache_dir: cache }), /"\.\/no\/such\/folder" is neither an existing folder nor a hub id/);
    // A revision is a file name under refs/: it may not climb out of the cache.
    for (const revision of ["../../etc", "main/../x", "/abs", ""]) {
      await assert.rejects(resolvePretrained("org/tiny", { cache_dir: cache, endpoint, revision }), /\[hub\] revision ".*" is not a branch, tag or commit name/);
    }
  });
  fs.rmSync(cache, { recursive: true });
});

test("unreachable hub falls back to a cached snapshot", async () => {
  const cache = tmpCache();
  await withEnv(noEnv, async () => {
    const dir = await resolvePretrained("org/tiny", { cache_dir: cache, endpoint, progress: false });
    assert.equal(await resolvePretrained("org/tiny", { cache_dir: cache, endpoint: "http://127.0.0.1:1" }), dir);
  });
  fs.rmSync(cache, { recursive: true });
});

test("a local folder is used as is; a missing config.json is reported with the folder's contents", async () => {
  const dir = tmpCache();
  fs.writeFileSync(path.join(dir, "tokenizer.json"), "{}");
  await assert.rejects(resolvePretrained(dir), /\[hub\] folder .* has no config\.json \(it has: tokenizer\.json\)/);
  assert.equal(await resolvePretrained(dir, { require: ["tokenizer.json"] }), dir);
  fs.writeFileSync(path.join(dir, "config.json"), "{}");
  assert.equal(await resolvePretrained(dir), dir);
  await assert.rejects(resolvePretrained(path.join(dir, "config.json")), /is a file; pass the folder/);
  fs.rmSync(dir, { recursive: true });
});
