// The demo's command line: flags win over environment variables, bad values are named.
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS, type PortRole } from './stack.js';

export const HELP = `Usage: npm run demo [-- options]    (or: node apps/demo/dist/demo.js [options])

Starts DynamoDB (dynalite, in memory) with the table and seed data, the trace viewer's receiver,
a local Rollbar endpoint, the worker and the backend (two Node processes), sends a short tour of
requests and prints each trace as a tree with the log lines of both services for it. Then it
keeps running with the URLs printed until Ctrl-C. Everything listens on 127.0.0.1 only.

Options (environment variable in brackets; 0 picks a free port):
  --backend-port <n>   backend API port, default ${DEFAULT_PORTS.backend} [CRUDDUR_DEMO_BACKEND_PORT]
  --worker-port <n>    worker port, default ${DEFAULT_PORTS.worker} [CRUDDUR_DEMO_WORKER_PORT]
  --udp-port <n>       trace receiver UDP port, default ${DEFAULT_PORTS.tracesUdp} [CRUDDUR_DEMO_TRACES_UDP_PORT]
  --web-port <n>       trace web view port, default ${DEFAULT_PORTS.tracesHttp} [CRUDDUR_DEMO_TRACES_WEB_PORT]
  --once               run the tour, print it, stop everything and exit (0 when every step got its expected status)
  --no-color           plain text even on a terminal (NO_COLOR=1 works too)
  -h, --help           this text
`;

/** What the command line asked for. */
export interface DemoArgs {
  ports: Record<PortRole, number>;
  once: boolean;
  color: boolean;
  help: boolean;
}

export const PORT_FLAGS: Record<PortRole, { flag: string; env: string }> = {
  backend: { flag: 'backend-port', env: 'CRUDDUR_DEMO_BACKEND_PORT' },
  worker: { flag: 'worker-port', env: 'CRUDDUR_DEMO_WORKER_PORT' },
  tracesUdp: { flag: 'udp-port', env: 'CRUDDUR_DEMO_TRACES_UDP_PORT' },
  tracesHttp: { flag: 'web-port', env: 'CRUDDUR_DEMO_TRACES_WEB_PORT' },
};

/** A command line that cannot work; the message names the flag and the value. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses flags (which win) and environment variables. Throws {@link UsageError}. */
export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv, isTty: boolean): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'backend-port': { type: 'string' },
        'worker-port': { type: 'string' },
        'udp-port': { type: 'string' },
        'web-port': { type: 'string' },
        once: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const ports = {} as Record<PortRole, number>;
  for (const [role, { flag, env: name }] of Object.entries(PORT_FLAGS) as [PortRole, { flag: string; env: string }][]) {
    const fromFlag = values[flag];
    const raw = typeof fromFlag === 'string' ? fromFlag : env[name];
    const source = typeof fromFlag === 'string' ? `--${flag}` : name;
    if (raw === undefined || raw === '') {
      ports[role] = DEFAULT_PORTS[role];
      continue;
    }
    const port = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port > 65535) throw new UsageError(`${source} is "${raw}"; expected a port number 0-65535 (0 picks a free port)`);
    ports[role] = port;
  }
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { ports, once: values.once === true, color: isTty && !noColor && values['no-color'] !== true, help: values.help === true };
}
