import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderAppTypes, typesUrl } from '../../src/api/typegen.ts';
import type { OpenApiSchema } from '../../src/api/crd.ts';

describe('generated App types', () => {
  it('src/api/app-types.ts is exactly what the CRD generates (run `node --import tsx src/api/typegen.ts`)', async () => {
    expect(readFileSync(typesUrl, 'utf8')).toBe(await renderAppTypes());
  });

  it('makes fields with defaults required and the others optional', async () => {
    const schema: OpenApiSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['cmd'],
          properties: {
            cmd: { type: 'string' },
            instances: { type: 'integer', default: 1 },
            env: { type: 'object', additionalProperties: { type: 'string' } },
            tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
          },
        },
      },
    };
    const text = await renderAppTypes(schema);
    expect(text).toContain('cmd: string;');
    expect(text).toContain('instances: number;');
    expect(text).toContain('env?: Record<string, string>;');
    expect(text).toContain("tags?: ('a' | 'b')[];");
  });

  it('refuses an object type it has no name for, so a new CRD object cannot slip through', async () => {
    const schema: OpenApiSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { novel: { type: 'object', properties: { a: { type: 'string' } } } },
        },
      },
    };
    await expect(renderAppTypes(schema)).rejects.toThrow('spec.novel');
  });
});
