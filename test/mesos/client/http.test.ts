import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../src/clock.ts';
import { CallDeadlines } from '../../../src/mesos/client/call-deadlines.ts';
import { MasterUnreachableError } from '../../../src/mesos/client/errors.ts';
import { CallEndpoint, callPool } from '../../../src/mesos/client/http.ts';
import { makeCertificates } from '../../support/tls.ts';
import { until } from '../../support/until.ts';

type Handler = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(
  handler: Handler,
  host = '127.0.0.1',
  tls?: { key: string; cert: string },
): Promise<number> {
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(parts), response));
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** An endpoint on a pool of its own: `connections` (default 16), 8 calls each, `ca` for https. */
function endpointFor(
  url: string,
  options: { connections?: number; ca?: string; maxBodyBytes?: number } = {},
): CallEndpoint {
  const pool = callPool(new URL(url).origin, {
    connections: options.connections ?? 16,
    pipelining: 8,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  closers.push(() => pool.destroy());
  const headers = { 'Content-Type': 'application/x-protobuf', 'Mesos-Stream-Id': 'stream-1' };
  return new CallEndpoint(new URL(url), headers, pool, options.maxBodyBytes);
}

describe('CallEndpoint', () => {
  const deadlines = new CallDeadlines(realClock, 5000);

  it('POSTs with the prepared headers over one kept-alive connection, and reads the answer', async () => {
    const seen: { headers: string[]; body: string; socket: unknown }[] = [];
    const port = await serve((request, body, response) => {
      seen.push({ headers: request.rawHeaders, body: body.toString(), socket: request.socket });
      response.writeHead(seen.length === 1 ? 202 : 400, { 'Content-Type': 'text/plain' });
      response.end(seen.length === 1 ? '' : 'Failed to validate scheduler::Call: nope');
    });
    const endpoint = endpointFor(`http://127.0.0.1:${port}/api/v1/scheduler?x=1`, {
      connections: 1,
    });
    for (const expected of [
      { status: 202, body: '' },
      { status: 400, body: 'Failed to validate scheduler::Call: nope' },
    ]) {
      const call = deadlines.start('ACKNOWLEDGE to m');
      const answer = await endpoint.send(Buffer.from('call-bytes'), call);
      deadlines.finish(call);
      expect({ status: answer.status, body: answer.body.toString() }).toEqual(expected);
    }
    expect(seen[0]!.headers).toEqual([
      'host',
      `127.0.0.1:${port}`,
      'connection',
      'keep-alive',
      'Content-Type',
      'application/x-protobuf',
      'Mesos-Stream-Id',
      'stream-1',
      'content-length',
      '10',
    ]);
    expect(seen.map((s) => s.body)).toEqual(['call-bytes', 'call-bytes']);
    expect(seen[1]!.socket).toBe(seen[0]!.socket);
  });

  it('pipelines repeatable calls on a connection, and sends any other alone', async () => {
    // A master that reads raw requests and answers only what it is told to, in order.
    const received: string[] = [];
    let socket: net.Socket | undefined;
    const server = net.createServer((s) => {
      socket = s;
      s.on('data', (data) => {
        for (const found of data.toString().matchAll(/\r\n\r\n([a-z])/g)) received.push(found[1]!);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const answer = (body: string) =>
      socket!.write(`HTTP/1.1 202 Accepted\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const port = (server.address() as AddressInfo).port;
    const endpoint = endpointFor(`http://127.0.0.1:${port}/`, { connections: 1 });
    const send = (body: string, repeatable: boolean) => {
      const call = deadlines.start('ACKNOWLEDGE to m');
      return endpoint
        .send(Buffer.from(body), call, repeatable)
        .then((a) => a.body.toString())
        .finally(() => deadlines.finish(call));
    };

    const pipelined = ['a', 'b', 'c'].map((body) => send(body, true));
    await until(() => received.length === 3, { what: 'three calls before any answer' });
    for (const body of ['a', 'b', 'c']) answer(`to ${body}`);
    expect(await Promise.all(pipelined)).toEqual(['to a', 'to b', 'to c']);

    const alone = ['d', 'e'].map((body) => send(body, false));
    await until(() => received.length === 4, { what: 'the first call' });
    // What must not happen can only be looked for after a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual(['a', 'b', 'c', 'd']); // e waits for d's answer
    answer('to d');
    await until(() => received.length === 5, { what: 'the second call' });
    answer('to e');
    expect(await Promise.all(alone)).toEqual(['to d', 'to e']);
  });

  it('keeps at most the limit of a long answer', async () => {
    const port = await serve((_request, _body, response) => {
      response.writeHead(500);
      response.end('x'.repeat(100_000));
    });
    const endpoint = endpointFor(`http://127.0.0.1:${port}/`, { maxBodyBytes: 1000 });
    const call = deadlines.start('KILL to m');
    const answer = await endpoint.send(Buffer.from('k'), call);
    deadlines.finish(call);
    expect(answer.status).toBe(500);
    expect(answer.body.length).toBe(1000);
  });

  it('reaches an IPv6 master and an https one', async () => {
    let v6Host: string | undefined;
    const v6 = await serve((request, _body, response) => {
      v6Host = request.headers.host;
      response.writeHead(202);
      response.end();
    }, '::1');
    const endpoint = endpointFor(`http://[::1]:${v6}/api/v1/scheduler`);
    const call = deadlines.start('REVIVE to m');
    expect((await endpoint.send(Buffer.from('r'), call)).status).toBe(202);
    expect(v6Host).toBe(`[::1]:${v6}`);
    deadlines.finish(call);

    const certs = makeCertificates();
    closers.push(async () => certs.remove());
    const tls = {
      key: readFileSync(certs.serverKey, 'utf8'),
      cert: readFileSync(certs.serverCert, 'utf8'),
    };
    const port = await serve(
      (_request, body, response) => {
        response.writeHead(202);
        response.end(body.toString() === 'secure' ? '' : 'wrong body');
      },
      '127.0.0.1',
      tls,
    );
    const secure = endpointFor(`https://127.0.0.1:${port}/api/v1/scheduler`, {
      ca: readFileSync(certs.ca, 'utf8'),
    });
    const call2 = deadlines.start('REVIVE to m');
    const answer = await secure.send(Buffer.from('secure'), call2);
    deadlines.finish(call2);
    expect({ status: answer.status, body: answer.body.toString() }).toEqual({
      status: 202,
      body: '',
    });
  });

  it('fails with MasterUnreachableError when the master drops the connection mid-answer', async () => {
    const port = await serve((_request, _body, response) => {
      response.writeHead(202, { 'Content-Length': '100' });
      response.write('only part of it');
      setImmediate(() => response.socket!.destroy());
    });
    const endpoint = endpointFor(`http://127.0.0.1:${port}/`);
    const call = deadlines.start('ACKNOWLEDGE to m');
    const error = await endpoint.send(Buffer.from('a'), call).catch((e: unknown) => e);
    deadlines.finish(call);
    expect(error).toBeInstanceOf(MasterUnreachableError);
  });

  it('aborts with the deadline reason and closes the request', async () => {
    let closed = false;
    const port = await serve((request) => {
      request.socket.on('close', () => (closed = true)); // never answers
    });
    const endpoint = endpointFor(`http://127.0.0.1:${port}/`);
    const short = new CallDeadlines(realClock, 50);
    const call = short.start('KILL to http://m1:5050');
    const error = await endpoint.send(Buffer.from('k'), call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MasterUnreachableError);
    expect((error as Error).message).toBe('KILL to http://m1:5050: no answer within 50 ms');
    await until(() => closed, { what: 'the master to see the request closed' });
  });

  it('times out a call still queued for a connection that a silent master holds', async () => {
    const port = await serve(() => {}); // never answers
    const endpoint = endpointFor(`http://127.0.0.1:${port}/`, { connections: 1 });
    const short = new CallDeadlines(realClock, 100);
    const calls = [short.start('KILL to m'), short.start('REVIVE to m')];
    const errors = await Promise.all(
      calls.map((call) => endpoint.send(Buffer.from('x'), call).catch((e: unknown) => e)),
    );
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'KILL to m: no answer within 100 ms',
      'REVIVE to m: no answer within 100 ms',
    ]);
  });
});
