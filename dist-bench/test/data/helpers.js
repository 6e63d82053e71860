// Shared bits for the data tests: a temp folder and the demo tokenizer the repository ships.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths.js";
export const DEMO_DIR = path.join(REPO_ROOT, "assets", "demo");
export const DEMO_TOKENIZER = path.join(DEMO_DIR, "tokenizer");
export function tempDir(prefix = "tunelab-data-") {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
export function writeFiles(dir, files) {
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
}
//# sourceMappingURL=helpers.js.map