/**
 * Services that talk over localhost: under `nimi run` every service shares one network
 * namespace, so a client reaches its server at 127.0.0.1. In containers each service has its own,
 * so targets must place such services together (compose `network_mode: service:X`, one Pod) or
 * warn. A service talks over localhost when its argv or environment names a loopback address;
 * its peers are the long-running services it depends on.
 *
 * @module
 */
import type { ServiceSpec } from "../config/types.ts";
import { layerOf } from "./order.ts";

const LOOPBACK = /(^|[^\w.-])(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)(?![\w.-]*[\w-])/i;

/**
 * Where a service names a loopback address, for messages.
 *
 * @param s The service.
 * @returns Descriptions (`environment DEMO_URL`, `argv[2]`), empty when none.
 */
export function loopbackMentions(s: ServiceSpec): string[] {
  const out: string[] = [];
  s.argv.forEach((a, i) => {
    if (LOOPBACK.test(a)) out.push(`argv[${i}]`);
  });
  for (const [k, v] of Object.entries(s.environment)) {
    if (LOOPBACK.test(v)) out.push(`environment ${k}`);
  }
  return out;
}

/** How services that talk over localhost are placed. */
export interface LocalhostPlan {
  /** For each service placed in another's network namespace: that service (the group's root). */
  joins: Map<string, string>;
  /** Services that talk over localhost but have no long-running service to join. */
  alone: { service: string; mentions: string[] }[];
}

/**
 * Groups services that talk over localhost with the long-running services they depend on. Each
 * group shares the network namespace of its member that starts first.
 *
 * @param services Every service.
 * @returns Which service joins which, and the ones left alone.
 */
export function planLocalhost(services: readonly ServiceSpec[]): LocalhostPlan {
  const byName = new Map(services.map((s) => [s.name, s]));
  const parent = new Map<string, string>();
  const find = (n: string): string => {
    let r = n;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const layer = layerOf(services);
  const earlier = (a: string, b: string) =>
    (layer.get(a) ?? 0) - (layer.get(b) ?? 0) ||
    services.findIndex((s) => s.name === a) - services.findIndex((s) => s.name === b);
  const alone: LocalhostPlan["alone"] = [];
  const grouped = new Set<string>();
  for (const s of services) {
    const mentions = loopbackMentions(s);
    if (mentions.length === 0) continue;
    const peers = s.dependsOn.map((d) => byName.get(d.name)).filter((d): d is ServiceSpec =>
      d !== undefined && d.type !== "oneshot"
    );
    if (peers.length === 0) {
      alone.push({ service: s.name, mentions });
      continue;
    }
    for (const p of peers) {
      const [a, b] = [find(s.name), find(p.name)];
      if (a === b) continue;
      const [root, other] = earlier(a, b) <= 0 ? [a, b] : [b, a];
      parent.set(other, root);
      grouped.add(s.name).add(p.name);
    }
  }
  const joins = new Map<string, string>();
  for (const n of grouped) {
    const root = find(n);
    if (root !== n) joins.set(n, root);
  }
  return { joins, alone };
}
