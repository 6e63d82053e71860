/**
 * The one "did you mean" of every config section ("learning_rte" → "learning_rate"), and the
 * wording of schema problems: `key must be <rule>, got <value>` with the rule the schema
 * states, every problem at once.
 */
import type { z } from "zod";
import { editDistance, nearestKey } from "../peft/config.js";

/** The closest candidate within a distance that scales with the name's length, or null (peft's nearestKey: one rule everywhere). */
export function nearestName(name: string, candidates: Iterable<string>): string | null {
  return nearestKey(name, [...candidates]);
}

export { editDistance };

/** `unknown key "x"; did you mean "y"?` or a list of the valid names when nothing is close. */
export function unknownKeyMessage(where: string, name: string, candidates: string[]): string {
  const near = nearestName(name, candidates);
  return near
    ? `${where}: unknown key "${name}"; did you mean "${near}"?`
    : `${where}: unknown key "${name}"; valid keys: ${candidates.join(", ")}`;
}

/** The keys a strict object schema knows (for suggestions). */
export function schemaKeys(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

/**
 * Every problem of a schema check, in our wording. `where` names the section for unknown
 * keys ("training arguments"); `prefix` goes before a value's key ("dataset." → "dataset.format: must be ...").
 * A rule's message is the schema's error text ("a positive integer"); a message that starts
 * with "!" is a whole sentence (a cross-field rule).
 */
export function schemaProblems(error: z.ZodError, raw: unknown, where: string, knownKeys: string[], prefix = ""): string[] {
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) problems.push(unknownKeyMessage(where, k, knownKeys));
      continue;
    }
    const key = issue.path.join(".");
    if (issue.message.startsWith("!")) { problems.push(issue.message.slice(1)); continue; }
    let value: unknown = raw;
    for (const p of issue.path) value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
    problems.push(`${prefix ? `${prefix}${key}:` : key} must be ${issue.message}, got ${JSON.stringify(value)}`);
  }
  return problems;
}
