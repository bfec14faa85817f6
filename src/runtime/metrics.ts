/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a dependency:
 * counters, gauges and histograms with labels, registered by name in a Registry that renders
 * `/metrics`. Label sets are keyed by their rendered text, so recording is one Map lookup.
 */

export type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  const escape = (value: string) =>
    value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${pairs.map(([key, value]) => `${key}="${escape(value)}"`).join(',')}}`;
}

export class Counter implements Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }

  render(): string[] {
    return [...this.values].map(([labels, value]) => `${this.name}${labels} ${value}`);
  }
}

export class Gauge implements Metric {
  readonly type = 'gauge';
  private readonly values = new Map<string, number | (() => number)>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(value: number, labels: Labels = {}): void {
    this.values.set(labelText(labels), value);
  }

  /** Reads the value when scraped (e.g. a queue's current depth). */
  collect(read: () => number, labels: Labels = {}): void {
    this.values.set(labelText(labels), read);
  }

  get(labels: Labels = {}): number {
    const value = this.values.get(labelText(labels));
    return typeof value === 'function' ? value() : (value ?? 0);
  }

  render(): string[] {
    return [...this.values].map(
      ([labels, value]) => `${this.name}${labels} ${typeof value === 'function' ? value() : value}`,
    );
  }
}

/** Seconds-oriented default buckets, as Prometheus client libraries use. */
export const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram implements Metric {
  readonly type = 'histogram';
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[] = defaultBuckets,
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
  }

  count(labels: Labels = {}): number {
    return this.series.get(labelText(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines: string[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, i) =>
        lines.push(`${this.name}_bucket${labelText(labels, ['le', String(bound)])} ${counts[i]}`),
      );
      lines.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(name, () => new Counter(name, help), 'counter');
  }

  gauge(name: string, help: string): Gauge {
    return this.register(name, () => new Gauge(name, help), 'gauge');
  }

  histogram(name: string, help: string, buckets?: number[]): Histogram {
    return this.register(name, () => new Histogram(name, help, buckets), 'histogram');
  }

  /** The whole registry in Prometheus' text format. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
      lines.push(...metric.render());
    }
    return lines.join('\n') + '\n';
  }

  // Asking twice for the same name returns the same metric, so controllers can share one.
  private register<M extends Metric>(name: string, create: () => M, type: Metric['type']): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} is already a ${existing.type}`);
      return existing as M;
    }
    const metric = create();
    this.metrics.set(name, metric);
    return metric;
  }
}
