import { describe, expect, it } from 'vitest';
import { parseListen } from '../../src/cli/store-serve.ts';
import { UsageError } from '../../src/errors.ts';

describe('meseta store serve --listen', () => {
  it('reads host:port, [v6]:port and a bare port', () => {
    expect(parseListen('127.0.0.1:2379')).toEqual({ host: '127.0.0.1', port: 2379 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('2380')).toEqual({ host: '127.0.0.1', port: 2380 });
  });

  it('names the flag when the address is wrong', () => {
    expect(() => parseListen('localhost')).toThrow(UsageError);
    expect(() => parseListen('h:99999')).toThrow('--listen: expected host:port');
  });
});
