/**
 * The render targets by name.
 *
 * @module
 */
import { bsdrcTarget } from "./bsdrc.ts";
import { composeTarget } from "./compose.ts";
import { cygrunsrvTarget } from "./cygrunsrv.ts";
import { launchdTarget } from "./launchd.ts";
import { nixosTarget } from "./nixos.ts";
import { openrcTarget } from "./openrc.ts";
import { sysvinitTarget } from "./sysvinit.ts";
import { kubernetesTarget } from "./kubernetes.ts";
import { kubernetesPodTarget } from "./kubernetes_pod.ts";
import { procfileTarget } from "./procfile.ts";
import { runitTarget } from "./runit.ts";
import { s6Target } from "./s6.ts";
import { s6RcTarget } from "./s6_rc.ts";
import { supervisordTarget } from "./supervisord.ts";
import { systemdTarget } from "./systemd.ts";
import type { Target } from "./types.ts";

/** Every target, in the order help texts list them. */
export const TARGETS: readonly Target[] = [
  systemdTarget,
  procfileTarget,
  composeTarget,
  kubernetesTarget,
  kubernetesPodTarget,
  supervisordTarget,
  s6Target,
  s6RcTarget,
  runitTarget,
  launchdTarget,
  sysvinitTarget,
  openrcTarget,
  bsdrcTarget,
  cygrunsrvTarget,
  nixosTarget,
];

/**
 * Finds a target by name.
 *
 * @param name The `--to` value.
 * @returns The target, or undefined.
 */
export function findTarget(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
