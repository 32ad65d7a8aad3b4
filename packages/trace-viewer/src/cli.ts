#!/usr/bin/env node
// `cruddur-traces`: the viewer as a command. Exit codes: 0 after a clean stop, 1 when a socket
// cannot be opened, 2 for a bad command line.
import { readFileSync } from 'node:fs';
import { parseArgs, USAGE, UsageError, type CliCommand } from './args.js';
import { startTraceViewer } from './viewer.js';

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
      ...options,
      ...(quiet ? {} : { output: process.stdout }),
      ...(color === undefined ? {} : { color }),
    });
  } catch (error) {
    process.stderr.write(`cruddur-traces: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }

  // The banner goes to stderr so stdout carries only traces and can be piped to a file.
  const lines = [`cruddur-traces ${version()}`, `  segments  udp://${viewer.daemonAddress}  (AWS_XRAY_DAEMON_ADDRESS=${viewer.daemonAddress})`];
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
