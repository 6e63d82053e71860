/**
 * Loads the native addon (native/, built by node-gyp on `npm install`) and types its
 * export table (native/binding.cpp). Nothing above src/tensor/ imports this file.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
/** Op codes shared with native/kernels.h. Only append. */
export const UnaryOp = {
    neg: 0, exp: 1, log: 2, sqrt: 3, rsqrt: 4, tanh: 5, sigmoid: 6, relu: 7,
    gelu_erf: 8, gelu_tanh: 9, silu: 10, abs: 11, square: 12, reciprocal: 13, sin: 14, cos: 15,
};
export const BinaryOp = {
    add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6,
    eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
};
export const ReduceOp = { sum: 0, mean: 1, max: 2, min: 3 };
/** The path of a built addon of this package (build/Release/<name>.node). */
export function findAddon(name = "tunelab_native") {
    // dist/src/tensor/native.js and src/tensor/native.ts both sit three levels below the root.
    const here = dirname(fileURLToPath(import.meta.url));
    const candidates = [resolve(here, "../../.."), resolve(here, "../..")];
    for (const root of candidates) {
        for (const build of ["Release", "Debug"]) {
            const p = join(root, "build", build, `${name}.node`);
            if (existsSync(p))
                return p;
        }
    }
    throw new Error(`[native] the ${name} addon is not built (looked for build/Release/${name}.node); ` +
        "run `npm install` (or `npx node-gyp rebuild`) in the tunelab folder — it needs g++ and Node's headers");
}
let loaded = null;
export function native() {
    if (!loaded) {
        const require = createRequire(import.meta.url);
        loaded = require(findAddon());
    }
    return loaded;
}
//# sourceMappingURL=native.js.map