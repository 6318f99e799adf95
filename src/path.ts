/**
 * POSIX path joining and splitting, as `node:path` does them, for the modules `nimi run` loads.
 * Importing any `node:` module brings in Deno's Node compatibility layer, about 1 MB of private
 * memory for the life of a PID 1 (bench/README.md, "Memory"), for three small functions.
 * tests/path_test.ts checks them against `node:path`.
 *
 * @module
 */

/**
 * Normalises a path: no empty or `.` segments, `..` applied where it can be.
 *
 * @param path A path.
 * @returns The normal form (`.` for an empty relative path).
 * @example
 * ```ts
 * normalize("/a//b/../c/."); // "/a/c"
 * ```
 */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(part);
  }
  const body = out.join("/");
  const trailing = path.endsWith("/") ? "/" : "";
  if (body === "") return absolute ? "/" : `.${trailing}`;
  return `${absolute ? "/" : ""}${body}${trailing}`;
}

/**
 * Joins path segments and normalises the result (empty segments are skipped).
 *
 * @param parts Segments.
 * @returns The joined path.
 * @example
 * ```ts
 * join("/run", "nimi", "control.sock"); // "/run/nimi/control.sock"
 * ```
 */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/**
 * The directory part of a path.
 *
 * @param path A path.
 * @returns Everything before the last segment (`.` when there is none, `/` for the root),
 *   slashes kept as they are.
 * @example
 * ```ts
 * dirname("/var/log/nimi/web.log"); // "/var/log/nimi"
 * ```
 */
export function dirname(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  // The slash before the last segment; trailing slashes do not count.
  let end = -1;
  let inTrailing = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] !== "/") inTrailing = false;
    else if (!inTrailing) {
      end = i;
      break;
    }
  }
  if (end === -1) return rooted ? "/" : ".";
  if (rooted && end === 1) return "//";
  return path.slice(0, end);
}
