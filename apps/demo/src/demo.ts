#!/usr/bin/env node
// `npm run demo`: the whole Cruddur stack on this machine, a scripted tour with each request's
// trace and log lines, then the URLs, running until Ctrl-C. No Docker, no AWS account.
import { type Trace } from '@cruddur/trace-viewer';
import { HELP, PORT_FLAGS, parseDemoArgs, type DemoArgs } from './args.js';
import { traceIdOf } from './logs.js';
import { formatRequestReport, rollbarTraceId, type RollbarData } from './report.js';
import { isEmfLine, formatMetricsReport } from './metrics.js';
import { METRICS_INTERVAL_MS, PortInUseError, startStack, TRANSPORTS, type Stack } from './stack.js';
import { TOUR, runTour, type TourResult } from './tour.js';

/** Seconds to wait for a request's trace to finish before showing what arrived. */
const TRACE_WAIT_MS = 5000;
/** How long to wait for a report at the local Rollbar endpoint. */
const ROLLBAR_WAIT_MS = 3000;

async function traceFor(stack: Stack, traceId: string | undefined): Promise<{ trace?: Trace; problem?: string }> {
  if (!traceId) return { problem: 'the response had no X-Amzn-Trace-Id header' };
  try {
    return { trace: await stack.traces.store.waitForTrace(traceId, TRACE_WAIT_MS) };
  } catch {
    const partial = stack.traces.store.getTrace(traceId);
    return partial ? { trace: partial } : { problem: `nothing received within ${TRACE_WAIT_MS} ms` };
  }
}

async function rollbarFor(stack: Stack, traceId: string | undefined): Promise<RollbarData[]> {
  if (!stack.rollbar || !traceId) return [];
  try {
    const items = await stack.rollbar.waitForItems((item) => rollbarTraceId(item.data) === traceId, ROLLBAR_WAIT_MS);
    return items.map((item) => item.data);
  } catch {
    return [];
  }
}

function describeRequest(result: TourResult): string {
  const path = result.step.path.length > 60 ? `${result.step.path.slice(0, 40)}…(${result.step.path.length} chars)` : result.step.path;
  const who = result.step.user ? ` as ${result.step.user}` : '';
  const outcome = result.status === 0 ? `failed: ${result.error ?? 'no answer'}` : `${result.status} in ${result.durationMs.toFixed(0)} ms`;
  const unexpected = result.status !== result.step.expectStatus ? `  (expected ${result.step.expectStatus})` : '';
  return `${result.step.method} ${path}${who} → ${outcome}${unexpected}`;
}

/** The header: which service sends its traces which way. */
function transportsText(stack: Stack): string {
  return [
    'Each trace below merges two transports:',
    `  cruddur-backend  ${TRANSPORTS.backend} → udp://${stack.traces.daemonAddress}`,
    `  cruddur-worker   ${TRANSPORTS.worker} → ${stack.traces.otlpTracesUrl ?? 'the OTLP receiver'}`,
    '',
  ].join('\n');
}

function urlsText(stack: Stack): string {
  const rollbar = stack.rollbar ? `\n  Rollbar      ${stack.rollbar.itemUrl}  (local endpoint, ${stack.rollbar.items.length} reports received)` : '';
  return [
    'Cruddur is running. Everything listens on 127.0.0.1; nothing leaves this machine.',
    `  API          ${stack.backendUrl}/api/activities/home`,
    `  worker       ${stack.workerUrl}/health`,
    `  traces       ${stack.tracesUrl}  (web view; JSON at ${stack.tracesUrl}api/traces)`,
    `  segments     udp://${stack.traces.daemonAddress}  (AWS_XRAY_DAEMON_ADDRESS=${stack.traces.daemonAddress})`,
    ...(stack.traces.otlpTracesUrl ? [`  OTLP/HTTP    ${stack.traces.otlpTracesUrl}  (OTEL_EXPORTER_OTLP_ENDPOINT=${stack.traces.otlpEndpoint ?? ''})`] : []),
    `  DynamoDB     ${stack.dynamodbEndpoint}  (dynalite, in memory, table ${stack.tableName})${rollbar}`,
    `Try: curl -H 'X-Cruddur-User: garek' ${stack.backendUrl}/api/activities/notifications`,
    'New traces are printed here as they finish. Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2), process.env, process.stdout.isTTY === true);
  } catch (error) {
    process.stderr.write(`cruddur demo: ${error instanceof Error ? error.message : String(error)}\n${HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const out = (text: string): void => {
    process.stdout.write(text);
  };
  const note = (text: string): void => {
    process.stderr.write(`cruddur demo: ${text}\n`);
  };

  // Ctrl-C / SIGTERM: stop everything and exit 0; a second one exits at once (the services
  // notice their parent is gone and stop themselves).
  let stopRequested: (() => void) | undefined;
  const stopSignal = new Promise<string>((resolve) => {
    stopRequested = () => resolve('signal');
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      note(`${signal} again: exiting now`);
      process.exit(130);
    }
    note(`${signal}: stopping`);
    stopRequested?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stack: Stack;
  try {
    stack = await startStack({
      backendPort: args.ports.backend,
      workerPort: args.ports.worker,
      tracesUdpPort: args.ports.tracesUdp,
      tracesHttpPort: args.ports.tracesHttp,
      rollbar: true,
      onProgress: note,
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      const { flag, env } = PORT_FLAGS[error.role];
      note(`${error.message}. Stop whatever holds it, or choose another port: --${flag} <n> or ${env}=<n> (0 picks a free port).`);
    } else {
      note(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }

  let stopping = false;
  const shutdown = async (): Promise<number> => {
    stopping = true;
    const result = await stack.stop();
    const clean = result.backend.code === 0 && result.worker.code === 0;
    note(clean ? 'stopped' : `stopped (backend ${JSON.stringify(result.backend)}, worker ${JSON.stringify(result.worker)})`);
    return 0;
  };

  out(transportsText(stack));
  const printed = new Set<string>();
  let unexpected = 0;
  const tour = runTour(stack.backendUrl, async (result, index) => {
    if (result.status !== result.step.expectStatus) unexpected++;
    const { trace, problem } = await traceFor(stack, result.traceId);
    if (result.traceId) printed.add(result.traceId);
    const rollbar = result.step.reportsToRollbar ? await rollbarFor(stack, result.traceId) : [];
    out(
      formatRequestReport(
        {
          heading: `${index + 1}/${TOUR.length} ${result.step.title}`,
          request: describeRequest(result),
          note: result.step.shows,
          traceId: result.traceId,
          trace,
          traceProblem: problem,
          logs: result.traceId ? stack.logsForTrace(result.traceId) : [],
          rollbar,
        },
        { color: args.color, width: process.stdout.columns ?? 100 },
      ) + '\n',
    );
  });
  const first = await Promise.race([tour.then(() => 'tour'), stopSignal]);
  if (first === 'signal') {
    // Let the request in flight end before the services go away.
    await Promise.race([tour.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))]);
    return shutdown();
  }
  // The metrics of the tour: the services write them every few seconds here.
  await stack.waitForLogs(isEmfLine, METRICS_INTERVAL_MS * 2 + 2000).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
  out(formatMetricsReport(stack.logs(), { color: args.color }) + '\n');
  if (unexpected > 0) note(`${unexpected} tour request(s) did not get the expected status (see above)`);
  if (args.once) {
    await shutdown();
    return unexpected > 0 ? 1 : 0;
  }

  // From now on, every trace that finishes (your own requests) is printed with its log lines.
  const unsubscribe = stack.traces.store.subscribe((event) => {
    if (stopping || event.type !== 'finished' || printed.has(event.trace.id)) return;
    printed.add(event.trace.id);
    const entry = event.trace.method && event.trace.url ? `${event.trace.method} ${event.trace.url} → ${event.trace.status ?? '?'}` : event.trace.entry;
    const logs = stack.logs().filter((line) => traceIdOf(line) === event.trace.id);
    out(formatRequestReport({ heading: 'new trace', request: entry, traceId: event.trace.id, trace: event.trace, logs }, { color: args.color, width: process.stdout.columns ?? 100 }) + '\n');
  });
  out(urlsText(stack));
  await stopSignal;
  unsubscribe();
  return shutdown();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cruddur demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
