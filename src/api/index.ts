/**
 * The App API: types, loading, validation and defaulting, and conversion from Marathon. Import
 * from here rather than from the modules behind it.
 */
export type * from './app-types.ts';
export type { ObjectMeta } from './metadata.ts';
export { DEFAULT_NAMESPACE, nameProblem, namespaceProblem } from './metadata.ts';
export {
  APP_API_VERSION,
  APP_GROUP,
  APP_KIND,
  APP_RESOURCE,
  APP_VERSION,
  appSchema,
} from './crd.ts';
export { defaultApp, parseApp, parseAppDocuments, validateApp } from './app.ts';
export type { ParsedApp, ParsedDocuments, ValidateOptions } from './app.ts';
export { loadManifests, parseManifests } from './load.ts';
export type { LoadOptions, LoadResult, ManifestDocument } from './load.ts';
export { SourcePositions } from './positions.ts';
export type { Position } from './positions.ts';
export { formatPath } from './field-path.ts';
export type { FieldPath, PathSegment } from './field-path.ts';
export {
  convertMarathon,
  convertMarathonApp,
  convertMarathonDocuments,
  namespaceAndName,
} from './marathon.ts';
export type { Conversion, ConversionNote, ConvertedDocuments } from './marathon.ts';
