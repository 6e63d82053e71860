// Checkpoint folders as transformers writes them: one `model.safetensors`, or shards
// `model-00001-of-0000N.safetensors` listed by `model.safetensors.index.json`. Pickle-based
// weights (.bin/.pt/.ckpt) are refused with a conversion recipe, never unpickled.
import * as fs from "node:fs";
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "./json.js";
import { forEachSafetensor, readSafetensors, readSafetensorsHeader, writeSafetensors, type RawTensor } from "./safetensors.js";

export interface SafetensorsIndex {
  /** Path of the index file. */
  path: string;
  metadata: Record<string, unknown>;
  /** Tensor name → shard file name (a bare file name in the same folder). */
  weight_map: Record<string, string>;
  /** The distinct shard file names, sorted. */
  files: string[];
}

export const SAFE_WEIGHTS_NAME = "model.safetensors";
const PICKLE_PATTERN = /(\.bin|\.pt|\.pth|\.ckpt|\.pkl|\.pickle|\.bin\.index\.json)$/i;
const SHARD_PATTERN = /^(.+)-(\d{5})-of-(\d{5})\.safetensors$/;

function indexNameFor(weightsName: string): string {
  return weightsName.replace(/\.safetensors$/, ".safetensors.index.json");
}

/** Reads and checks `model.safetensors.index.json` (pass the folder or the index file itself). */
export function readSafetensorsIndex(dirOrFile: string, weightsName = SAFE_WEIGHTS_NAME): SafetensorsIndex {
  const file = isDirectory(dirOrFile) ? path.join(dirOrFile, indexNameFor(weightsName)) : dirOrFile;
  const json = readJsonFile<unknown>(file, { where: "safetensors", maxBytes: 256 * 1024 * 1024 });
  const fail = (problem: string): never => {
    throw new Error(`[safetensors] ${file}: ${problem}; the index is corrupt — re-download it or re-save the model`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("index is not a JSON object");
  const { metadata = {}, weight_map } = json as Record<string, unknown>;
  if (typeof weight_map !== "object" || weight_map === null || Array.isArray(weight_map)) return fail(`"weight_map" is ${JSON.stringify(weight_map)?.slice(0, 60)}, not an object`);
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return fail(`"metadata" is not an object`);
  const files = new Set<string>();
  for (const [key, value] of Object.entries(weight_map as Record<string, unknown>)) {
    if (typeof value !== "string") fail(`weight_map["${key}"] is ${JSON.stringify(value)?.slice(0, 60)}, not a file name`);
    const shard = value as string;
    // A shard name comes from a downloaded file: it must not point outside the folder.
    if (shard !== path.basename(shard) || shard.includes("\\") || shard === "." || shard === ".." || shard.includes("\0") || !shard.endsWith(".safetensors")) {
      fail(`weight_map["${key}"] is "${shard}"; shard names must be plain *.safetensors file names in the same folder`);
    }
    files.add(shard);
  }
  return { path: file, metadata: metadata as Record<string, unknown>, weight_map: weight_map as Record<string, string>, files: [...files].sort() };
}

/** Names of pickle-format weight files in `dir` (which tunelab refuses to load). */
export function findPickleWeights(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => PICKLE_PATTERN.test(f) && !f.endsWith(".safetensors")).sort();
  } catch {
    return [];
  }
}

/** The error to throw when only pickle weights exist. */
export function pickleRefusal(dir: string, found: string[], expected = SAFE_WEIGHTS_NAME): Error {
  return new Error(
    `[safetensors] ${dir}: found ${found.slice(0, 4).join(", ")}${found.length > 4 ? ", …" : ""} but no ${expected}. ` +
      `tunelab never loads pickle files (.bin/.pt/.pth/.ckpt): unpickling can run arbitrary code. ` +
      `Convert once with Python: \`model = AutoModel.from_pretrained(dir); model.save_pretrained(dir, safe_serialization=True)\` ` +
      `(for a PEFT adapter the same save_pretrained call on the PeftModel), or for a plain state dict ` +
      `\`safetensors.torch.save_file(torch.load(path, weights_only=True), "${expected}")\``,
  );
}

/**
 * The safetensors files of a checkpoint folder, without reading them: the single file, or
 * the shards its index lists (each checked to exist). For loaders that stream tensor by tensor.
 */
export function checkpointFiles(dir: string, options: { weightsName?: string } = {}): string[] {
  const weightsName = options.weightsName ?? SAFE_WEIGHTS_NAME;
  if (!isDirectory(dir)) throw new Error(`[safetensors] ${dir}: not a folder; pass the folder that holds ${weightsName} (or its shards and index)`);
  const single = path.join(dir, weightsName);
  if (fs.existsSync(single)) return [single];
  const indexFile = path.join(dir, indexNameFor(weightsName));
  if (!fs.existsSync(indexFile)) {
    const pickles = findPickleWeights(dir);
    if (pickles.length > 0) throw pickleRefusal(dir, pickles, weightsName);
    const present = safeList(dir);
    throw new Error(
      `[safetensors] ${dir}: no ${weightsName} or ${indexNameFor(weightsName)} (folder has: ${present.slice(0, 12).join(", ") || "nothing"}${present.length > 12 ? ", …" : ""}); ` +
        `pass a folder saved with save_pretrained(..., safe_serialization=True)`,
    );
  }
  return readSafetensorsIndex(indexFile).files.map((shard) => {
    const p = path.join(dir, shard);
    if (!fs.existsSync(p)) throw new Error(`[safetensors] ${indexFile}: lists shard ${shard}, which is missing from ${dir}; the download is incomplete — download the checkpoint again`);
    return p;
  });
}

/**
 * All tensors of a checkpoint folder: `<weightsName>` or its shards via the index.
 * Every indexed tensor must be present in its shard, and no tensor may appear in two shards.
 */
export function loadCheckpointTensors(dir: string, options: { weightsName?: string } = {}): Map<string, RawTensor> {
  const weightsName = options.weightsName ?? SAFE_WEIGHTS_NAME;
  const files = checkpointFiles(dir, options);
  if (files.length === 1 && files[0] === path.join(dir, weightsName)) return readSafetensors(files[0]).tensors;
  const tensors = new Map<string, RawTensor>();
  const shards = files.map((f) => {
    const read = readSafetensors(f).tensors;
    for (const [name, t] of read) tensors.set(name, t);
    return [path.basename(f), [...read.keys()]] as [string, string[]];
  });
  checkShards(dir, weightsName, shards);
  return tensors;
}

/**
 * Calls fn(name, raw) for every tensor of a checkpoint folder (its single file or its shards),
 * one tensor in memory at a time: raw.data is valid only until fn returns (see
 * forEachSafetensor). The shards' headers are checked against the index before any data is
 * read. A loader built on it holds the model plus the largest tensor, never the checkpoint.
 */
export function forEachCheckpointTensor(dir: string, fn: (name: string, raw: RawTensor) => void, options: { weightsName?: string } = {}): void {
  const weightsName = options.weightsName ?? SAFE_WEIGHTS_NAME;
  const files = checkpointFiles(dir, options);
  if (!(files.length === 1 && files[0] === path.join(dir, weightsName))) {
    checkShards(dir, weightsName, files.map((f) => [path.basename(f), [...readSafetensorsHeader(f).tensors.keys()]]));
  }
  for (const f of files) forEachSafetensor(f, fn);
}

/** No tensor in two shards, and every tensor of the index in the shard the index names. */
function checkShards(dir: string, weightsName: string, shards: [string, string[]][]): void {
  const indexFile = path.join(dir, indexNameFor(weightsName));
  const index = readSafetensorsIndex(indexFile);
  const origin = new Map<string, string>();
  for (const [shard, names] of shards) {
    for (const name of names) {
      const previous = origin.get(name);
      if (previous !== undefined) throw new Error(`[safetensors] ${dir}: tensor "${name}" is in both ${previous} and ${shard}; the checkpoint is corrupt — re-save it`);
      origin.set(name, shard);
    }
  }
  for (const [name, shard] of Object.entries(index.weight_map)) {
    if (origin.get(name) !== shard) {
      throw new Error(
        `[safetensors] ${indexFile}: tensor "${name}" is mapped to ${shard} but ${origin.has(name) ? `found in ${origin.get(name)}` : "is in no shard"}; the checkpoint is corrupt — re-download it`,
      );
    }
  }
}

/** Parses "5GB" (10^9), "500MiB" (2^20), or a plain byte count, as transformers' max_shard_size does. */
export function parseByteSize(size: number | string): number {
  if (typeof size === "number") {
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`[safetensors] max shard size ${size} is not a positive integer; pass bytes or a string like "5GB"`);
    return size;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?\s*$/i.exec(size);
  if (!m) throw new Error(`[safetensors] max shard size "${size}" is not understood; use bytes or a string like "5GB" or "500MiB"`);
  const unit = (m[2] ?? "B").toUpperCase();
  const scale: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };
  return Math.floor(Number(m[1]) * scale[unit]);
}

/**
 * Writes `tensors` (in their given order) to `dir` as transformers' save_pretrained does:
 * one `model.safetensors` if everything fits in `maxShardBytes`, else shards
 * `model-0000i-of-0000N.safetensors` plus `model.safetensors.index.json`. A tensor larger than
 * the limit gets a shard of its own. Stale shards of an earlier save are removed.
 */
export function writeShardedSafetensors(
  dir: string,
  tensors: Record<string, RawTensor> | Map<string, RawTensor>,
  maxShardBytes: number | string = "5GB",
  options: { metadata?: Record<string, string>; weightsName?: string } = {},
): { files: string[]; index: string | null } {
  const limit = parseByteSize(maxShardBytes);
  const weightsName = options.weightsName ?? SAFE_WEIGHTS_NAME;
  const metadata = options.metadata ?? { format: "pt" };
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  const shards: [string, RawTensor][][] = [];
  let current: [string, RawTensor][] = [];
  let currentBytes = 0;
  let totalSize = 0;
  for (const entry of entries) {
    const bytes = entry[1].data.byteLength;
    if (current.length > 0 && currentBytes + bytes > limit) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += bytes;
    totalSize += bytes;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  fs.mkdirSync(dir, { recursive: true });

  const stem = weightsName.replace(/\.safetensors$/, "");
  const n = shards.length;
  const names = n === 1 ? [weightsName] : shards.map((_, i) => `${stem}-${pad5(i + 1)}-of-${pad5(n)}.safetensors`);
  shards.forEach((shard, i) => writeSafetensors(path.join(dir, names[i]), new Map(shard), metadata));

  const keep = new Set(names);
  for (const f of safeList(dir)) {
    const m = SHARD_PATTERN.exec(f);
    const stale = (m !== null && m[1] === stem && !keep.has(f)) || (n > 1 && f === weightsName);
    if (stale) fs.rmSync(path.join(dir, f), { force: true });
  }
  const indexPath = path.join(dir, indexNameFor(weightsName));
  if (n === 1) {
    fs.rmSync(indexPath, { force: true });
    return { files: names, index: null };
  }
  const weightMap: Record<string, string> = {};
  const sortedKeys = entries.map(([k]) => k).sort();
  const fileOf = new Map<string, string>();
  shards.forEach((shard, i) => shard.forEach(([k]) => fileOf.set(k, names[i])));
  for (const k of sortedKeys) weightMap[k] = fileOf.get(k)!;
  writeJsonAtomic(indexPath, { metadata: { total_size: totalSize }, weight_map: weightMap });
  return { files: names, index: indexPath };
}

function pad5(i: number): string {
  return String(i).padStart(5, "0");
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
