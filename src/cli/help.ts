/**
 * The `nimi --help` text.
 *
 * @module
 */
import { VERSION } from "../version.ts";

/** Full usage text. */
export const HELP = `nimi ${VERSION}: run NixOS modular services, or render them for other managers

Usage:
  nimi --config FILE run [--log-format text|json]
  nimi --config FILE validate [--strict]
  nimi --config FILE render --to TARGET --out DIR [--user] [--prefix P] [--state-dir D]
  nimi schema
  nimi --help | --version

Commands:
  run        start, supervise and stop the services; stream their logs
  validate   check a config and list its services (nested ones included)
  render     write the services as files for another service manager
  schema     print the JSON Schema of the config file
  help       print this text

Options:
  -c, --config FILE    the JSON or JSONC config (what Nix evaluated)
      --strict         unknown keys inside nimi's own structures are errors, not warnings
      --log-format F   run: "text" (service | line) or "json" (one object a line)
      --to TARGET      render: systemd, procfile, compose, kubernetes, kubernetes-pod,
                       supervisord, s6, runit, launchd, sysvinit, openrc, bsdrc (docs/render.md)
  -o, --out DIR        render: directory to write into
      --user           render: user-level units, no root-only settings
      --prefix P       render: prefix every name (several instances side by side)
      --state-dir D    render: keep all state under this directory
  -h, --help           print this text
  -V, --version        print the version

Exit codes: 0 success, 2 usage or config error; run: see docs/run.md.
`;
