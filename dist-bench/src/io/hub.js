// Resolving `fromPretrained(nameOrPath)`: a local folder as is, or a Hugging Face hub repository
// downloaded through @huggingface/hub into the standard cache layout shared with Python
// (<cache>/models--org--name/{blobs,snapshots/<commit>,refs/<revision>}), so a model fetched by
// either side is reused by the other. Honours HF_HUB_OFFLINE, HF_TOKEN, HF_ENDPOINT, HF_HUB_CACHE/HF_HOME.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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
export async function resolvePretrained(nameOrPath, options = {}) {
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
    let info;
    try {
        info = (await hub.modelInfo({
            name: nameOrPath,
            revision,
            hubUrl: endpoint,
            fetch: fetchFn,
            additionalFields: ["sha", "filePaths"],
            ...credentials,
        }));
    }
    catch (err) {
        const status = err.statusCode;
        if (status === undefined) {
            // Network failure: fall back to the cache as huggingface_hub does.
            const cached = cachedSnapshot(storage, revision);
            if (cached !== null && hasRequired(cached, required))
                return cached;
        }
        throw hubError(label, endpoint, err, token !== undefined);
    }
    const sha = info.sha;
    if (typeof sha !== "string" || !COMMIT_HASH.test(sha)) {
        throw new Error(`[hub] ${label}: ${endpoint} answered without a commit hash (sha ${JSON.stringify(sha)}); check HF_ENDPOINT points at a Hugging Face hub`);
    }
    const siblings = (Array.isArray(info.filePaths) ? info.filePaths : []).filter((f) => typeof f === "string");
    const patterns = options.files ?? DEFAULT_HUB_FILES;
    const wanted = siblings.filter((f) => patterns.some((p) => globMatch(p, f)));
    const wantsWeights = patterns.some((p) => globMatch(p, "model.safetensors"));
    if (wantsWeights && !siblings.some((f) => f.endsWith(".safetensors")) && siblings.some((f) => PICKLE_WEIGHTS.test(f))) {
        throw new Error(`[hub] ${label} has only pickle weights (${siblings.filter((f) => PICKLE_WEIGHTS.test(f)).slice(0, 3).join(", ")}) and no *.safetensors; ` +
            `tunelab never loads pickle files (unpickling can run arbitrary code). Convert with Python: ` +
            `\`AutoModel.from_pretrained("${nameOrPath}").save_pretrained(dir, safe_serialization=True)\` and pass that folder`);
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
            await withQuietDownloadLog(() => hub.downloadFileToCacheDir({
                repo: { type: "model", name: nameOrPath },
                path: file,
                revision: sha,
                cacheDir,
                hubUrl: endpoint,
                fetch: showProgress ? progressFetch(fetchFn, file) : fetchFn,
                ...credentials,
            }));
        }
        catch (err) {
            throw hubError(`${label} (${file})`, endpoint, err, token !== undefined);
        }
    }
    checkRequired(snapshot, required, `${label} (snapshot ${sha})`);
    return snapshot;
}
/** The snapshot folder for `revision` in a cache repo folder, or null when absent. */
export function cachedSnapshot(storage, revision) {
    let commit = revision;
    if (!COMMIT_HASH.test(revision)) {
        try {
            commit = fs.readFileSync(path.join(storage, "refs", revision), "utf8").trim();
        }
        catch {
            return null;
        }
    }
    const snapshot = path.join(storage, "snapshots", commit);
    return COMMIT_HASH.test(commit) && fs.existsSync(snapshot) ? snapshot : null;
}
/** `*` matches any run of characters except "/"; patterns without "/" match top-level files only. */
export function globMatch(pattern, file) {
    const re = new RegExp("^" + pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*") + "$");
    return re.test(file);
}
function findToken() {
    const env = process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN;
    if (env)
        return env.trim();
    const home = process.env.HF_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "huggingface");
    try {
        const token = fs.readFileSync(process.env.HF_TOKEN_PATH ?? path.join(home, "token"), "utf8").trim();
        return token || undefined;
    }
    catch {
        return undefined;
    }
}
function isTruthy(value) {
    return value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}
function hasRequired(dir, required) {
    return required.every((f) => fs.existsSync(path.join(dir, f)));
}
function checkRequired(dir, required, what) {
    const missing = required.filter((f) => !fs.existsSync(path.join(dir, f)));
    if (missing.length === 0)
        return;
    const present = fs.readdirSync(dir).sort();
    throw new Error(`[hub] ${what} has no ${missing.join(", ")} (it has: ${present.slice(0, 15).join(", ") || "nothing"}${present.length > 15 ? ", …" : ""}); ` +
        `pass a folder saved with save_pretrained, or the id of a transformers model on the hub`);
}
function hubError(label, endpoint, err, hadToken) {
    const status = err.statusCode;
    const detail = err instanceof Error ? err.message.split(". URL:")[0] : String(err);
    if (status === 401 || status === 403) {
        return new Error(`[hub] ${label}: access denied (HTTP ${status}: ${detail}); the repository is private or gated — ${hadToken ? "check that your token has access" : "set HF_TOKEN to a token with access"}`);
    }
    if (status === 404) {
        return new Error(`[hub] ${label}: not found on ${endpoint} (HTTP 404: ${detail}); check the repository id and revision${hadToken ? "" : ", or set HF_TOKEN if it is private"}`);
    }
    if (status !== undefined)
        return new Error(`[hub] ${label}: ${endpoint} answered HTTP ${status} (${detail}); try again later`);
    if (/access token must start with/.test(detail))
        return new Error(`[hub] ${label}: the token does not start with "hf_"; pass a Hugging Face access token (HF_TOKEN)`);
    const cause = err.cause?.code;
    return new Error(`[hub] ${label}: could not download from ${endpoint} (${detail}${cause ? `: ${cause}` : ""}); check the network or HF_ENDPOINT, ` +
        `or set HF_HUB_OFFLINE=1 to use files already in the cache`);
}
/** @huggingface/hub logs "Downloading <file> to <path>" with console.debug (stdout); keep stdout clean. */
async function withQuietDownloadLog(fn) {
    const original = console.debug;
    console.debug = (...args) => {
        if (typeof args[0] === "string" && args[0].startsWith("Downloading "))
            return;
        original(...args);
    };
    try {
        return await fn();
    }
    finally {
        console.debug = original;
    }
}
/** Wraps fetch so that full-file GETs report progress on stderr. */
function progressFetch(inner, file) {
    return async (input, init) => {
        const response = await inner(input, init);
        const headers = new Headers(init?.headers);
        const total = Number(response.headers.get("content-length") ?? NaN);
        if (headers.has("range") || !response.ok || !response.body || !(total >= PROGRESS_MIN_BYTES))
            return response;
        let done = 0;
        let last = 0;
        const start = Date.now();
        const draw = (final) => {
            const pct = Math.min(100, Math.floor((100 * done) / total));
            const width = 30;
            const filled = Math.round((width * pct) / 100);
            const rate = done / 1e6 / Math.max(0.001, (Date.now() - start) / 1000);
            process.stderr.write(`\r${file} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${pct}% ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB ${rate.toFixed(1)} MB/s${final ? "\n" : ""}`);
        };
        const counter = new TransformStream({
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
//# sourceMappingURL=hub.js.map