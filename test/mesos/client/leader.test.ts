import { describe, expect, it } from 'vitest';
import { LeaderDetector, resolveLocation } from '../../../src/mesos/client/leader.ts';
import { silentLogger } from '../../../src/log.ts';

describe('resolveLocation', () => {
  const from = new URL('https://m1:5050/api/v1/scheduler');

  it('keeps our scheme for the protocol-relative Location Mesos sends', () => {
    expect(resolveLocation(from, '//m2.example:5051/api/v1/scheduler').href).toBe(
      'https://m2.example:5051/api/v1/scheduler',
    );
  });

  it("accepts the documentation's bare host:port", () => {
    expect(resolveLocation(from, 'm3:5050').href).toBe('https://m3:5050/api/v1/scheduler');
  });

  it('accepts absolute URLs', () => {
    expect(resolveLocation(from, 'http://m4:5050/master/api/v1/scheduler').href).toBe(
      'http://m4:5050/master/api/v1/scheduler',
    );
  });
});

describe('LeaderDetector', () => {
  it('tries the last leader first, then the list without duplicates', async () => {
    const urls = ['http://a:1/x', 'http://b:1/x', 'http://c:1/x'].map((u) => new URL(u));
    const detector = new LeaderDetector(urls, 3, silentLogger);
    expect(detector.candidates().map((u) => u.host)).toEqual(['a:1', 'b:1', 'c:1']);
    const tried: string[] = [];
    const signal = new AbortController().signal;
    await detector.find(async (url) => {
      tried.push(url.host);
      if (url.host !== 'b:1') throw new Error('ECONNREFUSED');
      return { statusCode: 200, headers: {} } as never;
    }, signal);
    expect(tried).toEqual(['a:1', 'b:1']);
    expect(detector.current?.host).toBe('b:1');
    expect(detector.candidates().map((u) => u.host)).toEqual(['b:1', 'a:1', 'c:1']);
  });

  it('says what every master answered when none leads', async () => {
    const detector = new LeaderDetector(
      [new URL('http://a:1/x'), new URL('http://b:2/x')],
      3,
      silentLogger,
    );
    const error = await detector
      .find(async (url) => {
        throw new Error(`refused by ${url.host}`);
      }, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'No leading master found: http://a:1: refused by a:1; http://b:2: refused by b:2',
    );
  });
});
