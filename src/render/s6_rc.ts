/**
 * s6-rc and s6-overlay: a source tree for `s6-rc-compile`, laid out the way s6-overlay reads
 * `/etc/s6-overlay/s6-rc.d`: a longrun per long-running service (with an s6-log logger piped
 * to it), a oneshot per oneshot, `dependencies.d` for the order (s6-rc waits for readiness
 * where a service has a `notification-fd`), and the `user` bundle holding them all.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { launchLines, planScriptLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { s6LogRun, s6RunAs, s6ServiceDir } from "./s6.ts";
import { waitsForCheck } from "./service_dir.ts";
import type { RenderedFile, RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * Quotes one word for execline (the language of s6-rc's `up` and `down` files): double quotes,
 * with `\` and `"` escaped.
 *
 * @param word Any string.
 * @returns The quoted word.
 * @example
 * ```ts
 * execlineQuote('say "hi"'); // '"say \\"hi\\""'
 * ```
 */
export function execlineQuote(word: string): string {
  return `"${word.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function dependencies(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  base: string,
  warn: WarningList,
): RenderedFile[] {
  const byName = new Map(config.services.map((x) => [x.name, x]));
  return s.dependsOn.map((d) => {
    const dep = byName.get(d.name);
    // s6-rc waits for readiness where the dependency has a notification-fd (a check runs).
    waitsForCheck(s, d, dep, options, warn, "s6", "waits for up");
    if (d.condition.startsWith("completed") && dep?.type !== "oneshot") {
      warn.add(s.name, `dependsOn "${d.name}": ${d.condition}`, "s6-rc waits for it to be up only");
    }
    if (d.condition === "completed" && dep?.type === "oneshot") {
      warn.add(
        s.name,
        `dependsOn "${d.name}": completed`,
        "s6-rc starts it only after the oneshot succeeded",
      );
    }
    return { path: `${base}/dependencies.d/${options.prefix}${d.name}`, content: "", mode: 0o644 };
  });
}

function oneshot(
  s: ServiceSpec,
  options: RenderOptions,
  base: string,
  warn: WarningList,
): RenderedFile[] {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const launch = planScriptLaunch(s, paths, s6RunAs(s, options, warn));
  if (s.restart.mode !== "never") {
    warn.add(s.name, `restart mode ${s.restart.mode}`, "s6-rc runs a oneshot once");
  }
  if (s.readiness !== null) {
    warn.add(s.name, `readiness probe (${s.readiness.type})`, "a oneshot is ready when it exits");
  }
  const script = ["exec 2>&1", ...launchLines(s, launch)].join("\n");
  return [
    { path: `${base}/type`, content: "oneshot\n", mode: 0o644 },
    { path: `${base}/up`, content: `/bin/sh -c ${execlineQuote(script)}\n`, mode: 0o644 },
  ];
}

/**
 * Renders an s6-rc source tree; the output directory is what s6-overlay calls
 * `/etc/s6-overlay` (the tree is in its `s6-rc.d`).
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns Service definitions, loggers, the `user` bundle, and warnings.
 */
export function renderS6Rc(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("s6-rc");
  const files: RenderedFile[] = [];
  const bundle: string[] = [];
  for (const s of config.services) {
    const paths = servicePaths(options.stateDir, options.prefix, s.name);
    const name = paths.instance;
    const base = `s6-rc.d/${name}`;
    files.push(...dependencies(s, config, options, base, warn));
    bundle.push(name);
    if (s.type === "oneshot") {
      files.push(...oneshot(s, options, base, warn));
      continue;
    }
    const log = `${name}-log`;
    files.push(
      { path: `${base}/type`, content: "longrun\n", mode: 0o644 },
      { path: `${base}/producer-for`, content: `${log}\n`, mode: 0o644 },
      ...s6ServiceDir(s, config, options, warn, { base, rc: true }),
      { path: `s6-rc.d/${log}/type`, content: "longrun\n", mode: 0o644 },
      { path: `s6-rc.d/${log}/consumer-for`, content: `${name}\n`, mode: 0o644 },
      s6LogRun(`s6-rc.d/${log}/run`, paths.dir),
    );
    bundle.push(log);
  }
  files.push({ path: "s6-rc.d/user/type", content: "bundle\n", mode: 0o644 });
  for (const n of bundle) {
    files.push({ path: `s6-rc.d/user/contents.d/${n}`, content: "", mode: 0o644 });
  }
  return { files, warnings: warn.items, directories: [] };
}

/** The `s6-rc` target (s6-overlay's layout). */
export const s6RcTarget: Target = {
  name: "s6-rc",
  summary: "s6-rc / s6-overlay source tree (s6-rc.d, user bundle, s6-log)",
  container: false,
  render: renderS6Rc,
};
