/**
 * The newline search and prefixing of log forwarding in WebAssembly (`line_kernel.wat`, SIMD):
 * a chunk is copied into the kernel's memory once, its newlines are found in 16-byte blocks,
 * and each output (console, log file) is written by one call and copied out once. In
 * JavaScript the same work took several native calls per line (bench/README.md, "Log
 * forwarding").
 *
 * It is loaded on first use ({@link loadKernel}, when a stream turns out chatty), so a nimi
 * whose services say little never holds it. Its memory is fixed (1 MiB, no growth, so views of it stay valid; pages it never
 * touches cost nothing) and laid out here:
 *
 * | region | offset | size |
 * | --- | --- | --- |
 * | chunk | 0 | {@link KERNEL_CHUNK} |
 * | newline offsets | after it | {@link KERNEL_LINES} x 4 |
 * | prefix | after them | {@link KERNEL_PREFIX} |
 * | output | the rest | what is left |
 *
 * each followed by {@link SLACK} bytes, as the kernel reads and writes in 16-byte blocks.
 * Whatever does not fit (a larger chunk, more lines, a longer prefix, a larger output) is
 * left to the JavaScript code of src/logs/line_splitter.ts, which stays the reference.
 *
 * @module
 */
type Kernel = typeof import("./line_kernel.wasm");

/** Room after each region for the kernel's 16-byte blocks (and alignment). */
const SLACK = 64;
/** Largest chunk the kernel scans (the largest read of src/logs/log_sink.ts). */
export const KERNEL_CHUNK: number = 64 * 1024;
/** Most newlines per chunk the kernel records. */
export const KERNEL_LINES: number = 16 * 1024;
/** Longest prefix the kernel writes. */
export const KERNEL_PREFIX: number = 1024;

const CHUNK_AT = 0;
const ENDS_AT = CHUNK_AT + KERNEL_CHUNK + SLACK;
const PREFIX_AT = ENDS_AT + 4 * KERNEL_LINES + SLACK;
const OUT_AT = PREFIX_AT + KERNEL_PREFIX + SLACK;

let kernel: Kernel | null = null;
let loading: Promise<void> | null = null;
let bytes: Uint8Array<ArrayBuffer | SharedArrayBuffer> = new Uint8Array(0);
let outCap = 0;
let generation = 0;

/**
 * The newline offsets of the last {@link kernelScan}, a view of the kernel's memory once it
 * is loaded: valid until the next scan.
 */
export let kernelEnds: Int32Array<ArrayBuffer | SharedArrayBuffer> = new Int32Array(0);

/**
 * Loads the kernel, once; until it is loaded, {@link kernelScan} leaves every chunk to
 * JavaScript.
 *
 * @returns A promise that resolves once it is loaded (rejects if it cannot be).
 */
export function loadKernel(): Promise<void> {
  loading ??= import("./line_kernel.wasm").then((k) => {
    const buffer = k.memory.buffer;
    bytes = new Uint8Array(buffer);
    kernelEnds = new Int32Array(buffer, ENDS_AT, KERNEL_LINES);
    outCap = buffer.byteLength - OUT_AT - SLACK;
    kernel = k;
  });
  return loading;
}

/**
 * Copies a chunk into the kernel and finds its newlines.
 *
 * @param chunk The bytes.
 * @returns How many newlines (their offsets are {@link kernelEnds}), or -1 when the kernel
 *   cannot take the chunk (not loaded, too large, too many lines): scan it in JavaScript.
 */
export function kernelScan(chunk: Uint8Array): number {
  if (kernel === null || chunk.length > KERNEL_CHUNK) return -1;
  generation++;
  bytes.set(chunk, CHUNK_AT);
  return kernel.scan(CHUNK_AT, chunk.length, ENDS_AT, KERNEL_LINES);
}

/**
 * Which scan the kernel holds: each {@link kernelScan} changes it, so a caller that saved it
 * knows whether the kernel still holds its chunk.
 *
 * @returns The current scan's number.
 */
export function kernelGeneration(): number {
  return generation;
}

/**
 * Writes lines of the chunk the kernel holds, each behind a prefix, into `out` at `at`.
 *
 * @param start Where the first line starts in the chunk.
 * @param skip Whether to skip the first newline in {@link kernelEnds} (it ended a line begun
 *   in an earlier chunk, written apart).
 * @param count Lines to write.
 * @param prefix Bytes put before each line.
 * @param out Where the result goes.
 * @param at Offset in `out`.
 * @param size Bytes the result takes (the caller computed it to size `out`).
 * @returns Whether the kernel wrote it; false when the prefix or output is too large for it.
 * @throws {Error} When the kernel wrote another size than `size` (a bug, never silent).
 */
export function kernelFormat(
  start: number,
  skip: boolean,
  count: number,
  prefix: Uint8Array,
  out: Uint8Array,
  at: number,
  size: number,
): boolean {
  if (kernel === null || prefix.length > KERNEL_PREFIX || size > outCap) return false;
  bytes.set(prefix, PREFIX_AT);
  const endsAt = ENDS_AT + (skip ? 4 : 0);
  const n = kernel.format(CHUNK_AT, start, endsAt, count, PREFIX_AT, prefix.length, OUT_AT);
  if (n !== size) throw new Error(`internal error: the line kernel wrote ${n} bytes, not ${size}`);
  out.set(bytes.subarray(OUT_AT, OUT_AT + n), at);
  return true;
}
