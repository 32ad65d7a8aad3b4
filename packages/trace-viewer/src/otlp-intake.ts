// Decoded OTLP requests → documents in the same store the UDP receiver feeds, so a trace whose
// spans come partly over UDP and partly over OTLP is one trace with one service map.
import { documentsFromTraces } from './otlp-documents.js';
import type { DecodedTraces } from './otlp-model.js';
import type { ExportOutcome } from './otlp-receiver.js';
import type { TraceStore } from './store.js';
import type { OtlpRefusal, OtlpStats } from './types.js';

const REFUSALS: readonly OtlpRefusal[] = ['bad_request', 'not_found', 'method_not_allowed', 'too_large', 'unsupported_media_type', 'internal_error'];
const RECENT_REFUSED = 20;

/** The receiver's callbacks bound to a store, with their counters. */
export interface OtlpIntake {
  onTraces(traces: DecodedTraces): ExportOutcome;
  onRefused(reason: OtlpRefusal, status: number, detail: string): void;
  stats(): OtlpStats;
}

/** Creates the intake for `store`. */
export function createOtlpIntake(store: TraceStore): OtlpIntake {
  const counters = { requests: 0, spans: 0, rejectedSpans: 0, documents: 0, outsideXrayWindow: 0 };
  const refused = Object.fromEntries(REFUSALS.map((reason) => [reason, 0])) as Record<OtlpRefusal, number>;
  const recentRefused: OtlpStats['recentRefused'] = [];
  return {
    onTraces(traces) {
      counters.requests++;
      const batch = documentsFromTraces(traces);
      for (const document of batch.documents) store.add(document);
      counters.spans += batch.spans;
      counters.documents += batch.documents.length;
      counters.outsideXrayWindow += batch.outsideXrayWindow;
      const rejectedSpans = traces.rejectedSpans + batch.failed;
      counters.rejectedSpans += rejectedSpans;
      const reasons = [...traces.rejectReasons, ...(batch.failed > 0 ? [`${batch.failed} span(s) could not be mapped`] : [])];
      return {
        rejectedSpans,
        errorMessage: rejectedSpans > 0 ? `${rejectedSpans} span(s) rejected: ${reasons.join('; ')}` : '',
      };
    },
    onRefused(reason, status, detail) {
      refused[reason]++;
      recentRefused.push({ reason, status, detail: detail.slice(0, 200), at: Date.now() });
      if (recentRefused.length > RECENT_REFUSED) recentRefused.shift();
    },
    stats: () => ({ ...counters, refused: { ...refused }, recentRefused: [...recentRefused] }),
  };
}
