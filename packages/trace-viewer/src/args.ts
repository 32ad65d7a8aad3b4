// Command-line flags → viewer options. Pure, so every error message is testable without a process.
import { isIP } from 'node:net';
import { FilterSyntaxError } from './filter/errors.js';
import { parseFilter } from './filter/parser.js';
import { parseHostPort } from './forwarder.js';
import { DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_OTLP_PORT, DEFAULT_UDP_PORT, type TraceViewerOptions } from './viewer.js';

/** A flag or value the command line cannot accept; the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What the command line asks for. */
export type CliCommand =
  | { command: 'run'; options: TraceViewerOptions; quiet: boolean; color: boolean | undefined }
  | { command: 'help' }
  | { command: 'version' };

export const USAGE = `Usage: cruddur-traces [options]

See X-Ray traces locally: receives segments on the X-Ray daemon's UDP protocol and OpenTelemetry
spans over OTLP/HTTP, and shows each finished trace as a tree in the terminal and in a web view.

Options:
  --udp-port <port>       UDP port for segments (default ${DEFAULT_UDP_PORT}; 0 = any free port)
  --otlp-port <port|off>  OTLP/HTTP port for spans, POST /v1/traces (default ${DEFAULT_OTLP_PORT};
                          0 = any free port; off = no OTLP receiver)
  --host <address>        address to bind every socket to (default ${DEFAULT_HOST})
  --http-port <port>      web view and JSON API port (default ${DEFAULT_HTTP_PORT}; 0 = any free port)
  --max-traces <n>        traces kept in memory, oldest evicted first (default 1000)
  --forward <host:port>   also relay every datagram unchanged to a real daemon or collector
  --finish-after <ms>     quiet period before a complete trace counts as finished (default 1000)
  --groups <file>         load X-Ray groups from a create-group JSON file (aws/json/xray-group.json);
                          may be given more than once
  --filter <expression>   print only traces matching an X-Ray filter expression,
                          e.g. 'service("cruddur-backend") { fault }'
  --no-web                no web view or API, terminal only
  --quiet                 do not print traces to the terminal
  --no-color              plain text even on a terminal (NO_COLOR works too)
  -h, --help              show this help
  --version               show the version
`;

const VALUE_FLAGS = new Set(['--udp-port', '--otlp-port', '--host', '--http-port', '--max-traces', '--forward', '--finish-after', '--groups', '--filter']);
const BOOLEAN_FLAGS = new Set(['--no-web', '--quiet', '--no-color', '--help', '-h', '--version']);

function integer(flag: string, value: string, min: number, max: number, what: string): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${flag}: expected ${what}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Parses `process.argv.slice(2)`. Throws {@link UsageError} naming the flag and the value. */
export function parseArgs(argv: readonly string[]): CliCommand {
  const options: TraceViewerOptions = {};
  let quiet = false;
  let color: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (BOOLEAN_FLAGS.has(flag)) {
      if (eq > 0) throw new UsageError(`${flag}: takes no value, got ${JSON.stringify(arg.slice(eq + 1))}`);
      if (flag === '--help' || flag === '-h') return { command: 'help' };
      if (flag === '--version') return { command: 'version' };
      if (flag === '--no-web') options.web = false;
      if (flag === '--quiet') quiet = true;
      if (flag === '--no-color') color = false;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) {
      throw new UsageError(arg.startsWith('-') ? `unknown flag ${JSON.stringify(flag)}` : `unexpected argument ${JSON.stringify(arg)}`);
    }
    let value: string;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && flag !== '--filter')) throw new UsageError(`${flag}: missing value`);
      value = next;
      i++;
    }
    switch (flag) {
      case '--udp-port':
        options.udpPort = integer(flag, value, 0, 65535, 'a port number 0-65535');
        break;
      case '--otlp-port':
        options.otlpPort = value === 'off' ? 'off' : integer(flag, value, 0, 65535, 'a port number 0-65535 or "off"');
        break;
      case '--http-port':
        options.httpPort = integer(flag, value, 0, 65535, 'a port number 0-65535');
        break;
      case '--max-traces':
        options.maxTraces = integer(flag, value, 1, 1_000_000, 'a whole number from 1 to 1000000');
        break;
      case '--finish-after':
        options.finishAfterMs = integer(flag, value, 0, 3_600_000, 'milliseconds from 0 to 3600000');
        break;
      case '--host':
        if (isIP(value) === 0 && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(value)) {
          throw new UsageError(`${flag}: expected an IP address or host name, got ${JSON.stringify(value)}`);
        }
        options.host = value;
        break;
      case '--groups':
        options.groupFiles = [...(options.groupFiles ?? []), value];
        break;
      case '--filter':
        try {
          parseFilter(value);
        } catch (error) {
          if (error instanceof FilterSyntaxError) throw new UsageError(`${flag}: ${error.message}\n  ${error.pointer().replace('\n', '\n  ')}`);
          throw error;
        }
        options.filter = value;
        break;
      case '--forward':
        try {
          options.forward = parseHostPort(value);
        } catch (error) {
          throw new UsageError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
        }
        break;
    }
  }
  return { command: 'run', options, quiet, color };
}
