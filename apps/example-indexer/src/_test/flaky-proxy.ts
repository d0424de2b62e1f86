import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Random } from '../evm/random.js';

/** How the proxy misbehaves: shares of requests (deterministic by seed). */
export interface FlakyProxyOptions {
  /** Closes the connection without an answer. */
  dropRate: number;
  /** Answers HTTP 503. */
  errorRate: number;
  /** Forwards only after `delayMs` (longer than the client's timeout: the client gives up). */
  delayRate: number;
  delayMs: number;
  seed?: number;
}

/** A JSON-RPC proxy on 127.0.0.1 in front of a node, counting what it did. */
export interface FlakyProxy {
  readonly url: string;
  readonly counts: { forwarded: number; dropped: number; failed: number; delayed: number };
  close(): Promise<void>;
}

/** Starts an HTTP proxy on 127.0.0.1 (a free port) that drops, fails or delays some requests to `upstream`. */
export async function startFlakyProxy(upstream: string, options: FlakyProxyOptions): Promise<FlakyProxy> {
  const random = new Random(options.seed ?? 13);
  const counts = { forwarded: 0, dropped: 0, failed: 0, delayed: 0 };
  const target = new URL(upstream);
  const forward = (body: Buffer, incoming: IncomingMessage, response: ServerResponse): void => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (response.destroyed) return;
          response.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
          response.end(Buffer.concat(chunks));
        });
      },
    );
    outgoing.on('error', () => {
      if (!response.destroyed) response.destroy();
    });
    outgoing.end(body);
  };
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const roll = random.next();
      if (roll < options.dropRate) {
        counts.dropped++;
        incoming.socket.destroy();
      } else if (roll < options.dropRate + options.errorRate) {
        counts.failed++;
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('upstream unavailable (flaky proxy)');
      } else if (roll < options.dropRate + options.errorRate + options.delayRate) {
        counts.delayed++;
        setTimeout(() => forward(body, incoming, response), options.delayMs);
      } else {
        counts.forwarded++;
        forward(body, incoming, response);
      }
    });
  });
  // A dropped or timed-out client connection is expected here, not an error of the test.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
