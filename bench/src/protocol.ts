// What the orchestrator and a server child tell each other.

export const FRAMEWORKS = ['express', 'fastify'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export const VARIANTS = ['bare', 'ours', 'ours-metrics', 'ours-unsampled', 'official', 'otel', 'ours-otlp', 'otel-otlp'] as const;
export type VariantId = (typeof VARIANTS)[number];

/** Variants that export OTLP/HTTP to the counting OTLP sink (the others send UDP, or nothing). */
export const OTLP_VARIANTS: ReadonlySet<VariantId> = new Set<VariantId>(['ours-otlp', 'otel-otlp']);

/** Variants a quick run measures with one framework only (the last), unless --variants names them. */
export const ONCE_IN_QUICK: ReadonlySet<VariantId> = new Set<VariantId>([...OTLP_VARIANTS, 'ours-metrics']);

export const ROUTES = ['hello', 'realistic'] as const;
export type RouteId = (typeof ROUTES)[number];

/** Human-readable variant names for the report. */
export const VARIANT_LABELS: Record<VariantId, string> = {
  bare: 'bare',
  ours: '@cruddur/middleware 100 %',
  'ours-metrics': '@cruddur/middleware 100 % + metrics',
  'ours-unsampled': '@cruddur/middleware unsampled',
  official: 'official aws-xray-sdk 100 %',
  otel: 'OpenTelemetry 100 %',
  'ours-otlp': '@cruddur/middleware OTLP 100 %',
  'otel-otlp': 'OpenTelemetry OTLP 100 %',
};

/** Configuration of one server child (passed as JSON in argv). */
export interface ServerConfig {
  framework: Framework;
  variant: VariantId;
  /** UDP port of this variant's socket in the counting sink. */
  daemonPort: number;
  /** OTLP variants: the traces URL of this variant's server in the counting OTLP sink. */
  otlpEndpoint: string | null;
  /** dynalite endpoint. */
  dynamoEndpoint: string;
  /** URL of the stub service. */
  stubUrl: string;
  /** Sample RSS and heap every this many milliseconds once asked to (the soak); 0: never. */
  memorySampleMs: number;
  /**
   * Register this many more GET routes, `/m/0` … `/m/N-1`: distinct route templates, so distinct
   * `Route` dimensions for the metrics (the metrics memory row). 0: none.
   */
  extraRoutes: number;
}

/** The server child's own counters. */
export interface ServerStats {
  /** process.cpuUsage() user + system, microseconds. */
  cpuUs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** OpenTelemetry (in-process exporter): spans the exporter received so far (after a flush); null for the others. */
  exportedSpans: number | null;
  /** OpenTelemetry (in-process exporter): names of the last spans exported. */
  exportedSample: string[];
  /** OTLP variants: spans the exporter gave up on so far (dropped, refused or failed); null for the others. */
  lostSpans: number | null;
  /** Metrics variant: its counters (`metrics.stats()`) and the EMF lines its discarding output took; null for the others. */
  metrics: ServerMetricsStats | null;
}

/** What the metrics of a server did so far. */
export interface ServerMetricsStats {
  /** Requests recorded by the request metrics. */
  requests: number;
  /** Values counted under `Other` (the dimension set cap was reached); counted when an interval is flushed. */
  overflowed: number;
  /** EMF documents written (to the discarding output). */
  documents: number;
  /** Characters of those documents. */
  chars: number;
}

export interface MemorySample {
  /** Seconds since sampling started. */
  t: number;
  rss: number;
  heapUsed: number;
}

/** What a server announces when it listens. */
export interface ServerReady {
  port: number;
}

/** Options of the `stats` operation. */
export interface StatsRequest {
  /** Run a full garbage collection first (needs --expose-gc). */
  gc?: boolean;
  /** Flush the metrics first (their overflow count is taken at a flush). */
  flushMetrics?: boolean;
}
