/**
 * Prometheus metrics in the text exposition format (version 0.0.4): request counts by
 * endpoint and status, a latency histogram, token counters, and gauges read at scrape time.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

type Labels = Record<string, string>;

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());
const render = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const e = this.values.get(k) ?? { labels, value: 0 };
    e.value += by;
    this.values.set(k, e);
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${render(labels)} ${value}`);
    return lines.join("\n");
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    const s = this.series.get(k) ?? { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((b, i) => value <= b && s.counts[i]++);
    s.sum += value;
    s.count++;
    this.series.set(k, s);
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      BUCKETS.forEach((b, i) => lines.push(`${this.name}_bucket${render({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${render({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${render(s.labels)} ${s.sum}`, `${this.name}_count${render(s.labels)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

export class ServerMetrics {
  readonly requests = new Counter("tunelab_requests_total", "HTTP requests by endpoint and status code.");
  readonly latency = new Histogram("tunelab_request_duration_seconds", "Time from request to the last byte of the response, by endpoint.");
  readonly promptTokens = new Counter("tunelab_prompt_tokens_total", "Prompt (input) tokens processed.");
  readonly completionTokens = new Counter("tunelab_completion_tokens_total", "Tokens generated.");
  readonly rejected = new Counter("tunelab_rejected_requests_total", "Requests refused before running, by reason.");

  constructor(private readonly gauges: () => Record<string, [string, number]>) {}

  text(): string {
    const parts = [this.requests, this.latency, this.promptTokens, this.completionTokens, this.rejected].map((m) => m.text());
    for (const [name, [help, value]] of Object.entries(this.gauges())) parts.push(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`);
    return parts.join("\n") + "\n";
  }
}
