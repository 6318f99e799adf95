/**
 * NixOS: one `nimi-services.nix` module of `systemd.services` and a `systemd.targets` entry,
 * the same units as the systemd target (src/render/systemd.ts) in NixOS's own options:
 * dependencies as `after`/`requires`/`wants`/`partOf`/`wantedBy`, everything else verbatim in
 * `serviceConfig` and `unitConfig` (a key given several times becomes a list).
 *
 * @module
 */
import type { NimiConfig } from "../config/types.ts";
import { systemdUnits, type UnitModel } from "./systemd.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * Writes a Nix string literal.
 *
 * @param text Any string.
 * @returns `"..."` with `\`, `"`, `${` and control characters escaped.
 * @example
 * ```ts
 * nixString('a "b" ${c}'); // '"a \\"b\\" \\${c}"'
 * ```
 */
export function nixString(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "$" && text[i + 1] === "{") out += "\\$";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  return `"${out}"`;
}

/** Nix attribute names that need no quotes. */
const BARE = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

function attrName(name: string): string {
  return BARE.test(name) ? name : nixString(name);
}

type NixValue = string | string[] | { [key: string]: NixValue };

function nix(value: NixValue, indent: string): string {
  if (typeof value === "string") return nixString(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[ ]";
    return `[\n${value.map((v) => `${indent}  ${nixString(v)}\n`).join("")}${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{ }";
  return `{\n${
    keys.map((k) => `${indent}  ${attrName(k)} = ${nix(value[k]!, `${indent}  `)};\n`).join("")
  }${indent}}`;
}

/** NixOS options that stand for `[Unit]`/`[Install]` keys (lists of unit names). */
const LIST_OPTIONS: Record<string, string> = {
  After: "after",
  Requires: "requires",
  Wants: "wants",
  PartOf: "partOf",
  WantedBy: "wantedBy",
};

function grouped(entries: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of entries) (out[k] ??= []).push(v);
  return Object.fromEntries(
    Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]),
  );
}

/**
 * One unit as the attribute set NixOS takes under `systemd.services.<name>`.
 *
 * @param u The unit.
 * @returns The attribute set.
 */
export function nixosUnit(u: UnitModel): Record<string, NixValue> {
  const out: Record<string, NixValue> = {};
  const unitConfig: [string, string][] = [];
  for (const [k, v] of [...u.unit, ...u.install]) {
    const option = LIST_OPTIONS[k];
    if (k === "Description") out["description"] = v;
    else if (option !== undefined) out[option] = [...(out[option] as string[] ?? []), v];
    else unitConfig.push([k, v]);
  }
  if (unitConfig.length > 0) out["unitConfig"] = grouped(unitConfig);
  if (u.service.length > 0) out["serviceConfig"] = grouped(u.service);
  return out;
}

/**
 * Renders a NixOS module.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns `nimi-services.nix` and warnings.
 */
export function renderNixos(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("nixos");
  const units = systemdUnits(config, options, warn);
  const services: Record<string, NixValue> = {};
  const targets: Record<string, NixValue> = {};
  for (const u of units) {
    if (u.name.endsWith(".service")) services[u.name.slice(0, -".service".length)] = nixosUnit(u);
    else targets[u.name.slice(0, -".target".length)] = nixosUnit(u);
  }
  const text = [
    `# Rendered by nimi from ${config.file.replace(/\n/g, " ")}.`,
    "# Import it from configuration.nix: imports = [ ./nimi-services.nix ];",
    "{ ... }:",
    "{",
    `  systemd.services = ${nix(services, "  ")};`,
    `  systemd.targets = ${nix(targets, "  ")};`,
    "}",
    "",
  ].join("\n");
  return {
    files: [{ path: "nimi-services.nix", content: text, mode: 0o644 }],
    warnings: warn.items.map((w) => ({ ...w, target: "nixos" })),
    directories: [],
  };
}

/** The `nixos` target. */
export const nixosTarget: Target = {
  name: "nixos",
  summary: "a NixOS module of systemd.services",
  container: false,
  render: renderNixos,
};
