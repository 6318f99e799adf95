/**
 * Identity resolution: names and ids through passwd/group text, the root requirement, and the
 * real /etc files with Deno.Command running as nobody/nogroup.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  IdentityError,
  loadIdentity,
  parseGroup,
  parsePasswd,
  resolveIdentity,
} from "../../src/supervisor/identity.ts";
import { rootTest } from "../helpers/root.ts";

const PASSWD = `# comment
root:x:0:0:root:/root:/bin/bash
app:x:1001:1002:App:/srv/app:/bin/sh
broken:x:abc:1:::
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const GROUP = `root:x:0:
apps:x:1002:app
web:x:2000:
nogroup:x:65534:
bad:x:
`;

const ctx = { currentUid: 0, passwd: parsePasswd(PASSWD), groups: parseGroup(GROUP) };
const svc = (user: string | number | null, group: string | number | null) => ({
  name: "web",
  jsonPath: "services.web",
  user,
  group,
});

Deno.test("parsePasswd() and parseGroup() skip comments and malformed lines", () => {
  assert.deepEqual(parsePasswd(PASSWD).map((p) => p.name), ["root", "app", "nobody"]);
  assert.deepEqual(parsePasswd(PASSWD)[1], { name: "app", uid: 1001, gid: 1002, home: "/srv/app" });
  assert.deepEqual(parseGroup(GROUP).map((g) => [g.name, g.gid]), [
    ["root", 0],
    ["apps", 1002],
    ["web", 2000],
    ["nogroup", 65534],
  ]);
});

Deno.test("resolveIdentity() returns null when neither user nor group is set", () => {
  assert.equal(resolveIdentity(svc(null, null), { ...ctx, currentUid: 1000 }), null);
});

Deno.test("resolveIdentity() takes a user name's uid, primary gid, and USER/LOGNAME/HOME", () => {
  assert.deepEqual(resolveIdentity(svc("app", null), ctx), {
    uid: 1001,
    gid: 1002,
    environment: { USER: "app", LOGNAME: "app", HOME: "/srv/app" },
  });
});

Deno.test("resolveIdentity() resolves a group name and numeric ids given as numbers or digits", () => {
  assert.deepEqual(resolveIdentity(svc("app", "web"), ctx)?.gid, 2000);
  assert.deepEqual(resolveIdentity(svc(1001, 7), ctx), {
    uid: 1001,
    gid: 7,
    environment: { USER: "app", LOGNAME: "app", HOME: "/srv/app" },
  });
  assert.deepEqual(resolveIdentity(svc("4242", "4343"), ctx), {
    uid: 4242,
    gid: 4343,
    environment: {},
  });
  assert.deepEqual(resolveIdentity(svc(null, "nogroup"), ctx), {
    uid: 0,
    gid: 65534,
    environment: {},
  });
});

Deno.test("resolveIdentity() refuses when nimi is not root, naming the option", () => {
  assert.throws(
    () => resolveIdentity(svc("nobody", null), { ...ctx, currentUid: 1000 }),
    (e: unknown) =>
      e instanceof IdentityError &&
      e.message ===
        "services.web.nimi.user is set but nimi is not root (uid 1000); run nimi as root or remove it",
  );
  assert.throws(
    () => resolveIdentity(svc(null, "web"), { ...ctx, currentUid: 1000 }),
    /^IdentityError: services\.web\.nimi\.group is set but nimi is not root/,
  );
});

Deno.test("resolveIdentity() rejects unknown names and a numeric user without a group", () => {
  assert.throws(
    () => resolveIdentity(svc("ghost", null), ctx),
    /^IdentityError: services\.web\.nimi\.user: no user "ghost" in \/etc\/passwd$/,
  );
  assert.throws(
    () => resolveIdentity(svc("app", "ghosts"), ctx),
    /^IdentityError: services\.web\.nimi\.group: no group "ghosts" in \/etc\/group$/,
  );
  assert.throws(
    () => resolveIdentity(svc(4242, null), ctx),
    /^IdentityError: services\.web\.nimi\.group: must be set, since user 4242 has no \/etc\/passwd entry/,
  );
});

rootTest(
  "loadIdentity() resolves nobody/nogroup from the real files and Deno.Command runs as them",
  "it switches to nobody and back",
  async () => {
    const id = await loadIdentity(svc("nobody", "nogroup"));
    assert.ok(id !== null);
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", "id -u; id -g; id -G"],
      uid: id.uid,
      gid: id.gid,
      // As nobody the checkout (maybe under /root, 0700) is no working directory.
      cwd: "/",
    }).output();
    const [uid, gid, groups] = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.equal(uid, String(id.uid));
    assert.equal(gid, String(id.gid));
    // No supplementary group of root's survives the switch.
    assert.equal(groups, String(id.gid));
  },
);

rootTest("loadIdentity() reads alternative files", "it switches to nobody and back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/passwd`, PASSWD);
    await Deno.writeTextFile(`${dir}/group`, GROUP);
    const id = await loadIdentity(svc("app", "web"), {
      passwd: `${dir}/passwd`,
      group: `${dir}/group`,
    });
    assert.deepEqual([id?.uid, id?.gid], [1001, 2000]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
