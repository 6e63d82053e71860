/**
 * The JSON Schema of a config file (schema/tunelab-config.schema.json, shipped with the
 * package): built from the same zod schemas that check configs, so editors complete and
 * check train.yaml with exactly the keys, values and defaults tunelab accepts. Point an
 * editor at it with `# yaml-language-server: $schema=<path or URL>` on the first line.
 */
import { z } from "zod";
export declare const CONFIG_SCHEMA_FILE = "schema/tunelab-config.schema.json";
/** The config file's schema (YAML input form: strings standing for sections, aliases, top-level training arguments). */
export declare function configFileSchema(): z.ZodObject;
export declare function configJsonSchema(): Record<string, unknown>;
