/**
 * Start order for targets that express dependencies as priorities or start sequences.
 *
 * @module
 */
import { startLayers } from "../config/graph.ts";
import type { ServiceSpec } from "../config/types.ts";

/**
 * The start layer of each service: 0 for services with no dependencies, then one more than the
 * highest layer among what it depends on.
 *
 * @param services The services (acyclic, as validation guarantees).
 * @returns Layer number by flattened name.
 */
export function layerOf(services: readonly ServiceSpec[]): Map<string, number> {
  const layers = startLayers(services.map((s) => ({
    name: s.name,
    after: s.dependsOn.map((d) => d.name),
  })));
  const out = new Map<string, number>();
  layers.forEach((names, i) => names.forEach((n) => out.set(n, i)));
  return out;
}
