/**
 * Keeps nimi's memory flat under output floods. Forwarding allocates short-lived buffers
 * (formatted lines) outside the JavaScript heap; V8 collects them only when the heap itself
 * fills or when 64 MB of such memory accumulates, so a flood of bytes with few JavaScript
 * objects (a stream without newlines, binary data) lets RSS climb by that much before the
 * first collection, and the allocator keeps the pages afterwards. The pacer asks V8 for a
 * young-generation collection after every {@link GC_EVERY_BYTES} forwarded, which frees those
 * buffers at once and costs well under a millisecond. Without access to V8's collector (a
 * runtime that refuses the flag) it does nothing.
 *
 * @module
 */
import { exposedCollection, loadCollection } from "../pid1/heap.ts";

/** Bytes of formatted output between two young-generation collections. */
export const GC_EVERY_BYTES: number = 16 * 1024 * 1024;

let asked = false;

function collector(): ((options: { type: "minor" }) => void) | null {
  const collect = exposedCollection();
  if (collect !== null || asked) return collect;
  // The same `gc` the heap compactor uses, loaded once; until then the pacer skips its turns.
  asked = true;
  loadCollection().catch((e) => {
    // A runtime that refuses the flag: memory is then V8's business (see the module comment).
    if (!(e instanceof Error)) throw e;
  });
  return null;
}

let pending = 0;

/**
 * Counts bytes allocated for output and collects young garbage every {@link GC_EVERY_BYTES}.
 *
 * @param bytes Bytes just allocated.
 * @example
 * ```ts
 * const out = new Uint8Array(65536);
 * allocated(out.length);
 * ```
 */
export function allocated(bytes: number): void {
  pending += bytes;
  if (pending < GC_EVERY_BYTES) return;
  pending = 0;
  collector()?.({ type: "minor" });
}
