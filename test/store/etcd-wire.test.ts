import { describe, expect, it } from 'vitest';
import { rangeKeys, toCompare, toOpResult, toRequestOp } from '../../src/store/etcd-wire.ts';

describe('etcd wire conversions', () => {
  it('turns a prefix into [prefix, prefix with its last byte incremented)', () => {
    expect(rangeKeys({ prefix: '/meseta/' })).toEqual({
      key: Buffer.from('/meseta/'),
      range_end: Buffer.from('/meseta0'),
    });
    expect(rangeKeys({ prefix: 'a\u00ff' }).range_end).toEqual(Buffer.from([0x61, 0xc3, 0xc0]));
    expect(rangeKeys({ prefix: '' }).range_end).toEqual(Buffer.from([0]));
    expect(rangeKeys({ key: 'k' })).toEqual({ key: Buffer.from('k') });
  });

  it('maps compares and operations to etcd3 requests', () => {
    expect(toCompare({ key: 'k', target: 'mod', result: '!=', revision: '7' })).toEqual({
      key: Buffer.from('k'),
      result: 'NotEqual',
      target: 'Mod',
      mod_revision: '7',
    });
    expect(toRequestOp({ type: 'put', key: 'k', value: 'v', lease: '0' })).toEqual({
      request_put: { key: Buffer.from('k'), value: Buffer.from('v') },
    });
    expect(toRequestOp({ type: 'put', key: 'k', value: 'v', lease: '42' }).request_put?.lease).toBe(
      '42',
    );
    expect(
      toOpResult(
        { response_delete_range: { deleted: '2', prev_kvs: [] } } as never,
        { type: 'delete', range: { key: 'k' } },
        '9',
      ),
    ).toEqual({ type: 'delete', deleted: 2, prevKvs: [] });
  });
});
