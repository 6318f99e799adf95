/**
 * Kubernetes, single-Pod mode: nimi itself is the container's entrypoint and runs every service
 * in one Pod (a Deployment of one replica), its config in a ConfigMap. Everything nimi does
 * (ordering, readiness, restarts, configData) carries over unchanged.
 *
 * @module
 */
import type { NimiConfig } from "../config/types.ts";
import { seconds } from "./defaults.ts";
import { KUBERNETES_IMAGE, kubernetesName, toYaml } from "./kubernetes.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/** Where the config is mounted in the container. */
export const POD_CONFIG_DIR = "/etc/nimi";

/**
 * Renders one Deployment running nimi, and the ConfigMap holding its config.
 *
 * @param config The normalised config.
 * @param options Render options; `rawConfig` is embedded as the ConfigMap's `config.json`.
 * @returns Two objects and warnings.
 */
export function renderKubernetesPod(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("kubernetes-pod");
  const name = kubernetesName(`${options.prefix}nimi`);
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "nimi" };
  for (const s of config.services) {
    for (const c of s.credentials) {
      warn.add(
        s.name,
        `credential "${c.name}"`,
        `nimi reads ${c.path} inside the container: put it in the image or mount it`,
      );
    }
    if (s.user !== null || s.group !== null) {
      warn.add(s.name, "user/group", "nimi switches user only when the container runs as root");
    }
  }
  const grace = Math.max(
    seconds(config.settings.shutdown.timeout),
    ...config.services.map((s) => seconds(s.stopTimeout)),
  ) + 5;
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${name}-config`, labels },
    data: { "config.json": JSON.stringify(options.rawConfig, null, 2) + "\n" },
  };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: grace,
          containers: [{
            name: "nimi",
            image: options.image ?? KUBERNETES_IMAGE,
            command: ["nimi", "--config", `${POD_CONFIG_DIR}/config.json`, "run"],
            volumeMounts: [{ name: "config", mountPath: POD_CONFIG_DIR, readOnly: true }],
          }],
          volumes: [{ name: "config", configMap: { name: `${name}-config` } }],
        },
      },
    },
  };
  return {
    files: [
      { path: `${name}-config.configmap.yaml`, content: toYaml(configMap), mode: 0o644 },
      { path: `${name}.deployment.yaml`, content: toYaml(deployment), mode: 0o644 },
    ],
    warnings: warn.items,
    directories: [],
  };
}

/** The `kubernetes-pod` target. */
export const kubernetesPodTarget: Target = {
  name: "kubernetes-pod",
  summary: "one Pod (Deployment of 1) with nimi as entrypoint running every service",
  container: true,
  render: renderKubernetesPod,
};
