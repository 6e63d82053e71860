/**
 * The MPI world of this process: loaded on first use, and only when the launcher's
 * environment says the process is one of several (world.ts). The addon (native/mpi.cpp)
 * dlopens the system's Open MPI, runs every MPI call on its own thread and hands back job ids;
 * waiting here is bounded by a timeout, so a rank that died or hangs ends the job with a
 * message instead of a silent hang.
 *
 * MPI errors are fatal (MPI's default): after a failed or timed-out collective the world is
 * "broken", every later call throws, and the process exits without MPI_Finalize (which would
 * wait for the missing peer forever); the launcher then stops the other ranks, and each of
 * them prints why (the SIGTERM message installed at init).
 */
import { createRequire } from "node:module";
import { findAddon } from "../tensor/native.js";
import { launchedWorld, type LaunchedWorld } from "./world.js";

interface MpiAddon {
  load(names: string[]): string;
  version(): string;
  init(): { rank: number; size: number; threadLevel: number };
  allreduceSum(send: Float32Array | Float64Array, recv: Float32Array | Float64Array, isF64: boolean): number;
  broadcastBytes(buf: Uint8Array, root: number): number;
  barrier(): number;
  wait(id: number, timeoutMs: number): boolean;
  finalize(timeoutMs: number): boolean;
  onTerminate(message: string): void;
  exitNow(code: number): never;
}

export const MPI_INSTALL_HINT =
  "install Open MPI (Debian/Ubuntu: `apt-get install openmpi-bin libopenmpi-dev`; Fedora: `dnf install openmpi`; " +
  "on a cluster: `module load openmpi`), or point TUNELAB_MPI_LIBRARY at its libmpi.so";

/** Thrown when a collective fails or times out; the world cannot be used afterwards. */
export class DistributedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DistributedError";
  }
}

export interface MpiWorld {
  size: number;
  rank: number;
  library: string;
  version: string;
  launcher: LaunchedWorld["launcher"];
}

let addon: MpiAddon | null = null;
let world: MpiWorld | null = null;
let broken: string | null = null;
let timeoutSeconds = 1800;

/** How long one collective may wait for the other ranks (HF's ddp_timeout; default 1800 s). */
export function setCollectiveTimeout(seconds: number): void {
  if (!(seconds > 0)) throw new RangeError(`[distributed] the collective timeout must be a positive number of seconds, got ${seconds}`);
  timeoutSeconds = seconds;
}

function libraryCandidates(): string[] {
  const own = process.env.TUNELAB_MPI_LIBRARY;
  if (own) return [own];
  // Debian/Ubuntu and most distributions, Fedora/RHEL's module folder, Homebrew on macOS.
  return ["libmpi.so.40", "libmpi.so", "/usr/lib64/openmpi/lib/libmpi.so.40", "libmpi.40.dylib", "/opt/homebrew/lib/libmpi.40.dylib", "/usr/local/lib/libmpi.40.dylib"];
}

/**
 * The world when launched under MPI (initialising MPI on the first call), or null for a
 * single process, which never loads the MPI library.
 */
export function mpiWorld(): MpiWorld | null {
  if (world) return world;
  const launched = launchedWorld();
  if (!launched || launched.size < 2) return null;
  const envTimeout = process.env.TUNELAB_DDP_TIMEOUT;
  if (envTimeout !== undefined) {
    if (!(Number(envTimeout) > 0)) throw new Error(`[distributed] TUNELAB_DDP_TIMEOUT="${envTimeout}" is not a positive number of seconds`);
    timeoutSeconds = Number(envTimeout);
  }
  const require = createRequire(import.meta.url);
  const mod = require(findAddon("tunelab_mpi")) as MpiAddon;
  let library: string;
  try {
    library = mod.load(libraryCandidates());
  } catch (err) {
    const msg = (err as Error).message;
    if (msg.startsWith("NOT_OPENMPI")) {
      throw new Error(`[distributed] ${msg.slice(12)}: tunelab loads Open MPI's ABI (its handles are the ompi_mpi_* objects); ${MPI_INSTALL_HINT}`);
    }
    throw new Error(
      `[distributed] launched as rank ${launched.rank} of ${launched.size} (${launched.launcher}) but no MPI library could be loaded:${msg.replace(/^NOT_FOUND/, "")}\n${MPI_INSTALL_HINT}`,
    );
  }
  const version = mod.version().trim();
  const { rank, size } = mod.init();
  addon = mod;
  world = { size, rank, library, version, launcher: launched.launcher };
  mod.onTerminate(
    `[distributed] rank ${rank} of ${size}: stopped by the launcher (SIGTERM). Another rank failed or the job was cancelled; ` +
      "its own message above says why.\n",
  );
  // Node prints an uncaught error only after the "exit" event, which ends this process first.
  let fatal: unknown = null;
  process.on("uncaughtExceptionMonitor", (err) => {
    fatal = err;
  });
  process.on("exit", (code) => {
    if (broken || code !== 0) {
      if (fatal) process.stderr.write(`[distributed] rank ${rank} of ${size}: ${fatal instanceof Error ? fatal.stack ?? fatal.message : String(fatal)}\n`);
      mod.exitNow(code || 1);
    }
    if (!mod.finalize(timeoutSeconds * 1000)) {
      process.stderr.write(`[distributed] rank ${rank}: MPI_Finalize did not complete within ${timeoutSeconds} s (another rank hangs or died); exiting\n`);
      mod.exitNow(1);
    }
  });
  return world;
}

/** The addon of an initialised world; throws when the world is broken. */
function live(): MpiAddon {
  if (broken) throw new DistributedError(`[distributed] the MPI world is unusable after an earlier failure: ${broken}`);
  if (!addon) throw new Error("[distributed] not running under MPI (no launcher world); use worldSize() > 1 before collectives");
  return addon;
}

/** A collective in flight; wait() blocks the JS thread until it completes or times out. */
export class PendingCollective {
  private done = false;
  constructor(private readonly id: number, readonly what: string) {}

  wait(): void {
    if (this.done) return;
    const mod = live();
    if (!mod.wait(this.id, timeoutSeconds * 1000)) {
      broken = `${this.what} timed out`;
      throw new DistributedError(
        `[distributed] rank ${world!.rank} of ${world!.size}: ${this.what} did not complete within ${timeoutSeconds} s — ` +
          "another rank died, hangs, or is not running the same steps (different data length or config?). " +
          "If a step can legitimately take longer, raise ddp_timeout (training arguments) or TUNELAB_DDP_TIMEOUT (your own collectives); resume from the last checkpoint.",
      );
    }
    this.done = true;
  }
}

/** recv = sum over ranks of send (same length, not overlapping), started now. */
export function startAllReduceSum(send: Float32Array | Float64Array, recv: Float32Array | Float64Array, what: string): PendingCollective {
  return new PendingCollective(live().allreduceSum(send, recv, send instanceof Float64Array), what);
}

/** buf on every rank becomes buf on root, started now. */
export function startBroadcastBytes(buf: Uint8Array, root: number, what: string): PendingCollective {
  return new PendingCollective(live().broadcastBytes(buf, root), what);
}

export function startBarrier(what: string): PendingCollective {
  return new PendingCollective(live().barrier(), what);
}
