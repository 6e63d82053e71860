/**
 * Building blocks of the task option schemas: each task's options are one zod schema beside
 * its encoder, giving the TypeScript type, the checks of the `task:` section and the JSON
 * Schema editors complete from. An error text is the rule ("a positive integer").
 */
import { z } from "zod";

export const column = () => z.string({ error: "a column name" }).min(1, { error: "a column name" });
export const positiveInt = () => z.number({ error: "a positive integer" }).int({ error: "a positive integer" }).positive({ error: "a positive integer" });
export const flag = () => z.boolean({ error: "true or false" });
export const names = () => z.array(z.string({ error: "a list of names" }), { error: "a list of names" });

/** A text column is text: a cell a reader typed as a number ("10", "1987") is its digits again. */
export const asText = (v: unknown): unknown => (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? String(v) : v);
