/**
 * Pure tests of the dependency graph: cycles, start layers and stop order.
 *
 * @module
 */
import assert from "node:assert/strict";
import { findCycle, type GraphNode, startLayers, stopLayers } from "../../src/config/graph.ts";

const node = (name: string, ...after: string[]): GraphNode => ({ name, after });

Deno.test("findCycle()", async (t) => {
  await t.step("findCycle() returns null for an acyclic graph", () => {
    assert.equal(findCycle([node("web", "db"), node("db"), node("app", "db", "web")]), null);
  });

  await t.step("findCycle() returns null for no nodes", () => {
    assert.equal(findCycle([]), null);
  });

  await t.step("findCycle() lists a three-service cycle with the first name repeated", () => {
    assert.deepEqual(findCycle([node("a", "b"), node("b", "c"), node("c", "a")]), [
      "a",
      "b",
      "c",
      "a",
    ]);
  });

  await t.step("findCycle() reports a self loop", () => {
    assert.deepEqual(findCycle([node("a", "a")]), ["a", "a"]);
  });

  await t.step("findCycle() gives only the cycle, not the path leading into it", () => {
    assert.deepEqual(findCycle([node("x", "a"), node("a", "b"), node("b", "a")]), [
      "a",
      "b",
      "a",
    ]);
  });

  await t.step("findCycle() ignores unknown dependency names", () => {
    assert.equal(findCycle([node("web", "ghost")]), null);
  });
});

Deno.test("startLayers()", async (t) => {
  await t.step("startLayers() puts independent services in one parallel layer", () => {
    assert.deepEqual(startLayers([node("a"), node("b"), node("c")]), [["a", "b", "c"]]);
  });

  await t.step("startLayers() starts dependencies before their dependents", () => {
    assert.deepEqual(startLayers([node("web", "db"), node("db")]), [["db"], ["web"]]);
  });

  await t.step("startLayers() groups a diamond into three layers", () => {
    const graph = [
      node("app", "api", "worker"),
      node("api", "db"),
      node("worker", "db"),
      node("db"),
    ];
    assert.deepEqual(startLayers(graph), [["db"], ["api", "worker"], ["app"]]);
  });

  await t.step("startLayers() places a service after its deepest dependency", () => {
    const graph = [node("a"), node("b", "a"), node("c", "b"), node("d", "a", "c"), node("e")];
    assert.deepEqual(startLayers(graph), [["a", "e"], ["b"], ["c"], ["d"]]);
  });

  await t.step("startLayers() keeps input order within a layer", () => {
    assert.deepEqual(startLayers([node("z"), node("m"), node("a")]), [["z", "m", "a"]]);
  });

  await t.step("startLayers() treats unknown dependency names as satisfied", () => {
    assert.deepEqual(startLayers([node("web", "ghost")]), [["web"]]);
  });

  await t.step("startLayers() throws a RangeError naming the cycle", () => {
    assert.throws(
      () => startLayers([node("ok"), node("a", "b"), node("b", "a"), node("c", "a")]),
      (e: unknown) => {
        assert.ok(e instanceof RangeError);
        assert.equal(e.message, "Cannot order services: dependency cycle a -> b -> a");
        return true;
      },
    );
  });
});

Deno.test("stopLayers()", async (t) => {
  await t.step("stopLayers() stops dependents before what they depend on", () => {
    const graph = [
      node("app", "api", "worker"),
      node("api", "db"),
      node("worker", "db"),
      node("db"),
    ];
    assert.deepEqual(stopLayers(graph), [["app"], ["api", "worker"], ["db"]]);
  });

  await t.step("stopLayers() stops a service once all its dependents have stopped", () => {
    const graph = [node("a"), node("b", "a"), node("c", "b"), node("d", "a", "c"), node("e")];
    assert.deepEqual(stopLayers(graph), [["d", "e"], ["c"], ["b"], ["a"]]);
  });

  await t.step("stopLayers() stops an unrelated service in the first layer", () => {
    const graph = [node("db"), node("api", "db"), node("web", "api"), node("cache")];
    assert.deepEqual(stopLayers(graph), [["web", "cache"], ["api"], ["db"]]);
  });

  await t.step("stopLayers() never stops a service before one of its dependents", () => {
    const graph = [node("a"), node("b", "a"), node("c", "b"), node("d", "a", "c"), node("e", "b")];
    const layerOf = new Map(stopLayers(graph).flatMap((l, i) => l.map((n) => [n, i] as const)));
    for (const n of graph) {
      for (const dep of n.after) assert.ok(layerOf.get(n.name)! < layerOf.get(dep)!, n.name);
    }
  });

  await t.step("stopLayers() stops independent services together", () => {
    assert.deepEqual(stopLayers([node("a"), node("b")]), [["a", "b"]]);
  });

  await t.step("stopLayers() throws on a cycle", () => {
    assert.throws(() => stopLayers([node("a", "b"), node("b", "a")]), RangeError);
  });
});
