// A UDP sink in its own process: counts and discards datagrams, so receiving costs the measured
// process nothing. Prints its port on stdout, and the count when asked on stdin.
import { createSocket } from 'node:dgram';

const socket = createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024 });
let count = 0;
socket.on('message', () => {
  count++;
});
socket.bind(0, '127.0.0.1', () => {
  process.stdout.write(`${socket.address().port}\n`);
});
process.stdin.on('data', () => process.stdout.write(`${count}\n`));
process.stdin.on('end', () => socket.close());
