/**
 * The one "did you mean" of every config section ("learning_rte" → "learning_rate"), and the
 * wording of schema problems: `key must be <rule>, got <value>` with the rule the schema
 * states, every problem at once.
 */
import type { z } from "zod";
/** Levenshtein distance (insertions, deletions, substitutions, and adjacent swaps). */
export declare function editDistance(a: string, b: string): number;
/** The closest candidate within a distance that scales with the name's length, or null. */
export declare function nearestName(name: string, candidates: Iterable<string>): string | null;
/** `unknown key "x"; did you mean "y"?` or a list of the valid names when nothing is close. */
export declare function unknownKeyMessage(where: string, name: string, candidates: string[]): string;
/** The keys a strict object schema knows (for suggestions). */
export declare function schemaKeys(schema: z.ZodObject): string[];
/**
 * Every problem of a schema check, in our wording. `where` names the section for unknown
 * keys ("training arguments"); `prefix` goes before a value's key ("dataset." → "dataset.format: must be ...").
 * A rule's message is the schema's error text ("a positive integer"); a message that starts
 * with "!" is a whole sentence (a cross-field rule).
 */
export declare function schemaProblems(error: z.ZodError, raw: unknown, where: string, knownKeys: string[], prefix?: string): string[];
