/**
 * The small HTTP vocabulary the simulator's endpoints share: reading a request body, plain-text
 * answers the way libprocess writes them, and Accept-header matching (`acceptsMediaType`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const maxBodyBytes = 64 * 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        request.destroy();
        reject(new Error('request body too large'));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

// The answer to nearly every call (202, no body), built once.
const emptyBodyHeaders: Readonly<Record<string, string>> = { 'Content-Length': '0' };

export function sendText(
  response: ServerResponse,
  status: number,
  body = '',
  headers?: Record<string, string>,
): void {
  if (body === '' && !headers) {
    response.writeHead(status, emptyBodyHeaders);
    response.end();
    return;
  }
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(status, {
    ...(bytes.length > 0 ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}),
    'Content-Length': String(bytes.length),
    ...headers,
  });
  response.end(bytes);
}

export function sendBody(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(body.length),
  });
  response.end(body);
}

export function methodNotAllowed(response: ServerResponse, method: string | undefined): void {
  sendText(
    response,
    405,
    `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${method}'.`,
    { Allow: 'POST' },
  );
}

/**
 * Whether the request's Accept header allows `mediaType`: a missing header allows anything;
 * otherwise an entry that matches exactly, by `type/*` or by `*\/*`, with q > 0.
 */
export function acceptsMediaType(request: IncomingMessage, mediaType: string): boolean {
  const header = request.headers.accept;
  if (header === undefined) return true;
  const [type] = mediaType.split('/');
  let best: { specificity: number; q: number } | undefined;
  for (const entry of header.split(',')) {
    const [range, ...params] = entry.trim().split(';');
    const candidate = range!.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q') q = Number(value);
    }
    const specificity =
      candidate === mediaType ? 3 : candidate === `${type}/*` ? 2 : candidate === '*/*' ? 1 : 0;
    if (specificity > 0 && (!best || specificity > best.specificity)) best = { specificity, q };
  }
  return best !== undefined && best.q > 0;
}
