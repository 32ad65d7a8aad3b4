// What the orchestrator and a server child tell each other.

export const FRAMEWORKS = ['express', 'fastify'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export const VARIANTS = ['bare', 'ours', 'ours-unsampled', 'official', 'otel'] as const;
export type VariantId = (typeof VARIANTS)[number];

export const ROUTES = ['hello', 'realistic'] as const;
export type RouteId = (typeof ROUTES)[number];

/** Human-readable variant names for the report. */
export const VARIANT_LABELS: Record<VariantId, string> = {
  bare: 'bare',
  ours: '@cruddur/middleware 100 %',
  'ours-unsampled': '@cruddur/middleware unsampled',
  official: 'official aws-xray-sdk 100 %',
  otel: 'OpenTelemetry 100 %',
};

/** Configuration of one server child (passed as JSON in argv). */
export interface ServerConfig {
  framework: Framework;
  variant: VariantId;
  /** UDP port of this variant's socket in the counting sink. */
  daemonPort: number;
  /** dynalite endpoint. */
  dynamoEndpoint: string;
  /** URL of the stub service. */
  stubUrl: string;
  /** Sample RSS and heap every this many milliseconds once asked to (the soak); 0: never. */
  memorySampleMs: number;
}

/** The server child's own counters. */
export interface ServerStats {
  /** process.cpuUsage() user + system, microseconds. */
  cpuUs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** OpenTelemetry: spans the exporter received so far (after a flush); null for UDP variants. */
  exportedSpans: number | null;
  /** OpenTelemetry: names of the last spans exported. */
  exportedSample: string[];
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
}
