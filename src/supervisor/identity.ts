/**
 * Service identity: `nimi.user` and `nimi.group` (names or numeric ids) resolved to a uid and gid
 * through /etc/passwd and /etc/group, which is all a scratch container has (no NSS, no libc
 * lookups). Only root can switch identity, so asking for one without being root is an error.
 * Deno's `Deno.Command` then sets uid and gid and clears supplementary groups.
 *
 * {@link resolveIdentity} is pure; {@link loadIdentity} reads the files.
 *
 * @module
 */
import type { ServiceSpec } from "../config/mod.ts";

/** A resolved identity to spawn a service with. */
export interface Identity {
  /** User id. */
  uid: number;
  /** Group id. */
  gid: number;
  /** `USER`, `LOGNAME` and `HOME` for the service, when the user has a passwd entry. */
  environment: Record<string, string>;
}

/** A user or group that cannot be used; the message names the service and the value. */
export class IdentityError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the service's JSON path.
   */
  constructor(message: string) {
    super(message);
    this.name = "IdentityError";
  }
}

/** One /etc/passwd entry. */
export interface PasswdEntry {
  /** Login name. */
  name: string;
  /** User id. */
  uid: number;
  /** Primary group id. */
  gid: number;
  /** Home directory. */
  home: string;
}

/** One /etc/group entry. */
export interface GroupEntry {
  /** Group name. */
  name: string;
  /** Group id. */
  gid: number;
}

/**
 * Parses /etc/passwd text; malformed lines and comments are skipped.
 *
 * @param text The file's content.
 * @returns The entries in file order.
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || line.startsWith("#")) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!isId(f[2]) || !isId(f[3])) continue;
    out.push({ name: f[0]!, uid, gid, home: f[5]! });
  }
  return out;
}

/**
 * Parses /etc/group text; malformed lines and comments are skipped.
 *
 * @param text The file's content.
 * @returns The entries in file order.
 */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || line.startsWith("#") || !isId(f[2])) continue;
    out.push({ name: f[0]!, gid: Number(f[2]) });
  }
  return out;
}

function isId(s: string | undefined): boolean {
  return s !== undefined && /^[0-9]+$/.test(s) && Number(s) <= 0xffffffff;
}

/** What {@link resolveIdentity} needs to know about the system. */
export interface IdentityContext {
  /** nimi's effective uid (`Deno.uid()`); null where unknown. */
  currentUid: number | null;
  /** Parsed /etc/passwd. */
  passwd: readonly PasswdEntry[];
  /** Parsed /etc/group. */
  groups: readonly GroupEntry[];
}

/**
 * Resolves a service's `nimi.user` and `nimi.group`. A numeric id (number or digit string) is
 * used as is; a name must exist in the files. Without `group`, the user's primary group from
 * /etc/passwd is used.
 *
 * @param spec The service (its name, jsonPath, user and group).
 * @param ctx Current uid and the parsed files.
 * @returns The identity, or null when neither user nor group is set.
 * @throws {IdentityError} When nimi is not root, a name is unknown, or a numeric user without a
 *   passwd entry has no group.
 * @example
 * ```ts
 * resolveIdentity(spec, { currentUid: 0, passwd, groups }); // { uid: 65534, gid: 65534, ... }
 * ```
 */
export function resolveIdentity(
  spec: Pick<ServiceSpec, "name" | "jsonPath" | "user" | "group">,
  ctx: IdentityContext,
): Identity | null {
  if (spec.user === null && spec.group === null) return null;
  const where = `${spec.jsonPath}.nimi`;
  if (ctx.currentUid !== 0) {
    const field = spec.user !== null ? "user" : "group";
    const uid = ctx.currentUid === null ? "unknown uid" : `uid ${ctx.currentUid}`;
    throw new IdentityError(
      `${where}.${field} is set but nimi is not root (${uid}); run nimi as root or remove it`,
    );
  }
  let user: PasswdEntry | undefined;
  let uid = 0;
  if (spec.user !== null) {
    const id = asId(spec.user);
    user = id === null
      ? ctx.passwd.find((p) => p.name === spec.user)
      : ctx.passwd.find((p) => p.uid === id);
    if (id === null && user === undefined) {
      throw new IdentityError(
        `${where}.user: no user ${JSON.stringify(spec.user)} in /etc/passwd`,
      );
    }
    uid = id ?? user!.uid;
  }
  let gid: number;
  if (spec.group !== null) {
    const id = asId(spec.group);
    const group = id === null ? ctx.groups.find((g) => g.name === spec.group) : undefined;
    if (id === null && group === undefined) {
      throw new IdentityError(
        `${where}.group: no group ${JSON.stringify(spec.group)} in /etc/group`,
      );
    }
    gid = id ?? group!.gid;
  } else if (user !== undefined) {
    gid = user.gid;
  } else {
    throw new IdentityError(
      `${where}.group: must be set, since user ${JSON.stringify(spec.user)} has no ` +
        `/etc/passwd entry to take a primary group from`,
    );
  }
  const environment: Record<string, string> = user === undefined
    ? {}
    : { USER: user.name, LOGNAME: user.name, HOME: user.home };
  return { uid, gid, environment };
}

function asId(v: string | number): number | null {
  if (typeof v === "number") return v;
  return isId(v) ? Number(v) : null;
}

/** Where {@link loadIdentity} reads from. */
export interface IdentityFiles {
  /**
   * The passwd file.
   * @default "/etc/passwd"
   */
  passwd?: string;
  /**
   * The group file.
   * @default "/etc/group"
   */
  group?: string;
}

/**
 * Resolves a service's identity against the real system: nimi's uid and the passwd and group
 * files (read only when a name has to be looked up).
 *
 * @param spec The service.
 * @param files Alternative file paths (tests).
 * @returns The identity, or null when the service sets neither user nor group.
 * @throws {IdentityError} As {@link resolveIdentity}, or when a file cannot be read.
 */
export async function loadIdentity(
  spec: Pick<ServiceSpec, "name" | "jsonPath" | "user" | "group">,
  files: IdentityFiles = {},
): Promise<Identity | null> {
  if (spec.user === null && spec.group === null) return null;
  const currentUid = Deno.uid();
  const read = async (path: string): Promise<string> => {
    if (currentUid !== 0) return "";
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return "";
      throw new IdentityError(
        `${spec.jsonPath}.nimi: cannot read ${path} to resolve user/group: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
  };
  const [passwd, groups] = await Promise.all([
    read(files.passwd ?? "/etc/passwd"),
    read(files.group ?? "/etc/group"),
  ]);
  return resolveIdentity(spec, {
    currentUid,
    passwd: parsePasswd(passwd),
    groups: parseGroup(groups),
  });
}
