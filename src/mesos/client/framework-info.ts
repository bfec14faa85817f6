/**
 * Builds the FrameworkInfo the client subscribes with, from configuration. The same function
 * serves SUBSCRIBE, resubscription (with the id) and UPDATE_FRAMEWORK, so the three never
 * disagree about who the framework is.
 */
import type { FrameworkInfo } from '../types.ts';
import type { ResolvedConfig } from './config.ts';

export function buildFrameworkInfo(
  framework: ResolvedConfig['framework'],
  frameworkId: string | undefined,
): FrameworkInfo {
  const info: FrameworkInfo = {
    user: framework.user,
    name: framework.name,
    failover_timeout: framework.failoverTimeoutSeconds,
    checkpoint: framework.checkpoint,
    roles: [...framework.roles],
    capabilities: framework.capabilities.map((type) => ({ type })),
  };
  if (frameworkId !== undefined) info.id = { value: frameworkId };
  if (framework.hostname) info.hostname = framework.hostname;
  if (framework.principal) info.principal = framework.principal;
  if (framework.webuiUrl) info.webui_url = framework.webuiUrl;
  const labels = Object.entries(framework.labels ?? {});
  if (labels.length > 0) info.labels = { labels: labels.map(([key, value]) => ({ key, value })) };
  return info;
}
