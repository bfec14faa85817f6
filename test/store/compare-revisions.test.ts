import { describe, expect, it } from 'vitest';
import { compareRevisions } from '../../src/store/kv.ts';

describe('compareRevisions', () => {
  it('orders decimal revisions as numbers, beyond 2^53 too', () => {
    const sign = (a: string, b: string) => Math.sign(compareRevisions(a, b));
    expect(sign('9', '10')).toBe(-1);
    expect(sign('10', '9')).toBe(1);
    expect(sign('123', '123')).toBe(0);
    expect(sign('120', '121')).toBe(-1);
    expect(sign('0', '1')).toBe(-1);
    expect(sign('9007199254740993', '9007199254740992')).toBe(1);
    const random = Array.from({ length: 200 }, () => String(Math.floor(Math.random() * 1e12)));
    const sorted = [...random].sort(compareRevisions);
    expect(sorted).toEqual([...random].sort((a, b) => Number(BigInt(a) - BigInt(b))));
  });
});
