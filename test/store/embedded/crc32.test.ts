import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Range } from '../../../src/store/embedded/crc32.ts';

describe('crc32Range', () => {
  it('agrees with zlib on whole buffers and on ranges inside them', () => {
    for (const size of [0, 1, 7, 64, 1000, 65_537]) {
      const bytes = randomBytes(size + 10);
      expect(crc32Range(bytes, 5, 5 + size)).toBe(crc32(bytes.subarray(5, 5 + size)));
    }
    expect(crc32Range(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
  });
});
