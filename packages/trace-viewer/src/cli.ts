#!/usr/bin/env node
// `cruddur-traces`: the viewer as a command. Exit codes: 0 after a clean stop, 1 when a socket
// cannot be opened, 2 for a bad command line.
import { readFileSync } from 'node:fs';
import { parseArgs, USAGE, UsageError, type CliCommand } from './args.js';
import { DEFAULT_OTLP_PORT, startTraceViewer } from './viewer.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

async function main(): Promise<void> {
  let command: CliCommand;
  try {
    command = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`cruddur-traces: ${error.message}\nRun cruddur-traces --help for the flags.\n`);
    process.exitCode = 2;
    return;
  }
  if (command.command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.command === 'version') {
    process.stdout.write(`${version()}\n`);
    return;
  }

  const { options, quiet, color } = command;
  let viewer;
  try {
    viewer = await startTraceViewer({
      // The programmatic default is off (callers bind only what they ask for); the command is a
      // local collector, so it listens where OpenTelemetry SDKs send by default.
      otlpPort: DEFAULT_OTLP_PORT,
      ...options,
      ...(quiet ? {} : { output: process.stdout }),
      ...(color === undefined ? {} : { color }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The OTLP port is the one most likely taken (a local collector or Jaeger listens there too).
    // A bad group file is the user's input, like a bad flag.
    if (error instanceof Error && error.name === 'GroupError') {
      process.stderr.write(`cruddur-traces: --groups: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const hint = /EADDRINUSE/.test(message) && /:4318\b/.test(message) ? '\nAnother OTLP receiver holds port 4318: pass --otlp-port 0 (any free port) or --otlp-port off.' : '';
    process.stderr.write(`cruddur-traces: cannot start: ${message}${hint}\n`);
    process.exitCode = 1;
    return;
  }

  // The banner goes to stderr so stdout carries only traces and can be piped to a file.
  const lines = [`cruddur-traces ${version()}`, `  segments  udp://${viewer.daemonAddress}  (AWS_XRAY_DAEMON_ADDRESS=${viewer.daemonAddress})`];
  if (viewer.otlpEndpoint) lines.push(`  otlp      ${viewer.otlpTracesUrl ?? ''}  (OTEL_EXPORTER_OTLP_ENDPOINT=${viewer.otlpEndpoint})`);
  if (viewer.url) lines.push(`  web view  ${viewer.url}`, `  api       ${viewer.url}api/traces`);
  const forward = viewer.stats().forward;
  if (forward) lines.push(`  forward   udp://${forward.target}`);
  lines.push('Press Ctrl-C to stop.');
  process.stderr.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(130);
    }
    stopping = true;
    const { received } = viewer.stats();
    viewer
      .close()
      .then(() => {
        process.stderr.write(`cruddur-traces: stopped (${signal}), ${received} datagrams received\n`);
        process.exitCode = 0;
      })
      .catch((error: unknown) => {
        process.stderr.write(`cruddur-traces: error while closing: ${String(error)}\n`);
        process.exitCode = 1;
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`cruddur-traces: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
