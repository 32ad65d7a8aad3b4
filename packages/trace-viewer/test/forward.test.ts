// --forward: every datagram, valid or not, reaches the real daemon unchanged.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { startDaemonSink } from '@cruddur/fakes';
import { parseHostPort } from '../src/forwarder.js';
import { startTraceViewer } from '../src/index.js';
import { Sender, datagram, twoServiceTrace } from './fixtures.js';

void describe('forward relay', () => {
  void it('relays every received datagram byte for byte to the target', async () => {
    const daemon = await startDaemonSink();
    const viewer = await startTraceViewer({ udpPort: 0, web: false, forward: daemon.address, finishAfterMs: 20 });
    const sender = new Sender(viewer.udpPort);
    try {
      const t = twoServiceTrace();
      const sent = [datagram(t.a), datagram(t.b), Buffer.from('{"format":"json","version":1}\n{"broken'), Buffer.from('no header at all')];
      await sender.sendAll(sent);
      await viewer.store.waitForTrace(t.traceId, 3000);
      const deadline = Date.now() + 3000;
      while (daemon.datagrams.length < sent.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(
        daemon.datagrams.map((d) => d.raw.toString('hex')).sort(),
        sent.map((b) => b.toString('hex')).sort(),
        'the relay neither filters nor rewrites',
      );
      const stats = viewer.stats().forward!;
      assert.equal(stats.target, daemon.address);
      assert.equal(stats.sent, 4);
      assert.equal(stats.errors, 0);
      assert.equal(viewer.stats().malformed.invalid_json, 1, 'the viewer still judges what it relays');
    } finally {
      await sender.close();
      await viewer.close();
      await daemon.close();
    }
  });

  void it('keeps receiving when the target is not listening', async () => {
    // Reserve a port, then free it, so nothing listens there.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const deadPort = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const viewer = await startTraceViewer({ udpPort: 0, web: false, forward: { host: '127.0.0.1', port: deadPort }, finishAfterMs: 20 });
    const sender = new Sender(viewer.udpPort);
    try {
      const t = twoServiceTrace();
      await sender.sendAll([t.a, t.b]);
      const trace = await viewer.store.waitForTrace(t.traceId, 3000);
      assert.equal(trace.documentCount, 2);
    } finally {
      await sender.close();
      await viewer.close();
    }
  });

  void it('refuses to start when the target host does not resolve', async () => {
    await assert.rejects(startTraceViewer({ udpPort: 0, web: false, forward: 'no-such-host.invalid:2000' }), /ENOTFOUND|EAI_AGAIN/);
  });

  void it('parses host:port and names the bad value', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:2000'), { host: '127.0.0.1', port: 2000 });
    assert.deepEqual(parseHostPort('xray-daemon:2000'), { host: 'xray-daemon', port: 2000 });
    assert.deepEqual(parseHostPort('[::1]:2000'), { host: '::1', port: 2000 });
    for (const bad of ['2000', 'host:', 'host:0', 'host:70000', ':2000', 'a b:1']) {
      assert.throws(
        () => parseHostPort(bad),
        (error: unknown) => error instanceof RangeError && error.message.includes(`got ${JSON.stringify(bad)}`),
        bad,
      );
    }
  });
});
