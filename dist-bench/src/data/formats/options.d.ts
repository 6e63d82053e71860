/**
 * Building blocks of the task option schemas: each task's options are one zod schema beside
 * its encoder, giving the TypeScript type, the checks of the `task:` section and the JSON
 * Schema editors complete from. An error text is the rule ("a positive integer").
 */
import { z } from "zod";
export declare const column: () => z.ZodString;
export declare const positiveInt: () => z.ZodNumber;
export declare const flag: () => z.ZodBoolean;
export declare const names: () => z.ZodArray<z.ZodString>;
