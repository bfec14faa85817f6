/** The table `get revisions` prints: NAME, APP, REVISION, HASH (of the template), AGE. */
import type { AppRevision } from '../api/app-revision.ts';
import { humanAge } from './age.ts';
import type { ObjectView } from './object-output.ts';

export const revisionView: ObjectView<AppRevision> = {
  resource: 'apprevision.meseta.io',
  listKind: 'AppRevisionList',
  headers: (options) => [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'APP',
    'REVISION',
    'HASH',
    'AGE',
  ],
  row: (revision, options) => [
    ...(options.allNamespaces ? [revision.metadata.namespace ?? ''] : []),
    revision.metadata.name,
    revision.spec.app,
    String(revision.spec.revision),
    revision.spec.templateHash,
    humanAge(revision.metadata.creationTimestamp, options.now),
  ],
};
