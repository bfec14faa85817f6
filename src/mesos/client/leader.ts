/**
 * Finding the leading master. The client knows a list of masters; any of them may be the
 * leader, a follower (which answers 307 with a protocol-relative `Location:
 * //leader:5050/api/v1/scheduler`), recovering or leaderless (503), or down. `find` tries the
 * last known leader first and then the list in order, follows redirects, and returns the first
 * real answer; when every master fails it throws one MasterUnreachableError saying what each
 * one answered, and the caller backs off before the next round.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../log.ts';
import { MasterUnreachableError } from './errors.ts';
import { discard, origin, readBody } from './http.ts';

export interface LeaderAnswer {
  url: URL;
  response: IncomingMessage;
}

export class LeaderDetector {
  private leader: URL | undefined;

  constructor(
    private readonly masters: readonly URL[],
    private readonly maxRedirects: number,
    private readonly logger: Logger,
  ) {}

  /** The master that last gave a real answer. */
  get current(): URL | undefined {
    return this.leader;
  }

  /** Masters in the order to try them: the last known leader first. */
  candidates(): URL[] {
    const list = this.leader ? [this.leader, ...this.masters] : [...this.masters];
    const seen = new Set<string>();
    return list.filter((url) => !seen.has(url.href) && seen.add(url.href));
  }

  /**
   * Sends the request (via `send`) to each candidate until one answers with something other
   * than a redirect or a 503, and returns that answer with the URL that gave it.
   */
  async find(
    send: (url: URL) => Promise<IncomingMessage>,
    signal: AbortSignal,
  ): Promise<LeaderAnswer> {
    const failures: string[] = [];
    for (const start of this.candidates()) {
      let url = start;
      for (let redirects = 0; ; redirects++) {
        let response: IncomingMessage;
        try {
          response = await send(url);
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          failures.push(`${origin(url)}: ${(error as Error).message}`);
          break;
        }
        const status = response.statusCode ?? 0;
        if (status === 307) {
          const location = response.headers.location;
          discard(response);
          if (!location) {
            failures.push(`${origin(url)}: 307 without a Location header`);
            break;
          }
          if (redirects >= this.maxRedirects) {
            failures.push(`${origin(url)}: more than ${this.maxRedirects} redirects`);
            break;
          }
          const next = resolveLocation(url, location);
          this.logger.debug('master redirected to the leader', {
            from: origin(url),
            to: origin(next),
          });
          url = next;
          continue;
        }
        if (status === 503) {
          const text = (await readBody(response, signal, 4096).catch(() => Buffer.alloc(0)))
            .toString('utf8')
            .trim();
          failures.push(`${origin(url)}: 503 ${text || 'Service Unavailable'}`);
          break;
        }
        this.leader = url;
        return { url, response };
      }
    }
    throw new MasterUnreachableError(`No leading master found: ${failures.join('; ')}`);
  }
}

/**
 * Where a 307 points. Mesos sends a protocol-relative URL (`//host:port/path`), which keeps
 * the scheme we used; its documentation shows a bare `host:port`, which we accept too.
 */
export function resolveLocation(from: URL, location: string): URL {
  if (/^[^/:]+:\d+$/.test(location))
    return new URL(`${from.protocol}//${location}${from.pathname}`);
  return new URL(location, from);
}
