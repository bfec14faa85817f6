import { describe, expect, it } from 'vitest';
import { runInProcess } from './run-in-process.ts';

describe('meseta VERB --help', () => {
  const verbs = [
    ['apply'],
    ['diff'],
    ['get'],
    ['describe'],
    ['delete'],
    ['scale'],
    ['edit'],
    ['label'],
    ['annotate'],
    ['rollout', 'status'],
    ['config'],
    ['completion'],
  ];
  for (const verb of verbs) {
    it(`${verb.join(' ')} shows examples and the global connection flags`, async () => {
      const result = await runInProcess([...verb, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('\nExamples:\n  meseta ');
      expect(result.stdout).toContain('-n, --namespace <namespace>');
      expect(result.stdout).toContain('--etcd <urls>');
    });
  }
});
