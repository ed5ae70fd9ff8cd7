/**
 * A small Prometheus registry in the text exposition format (0.0.4), enough for the counters,
 * gauges and histograms Postal's health servers expose.
 */
type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  buckets?: number[];
  series: Map<string, { labels: Labels; value: number; counts?: number[]; sum?: number }>;
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): void {
    this.register({ name, help, type: 'counter', series: new Map() });
  }

  gauge(name: string, help: string): void {
    this.register({ name, help, type: 'gauge', series: new Map() });
  }

  histogram(name: string, help: string, buckets = DEFAULT_BUCKETS): void {
    this.register({ name, help, type: 'histogram', buckets, series: new Map() });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const s = this.series(name, labels);
    s.value += by;
  }

  set(name: string, value: number, labels: Labels = {}): void {
    this.series(name, labels).value = value;
  }

  observe(name: string, value: number, labels: Labels = {}): void {
    const family = this.family(name);
    const s = this.series(name, labels);
    const buckets = family.buckets ?? DEFAULT_BUCKETS;
    s.counts ??= buckets.map(() => 0);
    buckets.forEach((bound, i) => {
      if (value <= bound) s.counts![i]! += 1;
    });
    s.sum = (s.sum ?? 0) + value;
    s.value += 1; // count
  }

  /** The current value of a counter or gauge series (a histogram's count), for tests and fault checks. */
  value(name: string, labels: Labels = {}): number {
    return this.family(name).series.get(key(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
      for (const s of family.series.values()) {
        if (family.type !== 'histogram') {
          lines.push(`${family.name}${format(s.labels)} ${s.value}`);
          continue;
        }
        const buckets = family.buckets ?? DEFAULT_BUCKETS;
        buckets.forEach((bound, i) =>
          lines.push(`${family.name}_bucket${format({ ...s.labels, le: String(bound) })} ${s.counts?.[i] ?? 0}`),
        );
        lines.push(`${family.name}_bucket${format({ ...s.labels, le: '+Inf' })} ${s.value}`);
        lines.push(`${family.name}_sum${format(s.labels)} ${s.sum ?? 0}`, `${family.name}_count${format(s.labels)} ${s.value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private register(family: Family): void {
    if (!this.families.has(family.name)) this.families.set(family.name, family);
  }

  private family(name: string): Family {
    const family = this.families.get(name);
    if (!family) throw new Error(`metric ${name} is not registered`);
    return family;
  }

  private series(name: string, labels: Labels): { labels: Labels; value: number; counts?: number[]; sum?: number } {
    const family = this.family(name);
    const k = key(labels);
    let s = family.series.get(k);
    if (!s) {
      s = { labels, value: 0 };
      family.series.set(k, s);
    }
    return s;
  }
}

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function format(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

/** The SMTP server's metric families (names as Postal 3.3's `SMTPServer`). */
export function smtpMetrics(): MetricsRegistry {
  const m = new MetricsRegistry();
  m.counter('postal_smtp_server_connections_total', 'The number of connections made to the Postal SMTP server.');
  m.gauge('postal_smtp_server_connections_active', 'The number of active connections to the Postal SMTP server.');
  m.counter('postal_smtp_server_tls_connections', 'The number of successfully established TLS connections.');
  m.counter('postal_smtp_server_commands_total', 'The number of commands issued to the SMTP server.');
  m.counter('postal_smtp_server_client_errors', 'The number of errors the SMTP server has returned to clients.');
  m.counter('postal_smtp_server_messages_total', 'The number of messages accepted by the SMTP server.');
  m.counter('postal_smtp_server_exceptions_total', 'The number of exceptions raised in the SMTP server.');
  return m;
}

/** The worker's metric families (names as Postal 3.3's `Worker::Process`). */
export function workerMetrics(): MetricsRegistry {
  const m = new MetricsRegistry();
  m.counter('postal_worker_job_executions', 'The number of jobs worked by a worker where at least one item was processed.');
  m.histogram('postal_worker_job_runtime', 'The time taken to process jobs (in seconds).');
  m.counter('postal_worker_errors', 'The number of errors encountered while processing jobs.');
  m.counter('postal_message_queue_processed', 'The number of messages processed from the queue.');
  m.histogram(
    'postal_message_queue_latency',
    'The length of time between a message being queued and being dequeued (in seconds).',
    [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  );
  return m;
}
