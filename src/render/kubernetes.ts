/**
 * Kubernetes: a Deployment per long-running service (a Job per oneshot), configData as a
 * ConfigMap mounted where `XDG_CONFIG_HOME` points, credentials from a Secret, probes as
 * readiness and liveness probes.
 *
 * @module
 */
import { stringify } from "yaml";
import type { NimiConfig, ProbeValue, ServiceSpec } from "../config/types.ts";
import { DEFAULT_RESTART, seconds } from "./defaults.ts";
import { loopbackMentions, planLocalhost } from "./localhost.ts";
import { assertUniqueNames, cleanName, servicePaths } from "./layout.ts";
import type { RenderedFile, RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/** The image every container names; replace it (kustomize `images:`) with one holding the programs. */
export const KUBERNETES_IMAGE = "nimi";

/**
 * A name Kubernetes accepts for objects and labels: lower case letters, digits and `-`, at most
 * 63 characters, starting and ending with a letter or digit.
 *
 * @param name A prefixed service name.
 * @returns The DNS-1123 label.
 */
export function kubernetesName(name: string): string {
  const clean = cleanName(name.toLowerCase(), /[a-z0-9-]/, "-").slice(0, 63);
  return clean.replace(/^-+/, "").replace(/-+$/, "") || "nimi";
}

/**
 * Escapes Kubernetes' `$(VAR)` expansion in command arguments and env values.
 *
 * @param text Any string.
 * @returns The string with `$(` written as `$$(`.
 */
export function kubernetesEscape(text: string): string {
  return text.replaceAll("$(", "$$$$(");
}

/**
 * Writes objects as YAML (1.1, so `no`/`on` stay strings for every reader).
 *
 * @param obj A Kubernetes object.
 * @returns YAML text.
 */
export function toYaml(obj: unknown): string {
  // No anchors and aliases: objects shared in memory (labels) are written out each time.
  return stringify(obj, { lineWidth: 0, version: "1.1", aliasDuplicateObjects: false });
}

/**
 * The ports a service declares through its tcp and http probes (the config has no other port
 * field), for its Service object.
 *
 * @param s The service.
 * @returns Port numbers, sorted, without duplicates.
 */
export function declaredPorts(s: ServiceSpec): number[] {
  const ports = new Set<number>();
  for (const p of [s.readiness, s.liveness]) {
    if (p?.type === "tcp" && p.port !== undefined) ports.add(p.port);
    if (p?.type === "http" && p.url !== undefined) {
      const url = new URL(p.url);
      ports.add(url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

function probe(
  p: ProbeValue,
  s: ServiceSpec,
  kind: string,
  warn: WarningList,
): Record<string, unknown> | null {
  const timing = {
    initialDelaySeconds: seconds(p.initialDelay),
    periodSeconds: Math.max(1, seconds(p.period)),
    timeoutSeconds: Math.max(1, seconds(p.timeout)),
    failureThreshold: p.failureThreshold,
  };
  const local = (host: string) => host === "127.0.0.1" || host === "localhost" || host === "::1";
  switch (p.type) {
    case "exec":
      return { exec: { command: (p.command ?? []).map(kubernetesEscape) }, ...timing };
    case "tcp":
      return {
        tcpSocket: { port: p.port, ...(local(p.host) ? {} : { host: p.host }) },
        ...timing,
      };
    case "http": {
      const url = new URL(p.url ?? "http://127.0.0.1/");
      const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
      return {
        httpGet: {
          path: `${url.pathname}${url.search}`,
          port,
          scheme: url.protocol === "https:" ? "HTTPS" : "HTTP",
          ...(local(url.hostname) ? {} : { host: url.hostname }),
        },
        ...timing,
      };
    }
    default:
      warn.add(s.name, `${kind} probe (${p.type})`, "Kubernetes probes are exec, tcp and http");
      return null;
  }
}

function workload(
  s: ServiceSpec,
  options: RenderOptions,
  names: Map<string, string>,
  files: RenderedFile[],
  warn: WarningList,
): void {
  const name = names.get(s.name)!;
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "nimi" };
  const env: { name: string; value: string }[] = Object.entries(s.environment).map((
    [k, v],
  ) => ({ name: k, value: kubernetesEscape(v) }));
  const volumes: Record<string, unknown>[] = [];
  const mounts: Record<string, unknown>[] = [];
  if (!s.inheritEnvironment) {
    warn.add(s.name, "inheritEnvironment false", "a container starts with its image's environment");
  }
  const withText = s.configData.filter((f) => f.text !== null);
  for (const f of s.configData) {
    if (f.text === null) {
      warn.add(
        s.name,
        `configData "${f.key}"`,
        `has only a source (${f.source}); Kubernetes needs its text for the ConfigMap: not mounted`,
      );
    }
  }
  if (withText.length > 0) {
    const cm = `${name}-config`;
    const data: Record<string, string> = {};
    const items = withText.map((f, i) => {
      const key = cleanName(f.path, /[-._a-zA-Z0-9]/, "_");
      const unique = key in data ? `${key}.${i}` : key;
      data[unique] = f.text!;
      return { key: unique, path: f.path };
    });
    files.push({
      path: `${cm}.configmap.yaml`,
      content: toYaml({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: cm, labels },
        data,
      }),
      mode: 0o644,
    });
    volumes.push({ name: "config", configMap: { name: cm, items } });
    mounts.push({ name: "config", mountPath: paths.configDir, readOnly: true });
    env.push({ name: "XDG_CONFIG_HOME", value: paths.configDir });
  }
  if (s.credentials.length > 0) {
    const secret = `${name}-credentials`;
    volumes.push({ name: "credentials", secret: { secretName: secret, defaultMode: 0o400 } });
    mounts.push({ name: "credentials", mountPath: paths.credentialsDir, readOnly: true });
    env.push({ name: "CREDENTIALS_DIRECTORY", value: paths.credentialsDir });
    const from = s.credentials.map((c) => `--from-file=${c.name}=${c.path}`).join(" ");
    warn.add(
      s.name,
      "credentials",
      `create the Secret yourself: kubectl create secret generic ${secret} ${from}`,
    );
  }
  const container: Record<string, unknown> = {
    name,
    image: options.image ?? KUBERNETES_IMAGE,
    command: s.argv.map(kubernetesEscape),
  };
  if (env.length > 0) container["env"] = env;
  if (s.workingDirectory !== null) container["workingDir"] = s.workingDirectory;
  if (mounts.length > 0) container["volumeMounts"] = mounts;
  const security: Record<string, unknown> = {};
  if (s.user !== null) {
    if (typeof s.user === "number") security["runAsUser"] = s.user;
    else warn.add(s.name, `user "${s.user}"`, "Kubernetes needs a numeric uid (runAsUser)");
  }
  if (s.group !== null) {
    if (typeof s.group === "number") security["runAsGroup"] = s.group;
    else warn.add(s.name, `group "${s.group}"`, "Kubernetes needs a numeric gid (runAsGroup)");
  }
  if (Object.keys(security).length > 0) container["securityContext"] = security;
  if (s.readiness !== null) {
    const p = probe(s.readiness, s, "readiness", warn);
    if (p !== null) container["readinessProbe"] = p;
  }
  if (s.liveness !== null) {
    const p = probe(s.liveness, s, "liveness", warn);
    if (p !== null) container["livenessProbe"] = p;
  }
  if (s.stopSignal !== "SIGTERM") {
    warn.add(s.name, `stopSignal ${s.stopSignal}`, "the kubelet sends SIGTERM");
  }
  if (s.reloadSignal !== null) warn.add(s.name, "reloadSignal", "Kubernetes does not send it");
  for (const d of s.dependsOn) {
    warn.add(
      s.name,
      `dependsOn "${d.name}": ${d.condition}`,
      "Kubernetes starts workloads independently; the service must retry until it is there",
    );
  }
  const r = s.restart;
  if (r.time !== DEFAULT_RESTART.time || r.backoff !== 1) {
    warn.add(s.name, "restart delay", "the kubelet uses its own growing back-off");
  }
  const podSpec: Record<string, unknown> = {
    containers: [container],
    terminationGracePeriodSeconds: seconds(s.stopTimeout),
  };
  if (volumes.length > 0) podSpec["volumes"] = volumes;
  if (s.type === "oneshot") {
    const never = r.mode === "never";
    podSpec["restartPolicy"] = never ? "Never" : "OnFailure";
    const spec: Record<string, unknown> = { template: { metadata: { labels }, spec: podSpec } };
    if (never) spec["backoffLimit"] = 0;
    else if (r.mode === "up-to-count") spec["backoffLimit"] = r.count;
    else warn.add(s.name, `restart mode ${r.mode}`, "a Job retries up to its backoffLimit (6)");
    files.push({
      path: `${name}.job.yaml`,
      content: toYaml({ apiVersion: "batch/v1", kind: "Job", metadata: { name, labels }, spec }),
      mode: 0o644,
    });
    return;
  }
  if (r.mode !== "always") {
    warn.add(s.name, `restart mode ${r.mode}`, "a Deployment's pod is always restarted");
  }
  const ports = declaredPorts(s);
  if (ports.length > 0) {
    container["ports"] = ports.map((p) => ({ containerPort: p, protocol: "TCP" }));
    files.push({
      path: `${name}.service.yaml`,
      content: toYaml({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, labels },
        spec: {
          selector: { "app.kubernetes.io/name": name },
          ports: ports.map((p) => ({ name: `tcp-${p}`, port: p, targetPort: p, protocol: "TCP" })),
        },
      }),
      mode: 0o644,
    });
  }
  files.push({
    path: `${name}.deployment.yaml`,
    content: toYaml({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: { metadata: { labels }, spec: podSpec },
      },
    }),
    mode: 0o644,
  });
}

/**
 * Kubernetes names for every service, with a warning for each that had to change.
 *
 * @param config The normalised config.
 * @param prefix The instance prefix.
 * @param warn Where warnings go.
 * @returns Object names by flattened service name.
 * @throws {RenderError} When two services get the same name.
 */
export function kubernetesNames(
  config: NimiConfig,
  prefix: string,
  warn: WarningList,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of config.services) {
    const name = kubernetesName(`${prefix}${s.name}`);
    if (name !== `${prefix}${s.name}`) warn.add(s.name, "name", `Kubernetes name "${name}"`);
    names.set(s.name, name);
  }
  assertUniqueNames(names, "kubernetes");
  return names;
}

function warnLocalhost(
  service: string,
  mentions: string[],
  peers: string[],
  warn: WarningList,
): void {
  const use = peers.length > 0
    ? `use the Service name ("${
      peers.join(`", "`)
    }") and listen beyond loopback, or --to kubernetes-pod`
    : "use Service names, or --to kubernetes-pod";
  warn.add(
    service,
    `localhost (${mentions.join(", ")})`,
    `each Pod has its own network namespace, so 127.0.0.1 is not another workload: ${use}`,
  );
}

/**
 * Renders Kubernetes objects, one file each.
 *
 * @param config The normalised config.
 * @param options Render options (the state directory is inside the containers).
 * @returns Deployments, Jobs and ConfigMaps, and warnings.
 */
export function renderKubernetes(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("kubernetes");
  const names = kubernetesNames(config, options.prefix, warn);
  const files: RenderedFile[] = [];
  for (const { service, mentions } of planLocalhost(config.services).alone) {
    warnLocalhost(service, mentions, [], warn);
  }
  for (const [service, root] of planLocalhost(config.services).joins) {
    const s = config.services.find((x) => x.name === service)!;
    warnLocalhost(service, loopbackMentions(s), [names.get(root) ?? root], warn);
  }
  for (const s of config.services) workload(s, options, names, files, warn);
  return { files, warnings: warn.items, directories: [] };
}

/** The `kubernetes` target. */
export const kubernetesTarget: Target = {
  name: "kubernetes",
  summary: "a Deployment (or Job) per service, configData as ConfigMaps",
  container: true,
  render: renderKubernetes,
};
