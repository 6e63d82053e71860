export declare const DEMO_DIR: string;
export declare const DEMO_TOKENIZER: string;
export declare function tempDir(prefix?: string): string;
export declare function writeFiles(dir: string, files: Record<string, string>): void;
