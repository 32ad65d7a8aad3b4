// The in-memory trace store: bounded by trace count, documents per trace and total bytes, so a
// viewer left running under a load test keeps a flat memory profile.
import type { ParsedDocument } from './datagram.js';
import { buildTree, walk } from './tree.js';
import type { SegmentDocument, StoreStats, Trace, TraceNode, TraceSummary } from './types.js';

/** Limits and timing of a {@link TraceStore}. */
export interface TraceStoreOptions {
  /** Traces kept; the oldest (by first document) is evicted beyond this. Default 1000. */
  maxTraces?: number;
  /** Documents kept per trace; later new ids are refused and counted. Default 500. */
  maxDocumentsPerTrace?: number;
  /** Total JSON bytes of documents kept; oldest traces are evicted beyond this. Default 64 MiB. */
  maxBytes?: number;
  /**
   * Quiet period: a trace with a complete entry segment (one without `parent_id`) and nothing in
   * progress is finished once no document arrived for this long. A trace whose root segments all
   * name a parent that never arrived waits five quiet periods. Default 1000 ms.
   */
  finishAfterMs?: number;
  /** A trace that never completes is finished as partial after this long without documents. Default 30 s. */
  maxOpenMs?: number;
}

/** What the store tells its subscribers. */
export type StoreEvent =
  /** A document was added to (or replaced in) the trace. */
  | { type: 'updated'; traceId: string }
  /** The trace finished (again, when late documents arrived after it first finished). */
  | { type: 'finished'; trace: Trace; again: boolean }
  /** The trace was dropped to stay within the limits. */
  | { type: 'evicted'; traceId: string };

/** Options of {@link TraceStore.waitForTrace}. */
export interface WaitForTraceOptions {
  /** Only match finished traces (the default), or test every update. */
  finished?: boolean;
}

/** A trace id, or a test on the whole trace. */
export type TracePredicate = string | ((trace: Trace) => boolean);

/** What {@link TraceStore.add} did with a document. */
export type AddResult = 'added' | 'replaced' | 'duplicate' | 'dropped';

interface StoredDocument {
  document: SegmentDocument;
  kind: 'segment' | 'subsegment';
  bytes: number;
  inProgress: boolean;
}

interface TraceRecord {
  /** The trace id as first received (case kept); map keys are lower case. */
  id: string;
  docs: Map<string, StoredDocument>;
  bytes: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  version: number;
  finished: boolean;
  partial: boolean;
  timesFinished: number;
  truncated: boolean;
  /** The last build; the tree depends on `version` only, the flags are copied in. */
  cache: { version: number; trace: Trace } | undefined;
}

const DEFAULTS: Required<TraceStoreOptions> = {
  maxTraces: 1000,
  maxDocumentsPerTrace: 500,
  maxBytes: 64 * 1024 * 1024,
  finishAfterMs: 1000,
  maxOpenMs: 30_000,
};

/** A root segment whose parent is missing finishes after this many quiet periods. */
export const ORPHAN_WAIT_FACTOR = 5;

function positiveInteger(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function isInProgress(document: SegmentDocument): boolean {
  return document['in_progress'] === true || typeof document['end_time'] !== 'number';
}

/**
 * Keeps the most recent traces and reassembles them on demand. Safe to read at any time;
 * {@link TraceStore.add} never throws for any document {@link parseDatagram} accepted.
 */
export class TraceStore {
  readonly #options: Required<TraceStoreOptions>;
  readonly #traces = new Map<string, TraceRecord>();
  readonly #pending = new Set<TraceRecord>();
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  readonly #counters = { documents: 0, duplicates: 0, replaced: 0, evictions: 0, documentsDropped: 0 };
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: TraceStoreOptions = {}) {
    this.#options = {
      maxTraces: positiveInteger('maxTraces', options.maxTraces, DEFAULTS.maxTraces, 1),
      maxDocumentsPerTrace: positiveInteger('maxDocumentsPerTrace', options.maxDocumentsPerTrace, DEFAULTS.maxDocumentsPerTrace, 1),
      maxBytes: positiveInteger('maxBytes', options.maxBytes, DEFAULTS.maxBytes, 1),
      finishAfterMs: positiveInteger('finishAfterMs', options.finishAfterMs, DEFAULTS.finishAfterMs, 0),
      maxOpenMs: positiveInteger('maxOpenMs', options.maxOpenMs, DEFAULTS.maxOpenMs, 0),
    };
  }

  /** The limits in force. */
  get options(): Readonly<Required<TraceStoreOptions>> {
    return this.#options;
  }

  /** Adds one parsed document (the receiver calls this; tests and tools may too). */
  add(parsed: ParsedDocument, now: number = Date.now()): AddResult {
    if (this.#closed) return 'dropped';
    const key = parsed.traceId.toLowerCase();
    let record = this.#traces.get(key);
    if (!record) {
      while (this.#traces.size >= this.#options.maxTraces) this.#evictOldest();
      record = {
        id: parsed.document['trace_id'] as string,
        docs: new Map(),
        bytes: 0,
        firstReceivedAt: now,
        lastReceivedAt: now,
        version: 0,
        finished: false,
        partial: false,
        timesFinished: 0,
        truncated: false,
        cache: undefined,
      };
      this.#traces.set(key, record);
    }

    const id = parsed.document.id.toLowerCase();
    const stored: StoredDocument = {
      document: parsed.document,
      kind: parsed.kind,
      bytes: parsed.bytes,
      inProgress: isInProgress(parsed.document),
    };
    const existing = record.docs.get(id);
    let result: AddResult;
    if (existing) {
      // One complete document per id replaces at most one in-progress one; anything else repeats.
      if (!existing.inProgress || stored.inProgress) {
        this.#counters.duplicates++;
        return 'duplicate';
      }
      record.bytes -= existing.bytes;
      this.#bytes -= existing.bytes;
      this.#counters.replaced++;
      result = 'replaced';
    } else if (record.docs.size >= this.#options.maxDocumentsPerTrace) {
      record.truncated = true;
      this.#counters.documentsDropped++;
      return 'dropped';
    } else {
      result = 'added';
    }

    record.docs.set(id, stored);
    record.bytes += stored.bytes;
    this.#bytes += stored.bytes;
    record.lastReceivedAt = now;
    record.version++;
    record.finished = false;
    this.#counters.documents++;
    this.#pending.add(record);
    while (this.#bytes > this.#options.maxBytes && this.#traces.size > 1) {
      if (!this.#evictOldest(record)) break;
    }
    this.#ensureTimer();
    this.#emit({ type: 'updated', traceId: record.id });
    return result;
  }

  /** Summaries of the traces held, newest (by start time) first. */
  listTraces(options: { limit?: number } = {}): TraceSummary[] {
    const summaries = [...this.#traces.values()].map((record) => summaryOf(this.#build(record)));
    summaries.sort((a, b) => b.startTime - a.startTime || b.firstReceivedAt - a.firstReceivedAt);
    return options.limit !== undefined ? summaries.slice(0, Math.max(0, options.limit)) : summaries;
  }

  /** Every trace held, built (cached per version), newest (by start time) first. */
  allTraces(): Trace[] {
    const traces = [...this.#traces.values()].map((record) => this.#build(record));
    return traces.sort((a, b) => b.startTime - a.startTime || b.firstReceivedAt - a.firstReceivedAt);
  }

  /** The whole trace (tree, service map, documents), or undefined when unknown or evicted. */
  getTrace(traceId: string): Trace | undefined {
    const record = this.#traces.get(traceId.toLowerCase());
    return record ? this.#build(record) : undefined;
  }

  /** The summary of one trace, cheaper to send than the whole trace. */
  getSummary(traceId: string): TraceSummary | undefined {
    const trace = this.getTrace(traceId);
    return trace ? summaryOf(trace) : undefined;
  }

  /**
   * Resolves with the first trace matching `predicate` (a trace id or a function), looking at
   * the traces already held and then at each new one. By default only finished traces match, so
   * every service's segment is in. Rejects after `timeoutMs`.
   */
  waitForTrace(predicate: TracePredicate, timeoutMs = 5000, options: WaitForTraceOptions = {}): Promise<Trace> {
    const onlyFinished = options.finished ?? true;
    const test =
      typeof predicate === 'string'
        ? (trace: Trace): boolean => trace.id.toLowerCase() === predicate.toLowerCase()
        : predicate;
    const matches = (trace: Trace | undefined): trace is Trace =>
      trace !== undefined && (!onlyFinished || trace.finished) && test(trace);

    try {
      for (const record of [...this.#traces.values()].reverse()) {
        const trace = this.#build(record);
        if (matches(trace)) return Promise.resolve(trace);
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<Trace>((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        const what = typeof predicate === 'string' ? `trace ${predicate}` : 'a matching trace';
        reject(new Error(`waitForTrace: no ${onlyFinished ? 'finished ' : ''}${what} within ${timeoutMs} ms (${this.#traces.size} traces held)`));
      }, timeoutMs);
      const unsubscribe = this.subscribe((event) => {
        let trace: Trace | undefined;
        if (event.type === 'finished') trace = event.trace;
        else if (event.type === 'updated' && !onlyFinished) trace = this.getTrace(event.traceId);
        let matched: boolean;
        try {
          matched = matches(trace);
        } catch (error) {
          // A throwing predicate fails the wait now instead of at the timeout.
          clearTimeout(timer);
          unsubscribe();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (!matched || trace === undefined) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(trace);
      });
    });
  }

  /** Calls `listener` for every store event; returns the function that stops it. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Counters and current size. */
  stats(): StoreStats {
    return { ...this.#counters, traces: this.#traces.size, bytes: this.#bytes };
  }

  /** Forgets every trace (counters stay). */
  clear(): void {
    for (const [key, record] of [...this.#traces]) this.#remove(key, record);
  }

  /** Stops the finishing timer; later documents are refused. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Finishes the traces that are due; runs on a timer, exposed for deterministic tests. */
  sweep(now: number = Date.now()): void {
    const { finishAfterMs, maxOpenMs } = this.#options;
    for (const record of [...this.#pending]) {
      const quietFor = now - record.lastReceivedAt;
      if (quietFor < finishAfterMs) continue;
      const trace = this.#build(record);
      // An entry segment (no parent_id) is the request's first hop. A segment whose parent is
      // missing may be a downstream service whose caller is still sending, or the entry of a
      // request whose upstream is not traced here: give that case longer before finishing.
      const complete =
        !trace.inProgress &&
        trace.roots.some(
          (root) => root.kind === 'segment' && (root.parentId === undefined || quietFor >= finishAfterMs * ORPHAN_WAIT_FACTOR),
        );
      if (!complete && quietFor < maxOpenMs) continue;
      record.finished = true;
      record.partial = !complete;
      record.timesFinished++;
      this.#pending.delete(record);
      this.#emit({ type: 'finished', trace: this.#build(record), again: record.timesFinished > 1 });
    }
    if (this.#pending.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #ensureTimer(): void {
    if (this.#timer || this.#closed) return;
    // A few checks per quiet period keep the finishing delay close to the configured one.
    const interval = Math.min(250, Math.max(10, Math.floor(this.#options.finishAfterMs / 4)));
    this.#timer = setInterval(() => this.sweep(), interval);
    this.#timer.unref();
  }

  #evictOldest(keep?: TraceRecord): boolean {
    for (const [key, record] of this.#traces) {
      if (record === keep) continue;
      this.#remove(key, record);
      this.#counters.evictions++;
      this.#emit({ type: 'evicted', traceId: record.id });
      return true;
    }
    return false;
  }

  #remove(key: string, record: TraceRecord): void {
    this.#traces.delete(key);
    this.#pending.delete(record);
    this.#bytes -= record.bytes;
  }

  #emit(event: StoreEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A subscriber's bug must not stop the receiver; the subscriber owns its errors.
      }
    }
  }

  #build(record: TraceRecord): Trace {
    const cached = record.cache;
    if (cached?.version === record.version) {
      const partial = record.finished && record.partial;
      if (
        cached.trace.finished === record.finished &&
        cached.trace.partial === partial &&
        cached.trace.truncated === record.truncated
      ) {
        return cached.trace;
      }
      // Finishing and truncation change flags, not the tree: copy instead of rebuilding.
      const trace: Trace = { ...cached.trace, finished: record.finished, partial, truncated: record.truncated };
      record.cache = { version: record.version, trace };
      return trace;
    }
    const documents = [...record.docs.values()];
    const built = buildTree(documents);
    let startTime = Infinity;
    let endTime = -Infinity;
    const services: string[] = [];
    let hasError = false;
    let hasFault = false;
    let hasThrottle = false;
    const segments: TraceNode[] = [];
    walk(built.roots, (node) => {
      startTime = Math.min(startTime, node.startTime);
      endTime = Math.max(endTime, node.endTime ?? node.startTime);
      hasError ||= node.error;
      hasFault ||= node.fault;
      hasThrottle ||= node.throttle;
      if (node.kind === 'segment') segments.push(node);
    });
    for (const segment of [...segments].sort((a, b) => a.startTime - b.startTime)) {
      if (!services.includes(segment.name)) services.push(segment.name);
    }
    const entry = built.roots.find((root) => root.kind === 'segment') ?? built.roots[0];
    const trace: Trace = {
      id: record.id,
      startTime: Number.isFinite(startTime) ? startTime : 0,
      durationMs: Number.isFinite(startTime) ? Math.round((endTime - startTime) * 1e6) / 1000 : 0,
      entry: entry?.name ?? '',
      services,
      hasError,
      hasFault,
      hasThrottle,
      documentCount: documents.length,
      nodeCount: built.nodeCount,
      inProgress: built.inProgress,
      finished: record.finished,
      partial: record.finished && record.partial,
      truncated: record.truncated,
      firstReceivedAt: record.firstReceivedAt,
      lastReceivedAt: record.lastReceivedAt,
      roots: built.roots,
      serviceMap: built.serviceMap,
      documents: documents.map((stored) => stored.document),
    };
    if (entry?.http?.method !== undefined) trace.method = entry.http.method;
    if (entry?.http?.url !== undefined) trace.url = entry.http.url;
    if (entry?.http?.status !== undefined) trace.status = entry.http.status;
    record.cache = { version: record.version, trace };
    return trace;
  }
}

/** The list-row part of a trace. */
export function summaryOf(trace: Trace): TraceSummary {
  // Copy field by field so the summary never drags the tree or the documents along.
  const summary: TraceSummary = {
    id: trace.id,
    startTime: trace.startTime,
    durationMs: trace.durationMs,
    entry: trace.entry,
    services: trace.services,
    hasError: trace.hasError,
    hasFault: trace.hasFault,
    hasThrottle: trace.hasThrottle,
    documentCount: trace.documentCount,
    nodeCount: trace.nodeCount,
    inProgress: trace.inProgress,
    finished: trace.finished,
    partial: trace.partial,
    truncated: trace.truncated,
    firstReceivedAt: trace.firstReceivedAt,
    lastReceivedAt: trace.lastReceivedAt,
  };
  if (trace.method !== undefined) summary.method = trace.method;
  if (trace.url !== undefined) summary.url = trace.url;
  if (trace.status !== undefined) summary.status = trace.status;
  return summary;
}
