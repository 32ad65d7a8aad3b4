// A UDP sink in its own process (@cruddur/fakes' daemon sink, keeping nothing): counts and
// discards datagrams, so receiving costs the measured process nothing. Prints its port on stdout,
// and the count when asked on stdin.
import { startDaemonSink } from '@cruddur/fakes';

const sink = await startDaemonSink({ receiveBufferBytes: 16 * 1024 * 1024, keep: false });
process.stdout.write(`${sink.port}\n`);
process.stdin.on('data', () => process.stdout.write(`${sink.stats.datagrams}\n`));
process.stdin.on('end', () => void sink.close());
