import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dynamoOptionsFromEnv, type DynamoOptions } from './client.js';

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** `--endpoint <url> --table <name> --region <region>`, falling back to AWS_ENDPOINT_URL / DDB_MESSAGE_TABLE / AWS_DEFAULT_REGION. */
export function cliOptions(argv: string[] = process.argv.slice(2)): DynamoOptions & { tableName: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
    },
  });
  const env = dynamoOptionsFromEnv();
  return {
    endpoint: values.endpoint ?? env.endpoint,
    region: values.region ?? env.region,
    tableName: values.table ?? env.tableName,
  };
}
