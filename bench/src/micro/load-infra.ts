// The load run's backing services in one process of their own: DynamoDB (dynalite), CloudWatch
// Logs and Rollbar fakes, all on 127.0.0.1. Talks to the orchestrator over IPC: sends its URLs
// once listening, answers `report` with what the log groups and Rollbar received, and closes on
// `close`.
import { startCloudWatchLogsServer, startDynalite, startRollbarServer } from '@cruddur/fakes';

/** What the orchestrator asks for: every access line's trace id and the other lines' count, per log group. */
export interface InfraReport {
  groups: Record<string, { events: number; accessTraceIds: string[]; accessSegmentIds: number; unparsable: number }>;
  rollbarItems: number;
  /** The distinct titles of those items (at most 5). */
  rollbarTitles: string[];
}

const dynamo = await startDynalite();
const logs = await startCloudWatchLogsServer();
const rollbar = await startRollbarServer();

process.on('message', (message: unknown) => {
  if (message === 'report') {
    const titles = new Set(rollbar.items.map((item) => describe(item.data)));
    const report: InfraReport = { groups: {}, rollbarItems: rollbar.items.length, rollbarTitles: [...titles].slice(0, 5) };
    for (const [name, group] of logs.groups) {
      const accessTraceIds: string[] = [];
      const segments = new Set<string>();
      let events = 0;
      let unparsable = 0;
      for (const stream of group.streams.values()) {
        for (const event of stream.events) {
          events++;
          let entry: { log_type?: string; trace_id?: string; segment_id?: string };
          try {
            entry = JSON.parse(event.message) as typeof entry;
          } catch {
            unparsable++;
            continue;
          }
          if (entry.log_type !== 'access' || entry.trace_id === undefined) continue;
          accessTraceIds.push(entry.trace_id);
          segments.add(`${entry.trace_id}/${entry.segment_id ?? ''}`);
        }
      }
      report.groups[name] = { events, accessTraceIds, accessSegmentIds: segments.size, unparsable };
    }
    process.send?.({ report });
  } else if (message === 'close') {
    void Promise.all([dynamo.close(), logs.close(), rollbar.close()]).then(() => process.exit(0));
  }
});
process.send?.({ ready: { dynamo: dynamo.endpoint, logs: logs.url, rollbar: rollbar.itemUrl } });

function describe(data: Readonly<Record<string, unknown>>): string {
  const body = data.body as { message?: { body?: string }; trace_chain?: Array<{ exception?: { class?: string; message?: string } }>; trace?: { exception?: { class?: string; message?: string } } } | undefined;
  const exception = body?.trace?.exception ?? body?.trace_chain?.[0]?.exception;
  return exception ? `${exception.class}: ${exception.message}` : String(body?.message?.body ?? data.title ?? 'item');
}
