import dgram from 'node:dgram';
import net from 'node:net';

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const handedOut = new Set<number>();

export interface FreePortOptions {
  /** Also free for UDP (the X-Ray daemon role listens on both). */
  readonly udp?: boolean;
}

/**
 * A loopback port free for TCP (and UDP when asked), never handed out twice in one process, so
 * helpers that ask for several ports before anything listens never get the same one twice.
 */
export async function freePort(options: FreePortOptions = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await ephemeralPort();
    if (handedOut.has(port)) continue;
    if (options.udp === true && !(await udpFree(port))) continue;
    if (!(await tcpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port found in 50 attempts');
}
