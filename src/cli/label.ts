/** `meseta label app NAME KEY=VALUE... KEY-... [--overwrite]`: sets or removes App labels. */
import type { Command } from 'commander';
import { registerMetadataVerb } from './metadata-edit.ts';

export function register(program: Command): void {
  registerMetadataVerb(program, {
    name: 'label',
    field: 'labels',
    what: 'label',
    done: 'labeled',
    example:
      '  meseta label app web tier=frontend\n  meseta label app web tier=backend --overwrite\n  meseta label app web tier-',
  });
}
