/**
 * The machine of the NixOS VM check and of `nix run .#vm` (nix/vm.nix), evaluated in the stand-in
 * NixOS system: its `web` unit runs the instance's wrapper, whose config passes `nimi validate`,
 * and run here (in a network namespace of its own) both services answer over HTTP, as the VM
 * test expects. Booting the VM itself needs Nix with nixpkgs and KVM (docs/nix.md).
 *
 * @module
 */
import assert from "node:assert/strict";
import { evalNimi, nixSkipReason, printSkip, withNix, writeNimiStandIn } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/vm_test.ts (the NixOS VM's machine)", skip);

const decoder = new TextDecoder();

Deno.test({
  name: "nix/vm.nix's machine runs two services that answer on 8001 and 8002",
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-vm-" });
    try {
      const nimiDir = await writeNimiStandIn(`${dir}/nimi`);
      await withNix(async (setup) => {
        const r = await evalNimi(setup, "vm", undefined, { nimiDir });
        assert.equal(r.code, 0, r.stderr);
        const vm = JSON.parse(r.stdout) as {
          units: Record<string, { serviceConfig: { ExecStart: string } }>;
          programs: string[];
        };
        assert.deepEqual(Object.keys(vm.units), ["web"]);
        assert.equal(vm.units["web"]!.serviceConfig.ExecStart, `${nimiDir}/apps/web/bin/web`);
        const config = /--config (\S+) run/.exec(vm.programs[0] ?? "")?.[1];
        assert.ok(config !== undefined, `no config in ${vm.programs[0]}`);
        if (!setup.storeWritable) {
          printSkip("running the VM's services", "the config file needs a writable /nix/store");
          return;
        }
        const script = [
          "ip link set lo up",
          `${nimiDir}/bin/nimi --config ${config} run > ${dir}/nimi.out 2>&1 &`,
          "pid=$!",
          "ok=",
          "for _ in $(seq 150); do",
          "  if curl -sf http://127.0.0.1:8001/ >/dev/null && curl -sf http://127.0.0.1:8002/ >/dev/null; then ok=1; break; fi",
          "  sleep 0.1",
          "done",
          'kill -TERM "$pid"; wait "$pid"',
          `cat ${dir}/nimi.out`,
          '[ -n "$ok" ] && echo "both answer"',
        ].join("\n");
        const run = await new Deno.Command("unshare", {
          args: ["--net", "--map-root-user", "sh", "-c", script],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const out = decoder.decode(run.stdout) + decoder.decode(run.stderr);
        assert.equal(run.code, 0, out);
        assert.match(out, /both answer/);
        assert.match(out, /second: started/);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
