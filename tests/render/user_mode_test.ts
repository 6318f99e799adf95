import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { TARGETS } from "../../src/render/mod.ts";
import { fixture } from "./helpers.ts";

const ROOT_ONLY = [
  /^User=/m,
  /^Group=/m,
  /^StateDirectory=/m,
  /^user=/m,
  /s6-setuidgid|s6-applyuidgid|chpst|setpriv|runuser/,
  /command_user=/,
  / -u daemon /,
  /<key>(UserName|GroupName)<\/key>/,
  /chown /,
];

for (const target of TARGETS.filter((t) => !t.container)) {
  Deno.test(`${target.name} --user: no root-only setting, every path under the state directory`, async () => {
    const config = await loadConfig(fixture("full.json"));
    const state = "/home/u/.local/state/nimi";
    const result = target.render(config, {
      prefix: "",
      user: true,
      stateDir: state,
      rawConfig: null,
    });
    for (const f of result.files) {
      for (const re of ROOT_ONLY) assert.doesNotMatch(f.content, re, `${f.path} has ${re}`);
      assert.doesNotMatch(f.content, /\/var\/(lib|run|log)\//, `${f.path} writes outside ${state}`);
    }
    assert.ok(
      result.warnings.some((w) => w.service === "web" && /user/.test(w.feature)),
      `${target.name}: the dropped user of "web" is not reported`,
    );
    for (const d of result.directories) assert.ok(d.startsWith(state), d);
  });
}
