/**
 * Generates `src/api/app-types.ts` from the App CRD's schema, so the TypeScript types cannot
 * drift from what validation accepts: `test/api/typegen.test.ts` fails when the committed file
 * differs from a fresh rendering. After changing the CRD run
 * `node --import tsx src/api/typegen.ts`.
 *
 * The types describe a defaulted App (what `parseApp` returns and the store holds): a field
 * with a schema default is not optional.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { appSchema } from './crd.ts';
import type { OpenApiSchema } from './crd.ts';

/** Names of the generated types, by schema path. Every object with properties needs one. */
const typeNames: Record<string, string> = {
  '': 'App',
  metadata: 'ObjectMeta',
  spec: 'AppSpec',
  'spec.container': 'Container',
  'spec.container.type': 'ContainerType',
  'spec.container.docker': 'DockerContainer',
  'spec.container.docker.parameters[]': 'DockerParameter',
  'spec.container.portMappings[]': 'PortMapping',
  'spec.container.volumes[]': 'Volume',
  'spec.networks[]': 'Network',
  'spec.networks[].mode': 'NetworkMode',
  'spec.portDefinitions[]': 'PortDefinition',
  'spec.portDefinitions[].protocol': 'PortProtocol',
  'spec.container.portMappings[].protocol': 'PortProtocol',
  'spec.constraints[]': 'Constraint',
  'spec.constraints[].operator': 'ConstraintOperator',
  'spec.healthChecks[]': 'HealthCheck',
  'spec.healthChecks[].protocol': 'HealthCheckProtocol',
  'spec.healthChecks[].command': 'HealthCheckCommand',
  'spec.readinessChecks[]': 'ReadinessCheck',
  'spec.upgradeStrategy': 'UpgradeStrategy',
  'spec.killSelection': 'KillSelection',
  'spec.unreachableStrategy': 'UnreachableStrategy',
  status: 'AppStatus',
  'status.conditions[]': 'Condition',
  'status.conditions[].status': 'ConditionStatus',
};

/** Types declared elsewhere (the CRD cannot describe metadata). */
const external: Record<string, string> = { ObjectMeta: './metadata.ts' };

export async function renderAppTypes(schema: OpenApiSchema = appSchema): Promise<string> {
  const declarations = new Map<string, string>();
  const typeOf = (node: OpenApiSchema, path: string): string => {
    const named = typeNames[path];
    if (node.enum) {
      const union = node.enum.map((v) => JSON.stringify(v)).join(' | ');
      return named ? declare(named, () => `export type ${named} = ${union};`) : union;
    }
    switch (node.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        const item = typeOf(node.items ?? {}, `${path}[]`);
        return item.includes(' ') ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
        if (named && external[named]) return declare(named, () => '');
        if (node.properties) {
          if (!named) throw new Error(`typegen: name the object type at "${path}" in typeNames`);
          return declare(named, () => renderInterface(named, node, path));
        }
        if (typeof node.additionalProperties === 'object') {
          return `Record<string, ${typeOf(node.additionalProperties, `${path}{}`)}>`;
        }
        return 'Record<string, unknown>';
      default:
        throw new Error(`typegen: no type at "${path}"`);
    }
  };
  // Declarations come out parent first: a name takes its place before its members render.
  const declare = (name: string, render: () => string): string => {
    const previous = declarations.get(name);
    if (previous === undefined) declarations.set(name, '');
    const text = render();
    if (previous !== undefined && previous !== text) {
      throw new Error(`typegen: two different types are named ${name}`);
    }
    declarations.set(name, text);
    return name;
  };
  const renderInterface = (name: string, node: OpenApiSchema, path: string): string => {
    const lines = [...docComment(node), `export interface ${name} {`];
    for (const [key, sub] of Object.entries(node.properties ?? {})) {
      const optional = !(node.required ?? []).includes(key) && sub.default === undefined;
      const childPath = path ? `${path}.${key}` : key;
      lines.push(...docComment(sub), `${key}${optional ? '?' : ''}: ${typeOf(sub, childPath)};`);
    }
    lines.push('}');
    return lines.join('\n');
  };

  typeOf(schema, '');
  const imports = [...declarations.keys()]
    .filter((name) => external[name])
    .map((name) => `import type { ${name} } from '${external[name]}';`);
  const body = [...declarations.values()].filter(Boolean);
  const text = [
    '// Generated from crds/apps.meseta.io.yaml by src/api/typegen.ts. Do not edit: change the',
    '// CRD and run `node --import tsx src/api/typegen.ts`.',
    ...imports,
    '',
    ...body.map((d) => `${d}\n`),
  ].join('\n');
  const options = await prettier.resolveConfig(fileURLToPath(typesUrl));
  return prettier.format(text, { ...options, parser: 'typescript' });
}

function docComment(node: OpenApiSchema): string[] {
  const facts: string[] = [];
  if (node.description) facts.push(node.description.trim());
  const limits: string[] = [];
  if (node.minimum !== undefined) limits.push(`>= ${node.minimum}`);
  if (node.maximum !== undefined) limits.push(`<= ${node.maximum}`);
  if (limits.length) facts.push(`Range: ${limits.join(', ')}.`);
  if (node.default !== undefined) facts.push(`Default: \`${JSON.stringify(node.default)}\`.`);
  if (facts.length === 0) return [];
  return [
    '/**',
    ...facts
      .join(' ')
      .replace(/\*\//g, '*\\/')
      .split('\n')
      .map((l) => ` * ${l}`),
    ' */',
  ];
}

export const typesUrl = new URL('./app-types.ts', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(typesUrl, await renderAppTypes());
  process.stdout.write(`wrote ${fileURLToPath(typesUrl)}\n`);
}
