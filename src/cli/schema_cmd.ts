/**
 * `nimi schema`: prints the config's JSON Schema.
 *
 * @module
 */
import { configJsonSchema } from "../config/json_schema.ts";
import type { Output } from "./output.ts";

/**
 * Prints the JSON Schema generated from the validator's own definitions.
 *
 * @param io Where to write.
 * @returns Exit code 0.
 */
export function schemaCommand(io: Output): number {
  io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
