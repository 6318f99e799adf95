/**
 * `nimi render`: renders the services for another service manager and writes the files.
 *
 * @module
 */
import { loadConfig, readConfigFile } from "../config/mod.ts";
import type { CliArgs } from "./args.ts";
import { printWarnings, requireConfig } from "./common.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`.replace(/\/\.?$/, "");
}

/**
 * Renders the config named by `--config` for `--to` into `--out`. Warnings about features the
 * target cannot express go to stderr as `nimi: warning: ...`; they do not change the exit code.
 * With an explicit `--state-dir`, the directories the output needs before it starts are created.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns Exit code 0.
 * @throws {UsageError} On a missing or unknown --to, a missing --out, or a value a target's
 *   format cannot hold.
 */
export async function renderCommand(args: CliArgs, io: Output): Promise<number> {
  // Loaded on demand: the renderers pull in a YAML writer that `nimi run` should not pay for.
  const {
    createStateDirs,
    defaultStateDir,
    findTarget,
    formatWarnings,
    RenderError,
    renderWithSettings,
    TARGETS,
    writeRendered,
  } = await import("../render/mod.ts");
  const NAMES = TARGETS.map((t) => t.name).join(", ");
  const file = requireConfig(args);
  if (args.to === null) {
    throw new UsageError(`"nimi render" needs --to TARGET; targets: ${NAMES}`);
  }
  const target = findTarget(args.to);
  if (target === undefined) {
    throw new UsageError(`unknown render target "${args.to}" (--to); expected one of: ${NAMES}`);
  }
  if (args.out === null || args.out === "") {
    throw new UsageError(`"nimi render" needs --out DIR (the directory to write into)`);
  }
  if (args.stateDir === "") throw new UsageError(`--state-dir needs a directory, got ""`);
  const config = await loadConfig(file, { strict: args.strict });
  printWarnings(config.file, config.warnings, io);
  let stateDir: string;
  try {
    stateDir = args.stateDir !== null ? absolute(args.stateDir) : defaultStateDir({
      prefix: args.prefix,
      user: args.user,
      container: target.container,
      env: Deno.env.toObject(),
    });
  } catch (e) {
    throw new UsageError((e as Error).message, { cause: e });
  }
  let result;
  try {
    result = renderWithSettings(target, config, {
      prefix: args.prefix,
      user: args.user,
      stateDir,
      rawConfig: await readConfigFile(file),
      nimi: args.nimi,
      ...(args.image === null ? {} : { image: args.image }),
      baseDir: Deno.cwd(),
    });
  } catch (e) {
    if (e instanceof RenderError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
  for (const line of formatWarnings(result.warnings)) io.err(`nimi: warning: ${line}\n`);
  let written: string[];
  try {
    written = await writeRendered(args.out, result.files, target.name);
    if (args.stateDir !== null) await createStateDirs(result.directories);
  } catch (e) {
    if (e instanceof RenderError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
  io.out(
    `${target.name}: wrote ${written.length} file${
      written.length === 1 ? "" : "s"
    } to ${args.out}\n`,
  );
  return 0;
}
