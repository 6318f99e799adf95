import { setup, step } from "./nimi_helpers.ts";
import { stopAt } from "./stop_signals.ts";

Deno.test("nimi run as a subreaper stops gracefully on SIGTERM and SIGINT", async (t) => {
  const { modes, dir, cleanup } = await setup();
  try {
    for (const mode of modes.filter((m) => !m.pid1)) {
      await step(
        t,
        mode,
        `${mode.name}: SIGTERM first`,
        () => stopAt(mode, dir, "SIGTERM", "first"),
      );
      await step(t, mode, `${mode.name}: SIGINT 500ms`, () => stopAt(mode, dir, "SIGINT", "500ms"));
      await step(t, mode, `${mode.name}: SIGTERM 2s`, () => stopAt(mode, dir, "SIGTERM", "2s"));
    }
  } finally {
    await cleanup();
  }
});
