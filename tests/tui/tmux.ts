/**
 * A private tmux server for driving a terminal program as a person would: start it in a pane of
 * a fixed size, type keys (`send-keys`), read the screen (`capture-pane`), resize, and read the
 * terminal's modes (alternate screen, cursor, wrap) as tmux sees them.
 *
 * @module
 */

/** One tmux server with one window. */
export interface Tmux {
  /** The server's socket (for tmux commands of a test's own). */
  readonly socket: string;
  /** Types keys (tmux key names: `q`, `Enter`, `Down`, `C-c`; `-l` literal text with `literal`). */
  send(keys: string[], literal?: boolean): Promise<void>;
  /** The visible screen, one string per row, without colours. */
  screen(): Promise<string[]>;
  /** Waits until the screen matches, or throws with the last screen after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string[]>;
  /** Resizes the window. */
  resize(columns: number, rows: number): Promise<void>;
  /** A tmux format value of the pane (`alternate_on`, `cursor_flag`, `wrap_flag`, `pane_dead`). */
  format(name: string): Promise<string>;
  /** Kills the server and everything in it. */
  close(): Promise<void>;
}

async function tmux(socket: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-S", socket, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`tmux ${args[0]} failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

/**
 * Starts a tmux server running `command` in a shell, in a window of the given size.
 *
 * @param command Shell command line for the pane.
 * @param options Size, environment and working directory.
 * @returns The handle.
 */
export async function startTmux(
  command: string,
  options: { columns?: number; rows?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<Tmux> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-tmux-" });
  const socket = `${dir}/tmux.sock`;
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  await tmux(socket, [
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-x",
    String(options.columns ?? 80),
    "-y",
    String(options.rows ?? 24),
    ...(options.cwd ? ["-c", options.cwd] : []),
    ...env,
    command,
  ]);
  await tmux(socket, ["set-option", "-g", "remain-on-exit", "on"]);
  // No status line: the pane is the whole window, of exactly the size asked for.
  await tmux(socket, ["set-option", "-g", "status", "off"]);
  const self: Tmux = {
    socket,
    send: async (keys, literal = false) => {
      await tmux(socket, ["send-keys", "-t", "0", ...(literal ? ["-l"] : []), ...keys]);
    },
    screen: async () =>
      (await tmux(socket, ["capture-pane", "-p", "-t", "0"])).replace(/\n$/, "").split("\n"),
    waitFor: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: string[] = [];
      while (Date.now() < deadline) {
        last = await self.screen();
        if (pattern.test(last.join("\n"))) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`screen never matched ${pattern}:\n${last.join("\n")}`);
    },
    resize: async (columns, rows) => {
      await tmux(socket, ["resize-window", "-t", "0", "-x", String(columns), "-y", String(rows)]);
    },
    format: async (name) => (await tmux(socket, ["display", "-p", "-t", "0", `#{${name}}`])).trim(),
    close: async () => {
      try {
        await tmux(socket, ["kill-server"]);
      } catch (e) {
        // Already gone (the last pane's program ended and took the server with it).
        if (!String(e).includes("no server running") && !String(e).includes("error connecting")) {
          throw e;
        }
      }
      await Deno.remove(dir, { recursive: true });
    },
  };
  return self;
}
