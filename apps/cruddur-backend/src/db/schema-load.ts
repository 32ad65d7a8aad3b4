// Usage: node dist/db/schema-load.js [--endpoint http://localhost:8000] [--table cruddur-messages] [--region us-east-1]
import { createDynamoClient } from './client.js';
import { cliOptions, isMain } from './cli.js';
import { ensureTable } from './schema.js';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const options = cliOptions(argv);
  const client = createDynamoClient(options);
  try {
    const outcome = await ensureTable(client, options.tableName);
    process.stdout.write(`table ${options.tableName}: ${outcome} (${options.endpoint ?? 'AWS'})\n`);
  } finally {
    client.destroy();
  }
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`schema-load failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
