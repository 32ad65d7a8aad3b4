import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import { readContainerId, type ContainerIdSources } from './container-id.js';
import { definedFields, ORIGINS, type PluginResult } from './plugin.js';
import { envReader } from '../env.js';

/** Options of the EKS plugin. */
export interface EksPluginOptions extends ContainerIdSources {
  /** `aws.eks.cluster_name`. Env: `EKS_CLUSTER_NAME`, then `K8S_CLUSTER_NAME`. */
  clusterName?: string;
  /** `aws.eks.pod`. Default: the host name, which Kubernetes sets to the pod's name. */
  pod?: string;
  /** The service account token every pod gets. Default `/var/run/secrets/kubernetes.io/serviceaccount/token`. */
  tokenPath?: string;
}

const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Detects a Kubernetes pod (`KUBERNETES_SERVICE_HOST` or the service account token file) and
 * fills `aws.eks`: `pod` (host name), `cluster_name` (option or environment; reading it from the
 * cluster would need API permissions a pod rarely has) and `container_id` (from cgroups).
 * Any Kubernetes counts: listing this plugin says the cluster is EKS.
 */
export async function detectEks(options: EksPluginOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<PluginResult | undefined> {
  const read = envReader(env);
  const inPod = read.string('KUBERNETES_SERVICE_HOST') !== undefined || (await exists(options.tokenPath ?? TOKEN_PATH));
  if (!inPod) return undefined;
  return {
    key: 'eks',
    origin: ORIGINS.eks,
    fields: definedFields({
      pod: options.pod ?? hostname(),
      cluster_name: options.clusterName ?? read.string('EKS_CLUSTER_NAME') ?? read.string('K8S_CLUSTER_NAME'),
      container_id: await readContainerId(options),
    }),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
