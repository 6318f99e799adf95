/**
 * The shapes every renderer shares: options in, files and warnings out.
 *
 * @module
 */
import type { NimiConfig } from "../config/types.ts";

/** How a target is rendered. */
export interface RenderOptions {
  /** Prefix for every name the target sees (unit, program, directory names). */
  prefix: string;
  /** Unprivileged deployment: user units, no root-only settings. */
  user: boolean;
  /** Absolute directory holding all run-time state (config dirs, credentials, pid files). */
  stateDir: string;
  /** The config as parsed from the file, before normalisation (for modes that embed nimi). */
  rawConfig: unknown;
  /**
   * The nimi program rendered files call for probes (`nimi probe`).
   * @default "nimi"
   */
  nimi?: string;
  /** The image containers run (compose, kubernetes); each target has its own default. */
  image?: string;
  /**
   * Absolute directory that relative program paths are resolved against: where `nimi run`
   * would run them (its working directory). Without it, a target that needs absolute paths
   * refuses relative ones.
   */
  baseDir?: string;
}

/** One file to write, relative to the output directory. */
export interface RenderedFile {
  /** Relative path inside the output directory. */
  path: string;
  /** File content. */
  content: string;
  /** Permission bits (0o644, 0o755). */
  mode: number;
}

/** Something the target cannot express, named so the user can act on it. */
export interface RenderWarning {
  /** Target name (`launchd`). */
  target: string;
  /** Flattened service name, or null for the whole config. */
  service: string | null;
  /** The feature (`readiness probe`). */
  feature: string;
  /** What happens instead. */
  detail: string;
}

/** What a renderer returns. */
export interface RenderResult {
  /** Files to write. */
  files: RenderedFile[];
  /** Features not carried over, or approximated. */
  warnings: RenderWarning[];
  /** Absolute directories that must exist before the output is started. */
  directories: string[];
}

/** A render target. */
export interface Target {
  /** Name given to `--to`. */
  name: string;
  /** One line for help texts. */
  summary: string;
  /** Whether services run in containers (state paths are inside the container). */
  container: boolean;
  /**
   * Renders a config.
   *
   * @param config The normalised config.
   * @param options See {@link RenderOptions}.
   * @returns Files, warnings and needed directories.
   */
  render(config: NimiConfig, options: RenderOptions): RenderResult;
}
