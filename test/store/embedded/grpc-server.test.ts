import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeGrpcMessage,
  GrpcServer,
  MessageReader,
  StatusError,
  type GrpcMethod,
} from '../../../src/store/embedded/grpc-server.ts';

const text = {
  decode: (bytes: Buffer) => {
    if (bytes.toString() === 'garbage') throw new Error('cannot decode');
    return bytes.toString();
  },
  encode: (message: unknown) => Buffer.from(String(message)),
};

const methods: GrpcMethod[] = [
  { path: '/t.S/Echo', ...text, unary: async (request) => `echo ${String(request)}` },
  {
    path: '/t.S/Fail',
    ...text,
    unary: () => Promise.reject({ code: 5, details: 'nicht gefunden: 100% übel' }),
  },
  {
    path: '/t.S/Throw',
    ...text,
    unary: () => {
      throw new Error('thrown');
    },
  },
  { path: '/t.S/Reject', ...text, unary: () => Promise.reject(new Error('rejected')) },
  {
    path: '/t.S/Chat',
    ...text,
    bidi: (call) => {
      call.on('data', (message) => call.write(`got ${String(message)}`));
      call.on('end', () => call.end({ code: 9, details: 'done' }));
    },
  },
];

function grpcFrame(message: string, compressed = 0): Buffer {
  const body = Buffer.from(message);
  const prefix = Buffer.from([compressed, 0, 0, 0, 0]);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

interface Answer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  data: Buffer;
}

let server: GrpcServer;
let client: http2.ClientHttp2Session;

beforeAll(async () => {
  server = await GrpcServer.listen(methods, {
    host: '127.0.0.1',
    port: 0,
    maxReceiveBytes: 1024,
    failureStatus: (error) => ({ code: 14, details: `mapped ${(error as Error).message}` }),
  });
  client = http2.connect(`http://127.0.0.1:${server.port}`);
});

afterAll(async () => {
  client.close();
  await server.close();
});

function call(path: string, body: Buffer[], contentType = 'application/grpc'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = client.request({
      ':method': 'POST',
      ':path': path,
      'content-type': contentType,
      te: 'trailers',
    });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const data: Buffer[] = [];
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (chunk: Buffer) => data.push(chunk));
    req.on('end', () => resolve({ headers, trailers, data: Buffer.concat(data) }));
    req.on('error', reject);
    for (const part of body) req.write(part);
    req.end();
  });
}

/** grpc-status wherever it came: in trailers, or in the headers of a trailers-only answer. */
const status = (a: Answer) => Number(a.trailers['grpc-status'] ?? a.headers['grpc-status']);
const message = (a: Answer) => a.trailers['grpc-message'] ?? a.headers['grpc-message'];

describe('GrpcServer', () => {
  it('answers a unary call with one header block, the framed message and status 0', async () => {
    const answer = await call('/t.S/Echo', [grpcFrame('hi')]);
    expect(answer.headers[':status']).toBe(200);
    expect(answer.headers['content-type']).toBe('application/grpc');
    expect(answer.headers.date).toBeUndefined();
    expect(answer.data.equals(grpcFrame('echo hi'))).toBe(true);
    expect(status(answer)).toBe(0);
  });

  it('reads a request split anywhere, even inside the 5-byte prefix', async () => {
    const whole = grpcFrame('split');
    const parts = [whole.subarray(0, 2), whole.subarray(2, 6), whole.subarray(6)];
    const answer = await call('/t.S/Echo', parts);
    expect(answer.data.equals(grpcFrame('echo split'))).toBe(true);
  });

  it('answers a handler’s rejection with its code and a percent-encoded message', async () => {
    const answer = await call('/t.S/Fail', [grpcFrame('x')]);
    expect(status(answer)).toBe(5);
    expect(message(answer)).toBe('nicht gefunden: 100%25 %C3%BCbel');
    expect(decodeURIComponent(String(message(answer)))).toBe('nicht gefunden: 100% übel');
    expect(answer.data.length).toBe(0);
  });

  it('maps a handler’s own errors, thrown or rejected, through failureStatus', async () => {
    const thrown = await call('/t.S/Throw', [grpcFrame('x')]);
    expect([status(thrown), message(thrown)]).toEqual([14, 'mapped thrown']);
    const rejected = await call('/t.S/Reject', [grpcFrame('x')]);
    expect([status(rejected), message(rejected)]).toEqual([14, 'mapped rejected']);
  });

  it('answers UNIMPLEMENTED for a method it does not serve', async () => {
    const answer = await call('/t.S/Nope', [grpcFrame('x')]);
    expect(status(answer)).toBe(12);
    expect(message(answer)).toMatch(/does not implement the method \/t\.S\/Nope/);
  });

  it('answers HTTP 415 to a request that is not gRPC', async () => {
    const answer = await call('/t.S/Echo', [Buffer.from('hello')], 'text/plain');
    expect(answer.headers[':status']).toBe(415);
  });

  it('refuses oversized, compressed, undecodable, missing and repeated requests', async () => {
    expect(status(await call('/t.S/Echo', [grpcFrame('x'.repeat(1025))]))).toBe(8);
    expect(status(await call('/t.S/Echo', [grpcFrame('x', 1)]))).toBe(12);
    const garbage = await call('/t.S/Echo', [grpcFrame('garbage')]);
    expect([status(garbage), message(garbage)]).toEqual([13, 'Error deserializing request']);
    expect(status(await call('/t.S/Echo', []))).toBe(12);
    expect(status(await call('/t.S/Echo', [grpcFrame('a'), grpcFrame('b')]))).toBe(12);
    expect(status(await call('/t.S/Echo', [grpcFrame('abc').subarray(0, 6)]))).toBe(12);
  });

  it('streams both ways, and ends with the status the handler gives', async () => {
    const answer = await call('/t.S/Chat', [grpcFrame('a'), grpcFrame('b')]);
    expect(answer.data.equals(Buffer.concat([grpcFrame('got a'), grpcFrame('got b')]))).toBe(true);
    expect([status(answer), message(answer)]).toEqual([9, 'done']);
  });
});

describe('MessageReader', () => {
  it('hands over each message once it is complete, fed one byte at a time', () => {
    const reader = new MessageReader(100);
    const bytes = Buffer.concat([grpcFrame('one'), grpcFrame(''), grpcFrame('three')]);
    const got: string[] = [];
    for (const byte of bytes) reader.push(Buffer.from([byte]), (m) => got.push(m.toString()));
    expect(got).toEqual(['one', '', 'three']);
    expect(reader.midMessage).toBe(false);
  });

  it('throws a status for a message over the limit, before it arrives', () => {
    const reader = new MessageReader(3);
    expect(() => reader.push(grpcFrame('four').subarray(0, 5), () => {})).toThrow(StatusError);
  });
});

describe('encodeGrpcMessage', () => {
  it('leaves printable ASCII alone and percent-encodes the rest, and %', () => {
    expect(encodeGrpcMessage('etcdserver: key is not provided')).toBe(
      'etcdserver: key is not provided',
    );
    expect(encodeGrpcMessage('a%b\nü')).toBe('a%25b%0A%C3%BC');
  });
});
