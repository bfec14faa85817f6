import { describe, expect, it } from 'vitest';
import { appTemplate, NON_TEMPLATE_FIELDS, templateHash } from '../../src/api/app-revision.ts';
import { app } from '../controllers/apps/fixtures.ts';

describe('appTemplate and templateHash', () => {
  it('leave out exactly the fields that do not define tasks', () => {
    const template = appTemplate(app('web', { instances: 5 }).spec);
    for (const field of NON_TEMPLATE_FIELDS) expect(template).not.toHaveProperty(field);
    expect(Object.keys(template).sort()).toEqual([
      'cmd',
      'cpus',
      'disk',
      'gpus',
      'mem',
      'requirePorts',
    ]);
  });

  it('hash equal templates equally whatever the key order, and different ones differently', () => {
    const a = appTemplate(app('web', { env: { A: '1', B: '2' } }).spec);
    const b = appTemplate(app('web', { env: { B: '2', A: '1' } }).spec);
    expect(templateHash(a)).toBe(templateHash(b));
    expect(templateHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(templateHash(appTemplate(app('web', { env: { A: '2' } }).spec))).not.toBe(
      templateHash(a),
    );
  });
});
