/**
 * Pure dependency-graph decisions: cycle detection, start layers and stop order.
 *
 * @module
 */

/** A node and the names it depends on. */
export interface GraphNode {
  /** The node's name. */
  name: string;
  /** Names of the nodes it depends on. */
  after: readonly string[];
}

/**
 * Finds one dependency cycle, if any.
 *
 * @param nodes The graph; unknown dependency names are ignored.
 * @returns The cycle as names with the first repeated at the end (`a -> b -> a`), or null.
 * @example
 * ```ts
 * findCycle([{ name: "a", after: ["b"] }, { name: "b", after: ["a"] }]); // ["a", "b", "a"]
 * ```
 */
export function findCycle(nodes: readonly GraphNode[]): string[] | null {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    const s = state.get(name);
    if (s === "done") return null;
    if (s === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of byName.get(name)?.after ?? []) {
      if (!byName.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return null;
  };
  for (const n of nodes) {
    const cycle = visit(n.name);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Groups nodes into layers that can start in parallel: each layer depends only on earlier ones.
 *
 * @param nodes An acyclic graph.
 * @returns Layers in start order; names keep their input order within a layer.
 * @throws {RangeError} When the graph has a cycle; the message lists it (`a -> b -> a`).
 * @example
 * ```ts
 * startLayers([{ name: "web", after: ["db"] }, { name: "db", after: [] }]); // [["db"], ["web"]]
 * ```
 */
export function startLayers(nodes: readonly GraphNode[]): string[][] {
  const known = new Set(nodes.map((n) => n.name));
  const placed = new Set<string>();
  const layers: string[][] = [];
  while (placed.size < nodes.length) {
    const layer = nodes.filter((n) =>
      !placed.has(n.name) && n.after.every((d) => !known.has(d) || placed.has(d))
    ).map((n) => n.name);
    if (layer.length === 0) {
      const cycle = findCycle(nodes.filter((n) => !placed.has(n.name)));
      throw new RangeError(
        `Cannot order services: dependency cycle ${cycle?.join(" -> ") ?? "(unknown)"}`,
      );
    }
    layer.forEach((n) => placed.add(n));
    layers.push(layer);
  }
  return layers;
}

/**
 * Stop order: layers of the reversed graph. A service stops once every service that depends on
 * it has stopped; services nothing depends on stop first, all together (an independent service
 * does not wait for unrelated chains).
 *
 * @param nodes An acyclic graph.
 * @returns Layers in stop order; names keep their input order within a layer.
 * @throws {RangeError} When the graph has a cycle.
 * @example
 * ```ts
 * stopLayers([{ name: "web", after: ["db"] }, { name: "db", after: [] }]); // [["web"], ["db"]]
 * ```
 */
export function stopLayers(nodes: readonly GraphNode[]): string[][] {
  const known = new Set(nodes.map((n) => n.name));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const n of nodes) {
    for (const d of n.after) if (known.has(d)) dependents.get(d)!.push(n.name);
  }
  return startLayers(nodes.map((n) => ({ name: n.name, after: dependents.get(n.name)! })));
}
