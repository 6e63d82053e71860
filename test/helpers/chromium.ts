// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
// JSON messages ending in NUL on fds 3 and 4), so no port, no WebSocket client and no
// browser download: Debian's chromium package. Offline: background networking, component
// updates and sync are off, the profile is a fresh temporary folder.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable, Writable } from "node:stream";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

export interface PageVisit {
  /** Console errors, uncaught exceptions and error log entries. */
  errors: string[];
  /** Every URL the page requested besides itself (an offline page requests none). */
  requests: string[];
  /** What `evaluate` returned (by value). */
  value: unknown;
  /** The whole page as PNG. */
  screenshot: Buffer;
}

export class Chromium {
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private listeners: ((m: Message) => void)[] = [];
  private buffer = "";

  private constructor(private readonly proc: ChildProcess, private readonly profile: string) {
    const out = proc.stdio[4] as Readable;
    out.setEncoding("utf8");
    out.on("data", (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf("\0")) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        if (msg.id !== undefined && this.pending.has(msg.id)) {
          const p = this.pending.get(msg.id)!;
          this.pending.delete(msg.id);
          if (msg.error) p.reject(new Error(`[chromium] ${msg.error.message}`));
          else p.resolve(msg);
        } else for (const l of this.listeners) l(msg);
      }
    });
  }

  static launch(): Chromium {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-chromium-"));
    const proc = spawn(CHROMIUM, [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
      `--user-data-dir=${profile}`, "--remote-debugging-pipe", "about:blank",
    ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    proc.stdio[2]!.resume();
    return new Chromium(proc, profile);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Message> {
    const id = this.nextId++;
    const msg = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`[chromium] ${method} got no answer in 90 s`)), 90_000);
      this.pending.set(id, { resolve: (m) => { clearTimeout(timer); resolve(m); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      (this.proc.stdio[3] as Writable).write(msg + "\0");
    });
  }

  /** Opens a file in a new tab, waits for load, runs `expression`, takes a full-page screenshot. */
  async visit(file: string, expression: string): Promise<PageVisit> {
    const { result } = await this.send("Target.createTarget", { url: "about:blank" });
    const targetId = result!.targetId as string;
    const attached = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const sessionId = attached.result!.sessionId as string;
    const errors: string[] = [];
    const requests: string[] = [];
    const url = `file://${path.resolve(file)}`;
    let loaded: () => void = () => {};
    const load = new Promise<void>((r) => (loaded = r));
    const listener = (m: Message) => {
      if (m.sessionId !== sessionId) return;
      const p = m.params ?? {};
      if (m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) errors.push(`console.${p.type}: ${JSON.stringify(p.args)}`);
      if (m.method === "Runtime.exceptionThrown") errors.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
      if (m.method === "Log.entryAdded" && (p.entry as { level?: string }).level === "error") errors.push(`log: ${(p.entry as { text?: string }).text}`);
      if (m.method === "Network.requestWillBeSent") {
        const u = (p.request as { url: string }).url;
        if (u !== url) requests.push(u);
      }
      if (m.method === "Page.loadEventFired") loaded();
    };
    this.listeners.push(listener);
    for (const domain of ["Page", "Runtime", "Log", "Network"]) await this.send(`${domain}.enable`, {}, sessionId);
    await this.send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    await this.send("Page.navigate", { url }, sessionId);
    await Promise.race([load, new Promise((_, reject) => setTimeout(() => reject(new Error(`[chromium] ${url} did not finish loading in 90 s`)), 90_000))]);
    const evaluated = await this.send("Runtime.evaluate", { expression, returnByValue: true }, sessionId);
    const shot = await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, sessionId);
    this.listeners = this.listeners.filter((l) => l !== listener);
    await this.send("Target.closeTarget", { targetId });
    return { errors, requests, value: (evaluated.result!.result as { value: unknown }).value, screenshot: Buffer.from(shot.result!.data as string, "base64") };
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send("Browser.close"), new Promise((r) => setTimeout(r, 3000))]);
    } catch {
      // Already gone.
    }
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGKILL");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    // Its helper processes may still be writing the profile for a moment: retry, and a temp
    // folder that will not go is left behind rather than failing the test that used it.
    try {
      fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // left for the OS's temp cleanup
    }
  }
}

/**
 * A page expression reporting every chart: its key, its SVG's size on the page, and how many
 * data marks (bars, cells, points, lines: paths of role-mark groups, not axes, legends or
 * titles) were drawn with an area on screen.
 */
export const CHART_PROBE = `(() => [...document.querySelectorAll("figure.chart")].map((f) => {
  const svg = f.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const marks = svg ? [...svg.querySelectorAll("g.role-mark path")].filter((e) => {
    const b = e.getBoundingClientRect();
    return b.width > 0 && b.height > 0;
  }).length : 0;
  return { key: f.dataset.chart, width: box.width, height: box.height, marks };
}))()`;
