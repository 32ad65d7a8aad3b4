// The terminal view's filter and groups: flags, their errors, and what gets printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs, UsageError } from '../src/args.js';
import { startTraceViewer } from '../src/index.js';
import { addAll, roundTrip, single } from './graph-fixtures.js';

const GROUP_FILE = fileURLToPath(new URL('../../../aws/json/xray-group.json', import.meta.url));

void describe('terminal filter and groups', () => {
  void it('takes --filter and repeated --groups', () => {
    const command = parseArgs(['--filter', 'service("cruddur-backend") { fault }', '--groups', 'a.json', '--groups=b.json']);
    assert.equal(command.command, 'run');
    assert.ok(command.command === 'run');
    assert.equal(command.options.filter, 'service("cruddur-backend") { fault }');
    assert.deepEqual(command.options.groupFiles, ['a.json', 'b.json']);
  });

  void it('refuses a bad --filter with the column and a caret', () => {
    assert.throws(
      () => parseArgs(['--filter', 'service("a") { fault']),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, '--filter: column 21: expected "}" to close the "{" at column 14, found the end of the expression\n  service("a") { fault\n                      ^');
        return true;
      },
    );
  });

  void it('prints only the traces that match', async () => {
    const lines: string[] = [];
    const viewer = await startTraceViewer({ udpPort: 0, web: false, finishAfterMs: 0, groupFiles: [GROUP_FILE], filter: 'group.name = "Cruddur" AND fault', output: { write: (text: string) => lines.push(text) } });
    try {
      const failing = roundTrip({ status: 500, workerStatus: 500 });
      for (const trace of [roundTrip(), failing, single({ status: 500 })]) addAll(viewer.store, trace.docs);
      viewer.store.sweep(Date.now() + 10_000);
      assert.equal(lines.length, 1);
      assert.ok(lines[0]!.startsWith(`trace ${failing.traceId}`));
    } finally {
      await viewer.close();
    }
  });

  void it('rejects a group file with a bad expression before binding anything', async () => {
    await assert.rejects(startTraceViewer({ udpPort: 0, web: false, groupFiles: ['/nonexistent/groups.json'] }), /groups\.json/);
  });
});
