// Resolving `fromPretrained(nameOrPath)`: a local folder as is, or a Hugging Face hub repository
// downloaded through @huggingface/hub into the standard cache layout shared with Python
// (<cache>/models--org--name/{blobs,snapshots/<commit>,refs/<revision>}), so a model fetched by
// either side is reused by the other. Honours HF_HUB_OFFLINE, HF_TOKEN, HF_ENDPOINT, HF_HUB_CACHE/HF_HOME.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export interface ResolveOptions {
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Cache root (default $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub). */
  cache_dir?: string;
  /** Access token (default $HF_TOKEN or the token file `huggingface-cli login` writes); false sends none. */
  token?: string | false;
  /** Use the cache only, as HF_HUB_OFFLINE=1 does. */
  local_files_only?: boolean;
  /** File name patterns to download (`*` wildcard; default: config, safetensors weights, tokenizer, generation and adapter files). */
  files?: string[];
  /** Files that must be present in the resolved folder (default ["config.json"]); pass [] for none. */
  require?: string[];
  /** Hub endpoint (default $HF_ENDPOINT or https://huggingface.co). */
  endpoint?: string;
  /** Show a progress bar on stderr for large files (default: when stderr is a TTY). */
  progress?: boolean;
  /** A fetch to use instead of the global one (proxies, tests). */
  fetch?: typeof fetch;
}

export const DEFAULT_HUB_FILES = [
  "config.json",
  "generation_config.json",
  "*.safetensors",
  "model.safetensors.index.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "added_tokens.json",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
  "chat_template.jinja",
  "chat_template.json",
  "adapter_config.json",
  "adapter_model.safetensors",
];

const COMMIT_HASH = /^[0-9a-f]{40}$/;
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
const PICKLE_WEIGHTS = /(^|\/)(pytorch_model.*\.bin|.*\.pt|.*\.pth|.*\.ckpt)$/;
const PROGRESS_MIN_BYTES = 10 * 1024 * 1024;

/** Returns a local folder holding the model files: `nameOrPath` itself, or a cache snapshot. */
export async function resolvePretrained(nameOrPath: string, options: ResolveOptions = {}): Promise<string> {
  const required = options.require ?? ["config.json"];
  if (fs.existsSync(nameOrPath)) {
    if (!fs.statSync(nameOrPath).isDirectory()) {
      throw new Error(`[hub] ${nameOrPath} is a file; pass the folder that holds ${required.join(", ") || "the model files"}`);
    }
    checkRequired(nameOrPath, required, `folder ${nameOrPath}`);
    return nameOrPath;
  }
  if (!HUB_ID.test(nameOrPath) || nameOrPath.includes("--") || nameOrPath.includes("..")) {
    throw new Error(`[hub] "${nameOrPath}" is neither an existing folder nor a hub id like "org/name"; check the path`);
  }
  const revision = options.revision ?? "main";
  // The revision names a file under refs/: it must not climb out of the cache folder.
  if (!/^[A-Za-z0-9._/-]+$/.test(revision) || revision.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`[hub] revision "${revision}" is not a branch, tag or commit name; use letters, digits, ".", "_", "-" and "/" (e.g. "main", "v1.0", a 40-character commit)`);
  }
  const hub = await import("@huggingface/hub");
  const cacheDir = options.cache_dir ?? hub.getHFHubCachePath();
  const storage = path.join(cacheDir, `models--${nameOrPath.replace("/", "--")}`);
  const offline = options.local_files_only === true || isTruthy(process.env.HF_HUB_OFFLINE);
  const label = `${nameOrPath}@${revision}`;

  if (offline) {
    const cached = cachedSnapshot(storage, revision);
    if (cached === null) {
      const why = options.local_files_only ? "local_files_only is set" : `HF_HUB_OFFLINE=${process.env.HF_HUB_OFFLINE}`;
      throw new Error(`[hub] ${label}: ${why} and the cache has no snapshot of it (looked in ${storage}); download it once while online or pass a local folder`);
    }
    checkRequired(cached, required, `cached snapshot ${cached}`);
    return cached;
  }

  const endpoint = (options.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
  const token = options.token === false ? undefined : options.token ?? findToken();
  const credentials = token ? { accessToken: token } : {};
  const fetchFn = options.fetch ?? globalThis.fetch;
  let info: { sha?: unknown; filePaths?: unknown };
  try {
    info = (await hub.modelInfo({
      name: nameOrPath,
      revision,
      hubUrl: endpoint,
      fetch: fetchFn,
      additionalFields: ["sha", "filePaths"],
      ...credentials,
    })) as typeof info;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === undefined) {
      // Network failure: fall back to the cache as huggingface_hub does.
      const cached = cachedSnapshot(storage, revision);
      if (cached !== null && hasRequired(cached, required)) return cached;
    }
    throw hubError(label, endpoint, err, token !== undefined);
  }
  const sha = info.sha;
  if (typeof sha !== "string" || !COMMIT_HASH.test(sha)) {
    throw new Error(`[hub] ${label}: ${endpoint} answered without a commit hash (sha ${JSON.stringify(sha)}); check HF_ENDPOINT points at a Hugging Face hub`);
  }
  const siblings = (Array.isArray(info.filePaths) ? info.filePaths : []).filter((f): f is string => typeof f === "string");
  const patterns = options.files ?? DEFAULT_HUB_FILES;
  const wanted = siblings.filter((f) => patterns.some((p) => globMatch(p, f)));
  const wantsWeights = patterns.some((p) => globMatch(p, "model.safetensors"));
  if (wantsWeights && !siblings.some((f) => f.endsWith(".safetensors")) && siblings.some((f) => PICKLE_WEIGHTS.test(f))) {
    throw new Error(
      `[hub] ${label} has only pickle weights (${siblings.filter((f) => PICKLE_WEIGHTS.test(f)).slice(0, 3).join(", ")}) and no *.safetensors; ` +
        `tunelab never loads pickle files (unpickling can run arbitrary code). Convert with Python: ` +
        `\`AutoModel.from_pretrained("${nameOrPath}").save_pretrained(dir, safe_serialization=True)\` and pass that folder`,
    );
  }

  if (revision !== sha) {
    const refPath = path.join(storage, "refs", revision);
    fs.mkdirSync(path.dirname(refPath), { recursive: true });
    fs.writeFileSync(refPath, sha);
  }
  const snapshot = path.join(storage, "snapshots", sha);
  fs.mkdirSync(snapshot, { recursive: true });
  const showProgress = options.progress ?? process.stderr.isTTY === true;
  for (const file of wanted) {
    try {
      const request = { repo: { type: "model" as const, name: nameOrPath }, revision: sha, hubUrl: endpoint, ...credentials };
      await downloadToCache(hub, request, fetchFn, showProgress ? progressFetch(fetchFn, file) : fetchFn, storage, snapshot, file);
    } catch (err) {
      throw hubError(`${label} (${file})`, endpoint, err, token !== undefined);
    }
  }
  checkRequired(snapshot, required, `${label} (snapshot ${sha})`);
  return snapshot;
}

/** The snapshot folder for `revision` in a cache repo folder, or null when absent. */
export function cachedSnapshot(storage: string, revision: string): string | null {
  let commit = revision;
  if (!COMMIT_HASH.test(revision)) {
    try {
      commit = fs.readFileSync(path.join(storage, "refs", revision), "utf8").trim();
    } catch {
      return null;
    }
  }
  const snapshot = path.join(storage, "snapshots", commit);
  return COMMIT_HASH.test(commit) && fs.existsSync(snapshot) ? snapshot : null;
}

/** `*` matches any run of characters except "/"; patterns without "/" match top-level files only. */
export function globMatch(pattern: string, file: string): boolean {
  const re = new RegExp("^" + pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*") + "$");
  return re.test(file);
}

function findToken(): string | undefined {
  const env = process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN;
  if (env) return env.trim();
  const home = process.env.HF_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "huggingface");
  try {
    const token = fs.readFileSync(process.env.HF_TOKEN_PATH ?? path.join(home, "token"), "utf8").trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

function hasRequired(dir: string, required: string[]): boolean {
  return required.every((f) => fs.existsSync(path.join(dir, f)));
}

function checkRequired(dir: string, required: string[], what: string): void {
  const missing = required.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length === 0) return;
  const present = fs.readdirSync(dir).sort();
  throw new Error(
    `[hub] ${what} has no ${missing.join(", ")} (it has: ${present.slice(0, 15).join(", ") || "nothing"}${present.length > 15 ? ", …" : ""}); ` +
      `pass a folder saved with save_pretrained, or the id of a transformers model on the hub`,
  );
}

function hubError(label: string, endpoint: string, err: unknown, hadToken: boolean): Error {
  const status = (err as { statusCode?: number }).statusCode;
  const detail = err instanceof Error ? err.message.split(". URL:")[0] : String(err);
  if (status === 401 || status === 403) {
    return new Error(`[hub] ${label}: access denied (HTTP ${status}: ${detail}); the repository is private or gated — ${hadToken ? "check that your token has access" : "set HF_TOKEN to a token with access"}`);
  }
  if (status === 404) {
    return new Error(`[hub] ${label}: not found on ${endpoint} (HTTP 404: ${detail}); check the repository id and revision${hadToken ? "" : ", or set HF_TOKEN if it is private"}`);
  }
  if (status !== undefined) return new Error(`[hub] ${label}: ${endpoint} answered HTTP ${status} (${detail}); try again later`);
  if (/access token must start with/.test(detail)) return new Error(`[hub] ${label}: the token does not start with "hf_"; pass a Hugging Face access token (HF_TOKEN)`);
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return new Error(
    `[hub] ${label}: could not download from ${endpoint} (${detail}${cause ? `: ${cause}` : ""}); check the network or HF_ENDPOINT, ` +
      `or set HF_HUB_OFFLINE=1 to use files already in the cache`,
  );
}

type Hub = typeof import("@huggingface/hub");
interface FileRequest {
  repo: { type: "model"; name: string };
  revision: string;
  hubUrl: string;
  accessToken?: string;
}

/**
 * One file of a snapshot into the layout Python shares: its content under blobs/<etag> (the
 * LFS sha256, else the git oid) and snapshots/<commit>/<file> a relative symlink to it (a
 * copy where symlinks fail). @huggingface/hub's downloadFileToCacheDir does the same but
 * prints "Downloading ..." with console.debug, which a library must neither do on stdout nor
 * hide by replacing console.debug for the whole process.
 */
async function downloadToCache(
  hub: Hub, request: FileRequest, fetchInfo: typeof fetch, fetchFile: typeof fetch, storage: string, snapshot: string, file: string,
): Promise<void> {
  if (path.isAbsolute(file) || file.includes("\\") || file.split("/").some((p) => p === "" || p === "." || p === "..")) {
    throw new Error(`the hub listed a file name "${file}" that points outside the repository; refusing to write it`);
  }
  const pointer = path.join(snapshot, file);
  if (fs.existsSync(pointer)) return;
  const [info] = await hub.pathsInfo({ ...request, fetch: fetchInfo, paths: [file], expand: true });
  const etag = info?.lfs?.oid ?? info?.xetHash ?? info?.oid;
  if (typeof etag !== "string" || !/^[0-9a-f]{40,64}$/.test(etag)) throw new Error(`no content hash for ${file} in the hub's answer`);
  const blob = path.join(storage, "blobs", etag);
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  fs.mkdirSync(path.dirname(pointer), { recursive: true });
  if (!fs.existsSync(blob)) {
    const content = await hub.downloadFile({ ...request, fetch: fetchFile, path: file });
    if (!content) throw new Error(`the hub has no file ${file}`);
    const incomplete = `${blob}.incomplete`;
    await pipeline(Readable.fromWeb(content.stream() as unknown as WebReadableStream), fs.createWriteStream(incomplete));
    fs.renameSync(incomplete, blob); // atomic: a blob is whole or absent
  }
  try {
    fs.symlinkSync(path.relative(path.dirname(pointer), blob), pointer);
  } catch {
    fs.copyFileSync(blob, pointer);
  }
}

/** Wraps fetch so that full-file GETs report progress on stderr. */
function progressFetch(inner: typeof fetch, file: string): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const headers = new Headers(init?.headers);
    const total = Number(response.headers.get("content-length") ?? NaN);
    if (headers.has("range") || !response.ok || !response.body || !(total >= PROGRESS_MIN_BYTES)) return response;
    let done = 0;
    let last = 0;
    const start = Date.now();
    const draw = (final: boolean) => {
      const pct = Math.min(100, Math.floor((100 * done) / total));
      const width = 30;
      const filled = Math.round((width * pct) / 100);
      const rate = done / 1e6 / Math.max(0.001, (Date.now() - start) / 1000);
      process.stderr.write(`\r${file} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${pct}% ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB ${rate.toFixed(1)} MB/s${final ? "\n" : ""}`);
    };
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        done += chunk.byteLength;
        const now = Date.now();
        if (now - last > 100) {
          last = now;
          draw(false);
        }
        controller.enqueue(chunk);
      },
      flush() {
        draw(true);
      },
    });
    return new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
