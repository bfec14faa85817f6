/** `meseta annotate app NAME KEY=VALUE... KEY-... [--overwrite]`: sets or removes annotations. */
import type { Command } from 'commander';
import { registerMetadataVerb } from './metadata-edit.ts';

export function register(program: Command): void {
  registerMetadataVerb(program, {
    name: 'annotate',
    field: 'annotations',
    what: 'annotation',
    done: 'annotated',
    example: "  meseta annotate app web owner='team payments'\n  meseta annotate app web owner-",
  });
}
