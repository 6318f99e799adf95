/**
 * Service output: byte-level line splitting, console formatting (text or JSON), per-run log
 * directories and rotated log files.
 *
 * @module
 */
export { LogSink, ServiceStream } from "./log_sink.ts";
export type { Channel, LineListener, LogSinkOptions } from "./log_sink.ts";
export {
  CONTINUES_MARKER,
  linesOf,
  LineSplitter,
  MAX_LINE_BYTES,
  prefixScan,
} from "./line_splitter.ts";
export type { LineScan } from "./line_splitter.ts";
export { BatchWriter } from "./batch_writer.ts";
export type { BatchWriterOptions, ByteWriter } from "./batch_writer.ts";
export { consolePrefix, jsonLines, prefixLines } from "./format.ts";
export type { LogFormat, StreamName } from "./format.ts";
export { createRunLogDir, nextLogsIndex } from "./log_dir.ts";
export { LogFile } from "./log_file.ts";
export { LEVEL_PREFIX, prefixEachLine, streamPriority } from "./priority.ts";
export type { MessageLevel } from "./priority.ts";
export type { LogFileOptions } from "./log_file.ts";
