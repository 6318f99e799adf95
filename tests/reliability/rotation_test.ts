/**
 * Log rotation under hostile conditions: its cost follows the files that exist, not
 * `maxFiles` (renames counted); a huge `logs-N` index does not stall the start; a `logs-N`
 * swapped for a symlink during a run is not followed (nothing renamed or written elsewhere);
 * a log directory that belongs to another user is refused.
 */
import assert from "node:assert/strict";
import { LogFile } from "../../src/logs/log_file.ts";
import { createRunLogDir, nextLogsIndex } from "../../src/logs/log_dir.ts";
import { IS_ROOT, listTree, note, sandbox } from "./helpers.ts";

const enc = new TextEncoder();

/** Counts Deno.rename and Deno.remove calls made while `body` runs. */
async function countingRenames(body: () => Promise<void>): Promise<number> {
  const rename = Deno.rename;
  const remove = Deno.remove;
  let calls = 0;
  Deno.rename = (a, b) => {
    calls++;
    return rename(a, b);
  };
  Deno.remove = (p, o) => {
    calls++;
    return remove(p, o);
  };
  try {
    await body();
  } finally {
    Deno.rename = rename;
    Deno.remove = remove;
  }
  return calls;
}

Deno.test("LogFile rotation renames only the files that exist, whatever maxFiles is", async () => {
  const box = await sandbox("rotcost");
  try {
    const costs: number[] = [];
    for (const maxFiles of [5, 10_000]) {
      const path = `${box.root}/m${maxFiles}.log`;
      const errors: unknown[] = [];
      const f = await LogFile.open(path, {
        maxBytes: 100,
        maxFiles,
        onError: (e) => errors.push(e),
      });
      costs.push(
        await countingRenames(async () => {
          for (let i = 0; i < 20; i++) {
            f.write(enc.encode(`${"x".repeat(90)} ${String(i).padStart(2, "0")}\n`));
            await f.writer.flush();
          }
        }),
      );
      await f.close();
      assert.deepEqual(errors, []);
    }
    // 19 rotations. maxFiles 5: 4 renames + 1 removal at most each; maxFiles 10,000: one
    // rename per file that exists (1 + 2 + ... + 19) plus the current file's: 209, not 19 x 10,000.
    assert.ok(costs[0]! <= 19 * 6, `maxFiles 5: ${costs[0]} renames`);
    assert.equal(costs[1], 19 + (19 * 18) / 2, `maxFiles 10,000: ${costs[1]} renames`);
    const tree = await listTree(box.root);
    assert.equal(tree.filter((n) => n.startsWith("m10000.log")).length, 20);
    assert.equal(tree.filter((n) => n.startsWith("m5.log")).length, 6);
  } finally {
    await box.remove();
  }
});

Deno.test("createRunLogDir() ignores a logs-N whose N is past any real run's, and starts at once", async () => {
  assert.equal(nextLogsIndex(["logs-9007199254740992"]), 0);
  assert.equal(nextLogsIndex(["logs-3", "logs-99999999999999999999", "logs-1e3"]), 4);
  const box = await sandbox("logsn");
  try {
    await Deno.mkdir(`${box.work}/logs/logs-9007199254740992`, { recursive: true });
    await Deno.mkdir(`${box.work}/logs/logs-1000000000`, { recursive: true });
    assert.equal(await createRunLogDir(`${box.work}/logs`), `${box.work}/logs/logs-0`);
  } finally {
    await box.remove();
  }
});

Deno.test("LogFile gives up instead of following a logs-N swapped for a symlink", async () => {
  const box = await sandbox("swap");
  try {
    const dir = await createRunLogDir(`${box.work}/logs`);
    const victim = `${box.root}/victim`;
    await Deno.mkdir(victim);
    await Deno.writeTextFile(`${victim}/web.log`, "precious\n");
    const errors: unknown[] = [];
    const f = await LogFile.open(`${dir}/web.log`, {
      maxBytes: 50,
      maxFiles: 3,
      onError: (e) => errors.push(e),
    });
    f.write(enc.encode("first line of the run, about forty bytes\n"));
    await f.writer.flush();
    // The attacker (owner of the logs dir) moves logs-0 away and plants a symlink.
    await Deno.rename(dir, `${dir}-moved`);
    await Deno.symlink(victim, dir);
    f.write(enc.encode("second line: this one makes it rotate now\n"));
    await f.close();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /was replaced while nimi wrote to it; log file given up/);
    assert.deepEqual(await listTree(victim), ["web.log"]);
    assert.equal(await Deno.readTextFile(`${victim}/web.log`), "precious\n");
  } finally {
    await box.remove();
  }
});

Deno.test({
  name: "createRunLogDir() refuses a logs directory, or a symlink to one, planted by another user",
  ignore: !IS_ROOT,
  fn: async () => {
    const box = await sandbox("planted");
    try {
      const planted = `${box.work}/planted`;
      await Deno.mkdir(planted);
      await Deno.chown(planted, 65534, 65534);
      await assert.rejects(
        createRunLogDir(planted),
        /belongs to uid 65534, not to nimi \(uid 0\) or root; refusing/,
      );
      const link = `${box.work}/link`;
      await Deno.symlink(planted, link);
      await assert.rejects(createRunLogDir(link), /belongs to uid 65534/);
      assert.deepEqual(await listTree(planted), []);
    } finally {
      await box.remove();
    }
  },
});
if (!IS_ROOT) note("rotation_test: not root, the planted-directory test is skipped (needs chown)");
