// The custom metrics API: values aggregated per dimension set, validated against the EMF limits
// with one diagnostic per problem and never a throw, read back from the CloudWatch Logs fake.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetrics, MetricsConfigError, type MetricUnit } from '../src/metrics/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { datum, startMetricsRig, type MetricsRig } from './support/metrics-setup.js';

describe('custom metrics', () => {
  let rig: MetricsRig;
  before(async () => {
    rig = await startMetricsRig({ service: 'backend', defaultDimensions: { Environment: 'test' } });
  });
  after(() => rig.close());

  it('aggregates values of one metric and dimension set into one document, as Values/Counts', async () => {
    // prepare
    const { tracer, emitter } = createTestTracer({ name: 'backend' });
    const segment = tracer.beginSegment({ name: 'backend' });
    // act
    tracer.run(segment, () => {
      for (let i = 0; i < 5; i++) rig.metrics.addMetric('MessagesSent', 'Count', 1);
      rig.metrics.addMetric('MessageBytes', 'Bytes', 120, { dimensions: { Kind: 'direct' } });
      rig.metrics.addMetric('MessageBytes', 'Bytes', 80, { dimensions: { Kind: 'direct' } });
    });
    segment.close();
    rig.metrics.addMetric('QueueDepth', 'Count', 7, { resolution: 1 });
    rig.metrics.addMetadata('release', '2026.12.1');
    await rig.metrics.flush(5_000);
    // assert
    await rig.server.waitForMetrics((d) => d.metricName === 'QueueDepth');
    const all = rig.server.metricData;
    assert.deepEqual(rig.server.emfRejections, []);
    const sent = datum(all, 'MessagesSent', { Environment: 'test', Service: 'backend' })!;
    assert.deepEqual([sent.values, sent.counts, sent.sum], [[1], [5], 5], 'five values, one entry');
    assert.equal((sent.document as { release?: string }).release, '2026.12.1', 'metadata travels as a property');
    const exemplar = (sent.document as { Exemplar?: { TraceId: string } }).Exemplar;
    assert.equal(exemplar?.TraceId, segment.traceId, 'the trace that recorded it');
    assert.ok(emitter.segments.some((s) => s.trace_id === exemplar?.TraceId));
    const bytes = datum(all, 'MessageBytes', { Environment: 'test', Service: 'backend', Kind: 'direct' })!;
    assert.equal(bytes.unit, 'Bytes');
    assert.equal(bytes.sum, 200);
    const depth = datum(all, 'QueueDepth', { Environment: 'test', Service: 'backend' })!;
    assert.equal(depth.storageResolution, 1, 'high resolution');
    assert.equal(depth.timestamp % 1000, 0, 'stamped with its second');
  });

  it('reports each problem once and drops the value, never throwing into the app', async () => {
    // prepare
    rig.problems.length = 0;
    const bad: [string, () => boolean, RegExp][] = [
      ['empty name', () => rig.metrics.addMetric('', 'Count', 1), /metric name "" is not a non-empty string/],
      ['long name', () => rig.metrics.addMetric('x'.repeat(256), 'Count', 1), /longer than 255/],
      ['bad unit', () => rig.metrics.addMetric('Widgets', 'Furlongs' as MetricUnit, 1), /unit "Furlongs" is not a CloudWatch unit/],
      ['NaN', () => rig.metrics.addMetric('Widgets', 'Count', Number.NaN), /not a finite number/],
      ['huge', () => rig.metrics.addMetric('Widgets', 'Count', 2 ** 400), /±2\^360/],
      ['resolution', () => rig.metrics.addMetric('Widgets', 'Count', 1, { resolution: 5 as 1 }), /storage resolution 5/],
      ['31 dimensions', () => rig.metrics.addMetric('Widgets', 'Count', 1, { dimensions: Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`D${i}`, 'x'])) }), /31 dimensions.*limit is 30/],
      ['non-ASCII dimension value', () => rig.metrics.addMetric('Widgets', 'Count', 1, { dimensions: { City: 'Zürich' } }), /printable ASCII/],
      ['number as dimension value', () => rig.metrics.addMetric('Widgets', 'Count', 1, { dimensions: { Shard: 3 as unknown as string } }), /value 3 must be a string/],
      ['unit clash', () => rig.metrics.addMetric('MessagesSent', 'Seconds', 1), /one metric has one unit/],
      ['name shared with a dimension', () => rig.metrics.addMetric('Environment', 'Count', 1), /also a dimension name/],
      ['unserialisable metadata', () => rig.metrics.addMetadata('big', 10n), /not serialisable/],
    ];
    rig.metrics.addMetric('MessagesSent', 'Count', 1);
    // act and assert
    for (const [what, call, problem] of bad) {
      assert.equal(call(), false, what);
      assert.equal(call(), false, `${what}, again`);
      assert.equal(rig.problems.filter((p) => problem.test(p)).length, 1, `one diagnostic for ${what}: ${rig.problems.join(' | ')}`);
    }
    assert.doesNotThrow(() => rig.metrics.addMetric(undefined as unknown as string, undefined as unknown as MetricUnit, undefined as unknown as number, null as unknown as undefined));
    await rig.metrics.flush(5_000);
    assert.deepEqual(rig.server.emfRejections, [], 'nothing CloudWatch would ignore was written');
    assert.ok(!rig.server.metricData.some((d) => d.metricName === 'Widgets'));
  });

  it('splits more than 100 metrics of one dimension set over several documents', async () => {
    for (let i = 0; i < 150; i++) rig.metrics.addMetric(`Metric${i}`, 'Count', i, { dimensions: { Batch: 'wide' } });
    const before = rig.server.events.length;
    const flushed = await rig.metrics.flush(5_000);
    assert.equal(flushed.documents, 2);
    await rig.server.waitForMetrics((d) => d.metricName === 'Metric149');
    assert.equal(rig.server.events.length - before, 2);
    assert.equal(rig.server.metricData.filter((d) => d.dimensions.Batch === 'wide').length, 150);
    assert.deepEqual(rig.server.emfRejections, []);
  });

  it('keeps at most 100 distinct values per metric, with exact count, sum, min and max', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => 0.5 + i * 3.7);
    for (const v of values) rig.metrics.addMetric('Spread', 'Milliseconds', v);
    await rig.metrics.flush(5_000);
    const [spread] = await rig.server.waitForMetrics((d) => d.metricName === 'Spread');
    assert.ok(spread!.values.length <= 100, `${spread!.values.length} values`);
    assert.equal(spread!.sampleCount, 1000);
    assert.equal(spread!.min, 0.5);
    assert.equal(spread!.max, values.at(-1));
    assert.ok(Math.abs(spread!.sum - values.reduce((a, b) => a + b, 0)) < 0.01);
    // Each bucket value stands for its values within 10 %: the weighted mean stays close.
    const weighted = spread!.values.reduce((n, v, i) => n + v * spread!.counts[i]!, 0);
    assert.ok(Math.abs(weighted / spread!.sum - 1) < 0.05);
  });
});

describe('metrics settings', () => {
  it('takes the namespace from the option, CRUDDUR_METRICS_NAMESPACE, then POWERTOOLS_METRICS_NAMESPACE', async () => {
    const made = [
      createMetrics({ output: 'off', namespace: 'FromOption' }, { CRUDDUR_METRICS_NAMESPACE: 'Cruddur', POWERTOOLS_METRICS_NAMESPACE: 'Powertools' }),
      createMetrics({ output: 'off' }, { CRUDDUR_METRICS_NAMESPACE: 'Cruddur', POWERTOOLS_METRICS_NAMESPACE: 'Powertools' }),
      createMetrics({ output: 'off' }, { POWERTOOLS_METRICS_NAMESPACE: 'Powertools' }),
      createMetrics({ output: 'off' }, {}),
    ];
    assert.deepEqual(
      made.map((m) => m.namespace),
      ['FromOption', 'Cruddur', 'Powertools', 'Application'],
    );
    await Promise.all(made.map((m) => m.shutdown()));
  });

  it('writes one JSON line per document to a function output (stdout works the same way)', async () => {
    const lines: string[] = [];
    const metrics = createMetrics({ output: (line) => lines.push(line), service: 'svc' }, {});
    metrics.addMetric('Jobs', 'Count', 2);
    await metrics.shutdown();
    assert.equal(lines.length, 1);
    const doc = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(doc.Jobs, 2);
    assert.equal(doc.Service, 'svc');
  });

  it('throws MetricsConfigError at start-up for settings that cannot work', () => {
    assert.throws(() => createMetrics({ namespace: 'AWS/Lambda' }, {}), MetricsConfigError);
    assert.throws(() => createMetrics({ namespace: '' }, {}), /namespace is ""/);
    assert.throws(() => createMetrics({}, { CRUDDUR_METRICS_OUTPUT: 'kafka' }), /CRUDDUR_METRICS_OUTPUT is "kafka"; expected stdout or off/);
    assert.throws(() => createMetrics({ flushIntervalMs: 0 }, {}), /flushIntervalMs/);
    assert.throws(() => createMetrics({ defaultDimensions: { Bad: '' } }, {}), /defaultDimensions/);
    assert.throws(() => createMetrics({ maxDimensionSets: 0 }, {}), /maxDimensionSets/);
  });
});
