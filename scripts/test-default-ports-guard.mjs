// Preloaded into every test process (`node --import ../../scripts/test-default-ports-guard.mjs --test …`):
// no test may send to the default X-Ray daemon (127.0.0.1:2000) or OTLP receiver (localhost:4318),
// where a developer's daemon or trace view would show test traffic. Each test gives its tracer a
// sink of its own; whatever still follows the defaults of the environment is caught here.
//
// Binding the real default ports would clash with a trace view a developer runs while testing, so
// the defaults are moved instead: AWS_XRAY_DAEMON_ADDRESS and OTEL_EXPORTER_OTLP_ENDPOINT point at a
// UDP socket and an HTTP server of this process (port 0), and the process fails at exit, naming
// what arrived, if anything did. Child processes that inherit the environment are caught the same
// way. Tests that need the real variables set their own, as they must anyway.
import dgram from 'node:dgram';
import http from 'node:http';

const arrivals = [];

const udp = dgram.createSocket('udp4');
udp.on('message', (message) => arrivals.push(`UDP datagram: ${message.toString('utf8', 0, Math.min(message.length, 300)).replaceAll('\n', ' ')}`));
await new Promise((resolve, reject) => {
  udp.once('error', reject);
  udp.bind(0, '127.0.0.1', resolve);
});
udp.unref();

const otlp = http.createServer((req, res) => {
  arrivals.push(`OTLP request: ${req.method} ${req.url} (${req.headers['content-type'] ?? 'no content-type'})`);
  req.resume();
  req.on('end', () => res.end());
});
await new Promise((resolve, reject) => {
  otlp.once('error', reject);
  otlp.listen(0, '127.0.0.1', resolve);
});
otlp.unref();

process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${udp.address().port}`;
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${otlp.address().port}`;
delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;

process.on('exit', () => {
  if (arrivals.length === 0) return;
  const shown = arrivals.slice(0, 5).map((a) => `  ${a}`).join('\n');
  const more = arrivals.length > 5 ? `\n  … and ${arrivals.length - 5} more` : '';
  process.stderr.write(
    `\n✖ ${arrivals.length} trace export(s) went to the default daemon or OTLP address (${process.argv[1] ?? 'this process'}):\n${shown}${more}\n` +
      'A test must give its tracer a sink of its own (e.g. createTestTracer() from @cruddur/middleware/testing, or startDaemonSink() from @cruddur/fakes).\n',
  );
  process.exitCode = 1;
});
