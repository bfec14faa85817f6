/** The `-l SELECTOR` flag of get, delete and apply: a bad selector is a usage error (exit 2). */
import { UsageError } from '../errors.ts';
import { parseLabelSelector, type LabelSelector } from '../store/label-selector.ts';

export function parseSelectorFlag(text: string): LabelSelector {
  try {
    return parseLabelSelector(text);
  } catch (error) {
    throw new UsageError(`-l: ${(error as Error).message}`);
  }
}
