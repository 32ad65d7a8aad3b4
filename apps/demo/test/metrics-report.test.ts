// The demo's metrics section: EMF lines recognised among the services' stdout and shown one per
// document, other lines ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogLine } from '../src/logs.js';
import { describeEmfLine, formatMetricsReport, isEmfLine } from '../src/metrics.js';

const emf = JSON.stringify({
  _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'Cruddur', Dimensions: [['Service', 'Route', 'Method'], ['Service']], Metrics: [{ Name: 'Requests', Unit: 'Count' }, { Name: 'Latency', Unit: 'Milliseconds' }] }] },
  Service: 'cruddur-backend',
  Route: '/api/messages',
  Method: 'POST',
  Requests: 2,
  Latency: { Values: [3, 5], Counts: [1, 1], Max: 5, Min: 3, Count: 2, Sum: 8 },
  Exemplar: { TraceId: '1-6b04a773-f929c5b0a80e8ee74c6fb200', Reason: 'slowest', LatencyMs: 5 },
});

test('an EMF line is shown with its dimensions, values and exemplar; log lines are not', () => {
  const line = parseLogLine('cruddur-backend', emf);
  const log = parseLogLine('cruddur-backend', '{"level":"info","message":"hello"}');
  assert.equal(isEmfLine(line), true);
  assert.equal(isEmfLine(log), false);
  assert.equal(
    describeEmfLine(line),
    'cruddur-backend /api/messages POST · Requests 2 · Latency 2× avg 4.0 ms max 5 ms (2 distinct values) · exemplar 1-6b04a773-f929c5b0a80e8ee74c6fb200 (slowest)',
  );
  const report = formatMetricsReport([log, line]);
  assert.match(report, /cruddur-backend: cruddur-backend \/api\/messages POST/);
  assert.match(report, /1 EMF documents/);
});
