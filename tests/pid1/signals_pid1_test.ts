import { setup, step } from "./nimi_helpers.ts";
import { stopAt } from "./stop_signals.ts";

Deno.test("nimi run as PID 1 stops gracefully on SIGTERM and SIGINT at any moment", async (t) => {
  const { modes, dir, cleanup } = await setup();
  try {
    for (const mode of modes.filter((m) => m.pid1 && m.root)) {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        for (const moment of ["first", "500ms", "2s"] as const) {
          await step(
            t,
            mode,
            `${mode.name}: ${signal} ${moment}`,
            () => stopAt(mode, dir, signal, moment),
          );
        }
      }
    }
    for (const mode of modes.filter((m) => m.pid1 && !m.root)) {
      await step(
        t,
        mode,
        `${mode.name}: SIGTERM first`,
        () => stopAt(mode, dir, "SIGTERM", "first"),
      );
      await step(t, mode, `${mode.name}: SIGINT 2s`, () => stopAt(mode, dir, "SIGINT", "2s"));
    }
  } finally {
    await cleanup();
  }
});
