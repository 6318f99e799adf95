/**
 * The global settings other managers have no place for, turned into what they can express:
 * the startup hook becomes a oneshot service every top-level service depends on, and the
 * settings that only nimi itself honours (its log files, stop-everything-on-failure) are named
 * in warnings.
 *
 * @module
 */
import type { NimiConfig } from "../config/types.ts";
import { STARTUP_SERVICE, startupService } from "../config/startup.ts";
import { RenderError } from "./render_error.ts";
import type { Target } from "./types.ts";
import type { RenderOptions, RenderResult } from "./types.ts";

export { STARTUP_SERVICE };

/**
 * Adds the startup hook (`settings.startup.runOnStartup`) as a oneshot service that must complete
 * successfully before any other service starts.
 *
 * @param config The normalised config.
 * @returns The config with the hook as a service (unchanged when there is no hook).
 * @throws {RenderError} When a service is already called `startup`.
 */
export function withStartupService(config: NimiConfig): NimiConfig {
  const hook = config.settings.startup.runOnStartup;
  if (hook === null) return config;
  if (config.services.some((s) => s.name === STARTUP_SERVICE)) {
    throw new RenderError(
      `Cannot render settings.startup.runOnStartup as service "${STARTUP_SERVICE}": ` +
        `a service has that name`,
    );
  }
  const startup = startupService(config.settings)!;
  const services = config.services.map((s) =>
    s.parent === null
      ? {
        ...s,
        dependsOn: [...s.dependsOn, {
          name: STARTUP_SERVICE,
          condition: "completed-successfully" as const,
        }],
      }
      : s
  );
  return { ...config, services: [startup, ...services] };
}

/**
 * Renders a config for a target, with the global settings carried over as far as it can:
 * the startup hook as a service, warnings for nimi-only settings.
 *
 * @param target The target.
 * @param config The normalised config.
 * @param options Render options.
 * @returns What the target returned, plus the settings warnings.
 */
export function renderWithSettings(
  target: Target,
  config: NimiConfig,
  options: RenderOptions,
): RenderResult {
  if (target.name === "kubernetes-pod") return target.render(config, options);
  const result = target.render(withStartupService(config), options);
  const s = config.settings;
  const add = (feature: string, detail: string) =>
    result.warnings.push({ target: target.name, service: null, feature, detail });
  if (s.logging.enable) {
    add("settings.logging", "nimi's log files are not written; the target keeps its own logs");
  }
  if (s.shutdown.stopOnFailure) {
    add("settings.shutdown.stopOnFailure", "the target does not stop every service when one fails");
  }
  return result;
}
