export interface ResolveOptions {
    /** Branch, tag or commit (default "main"). */
    revision?: string;
    /** Cache root (default $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub). */
    cache_dir?: string;
    /** Access token (default $HF_TOKEN or the token file `huggingface-cli login` writes); false sends none. */
    token?: string | false;
    /** Use the cache only, as HF_HUB_OFFLINE=1 does. */
    local_files_only?: boolean;
    /** File name patterns to download (`*` wildcard; default: config, safetensors weights, tokenizer, generation and adapter files). */
    files?: string[];
    /** Files that must be present in the resolved folder (default ["config.json"]); pass [] for none. */
    require?: string[];
    /** Hub endpoint (default $HF_ENDPOINT or https://huggingface.co). */
    endpoint?: string;
    /** Show a progress bar on stderr for large files (default: when stderr is a TTY). */
    progress?: boolean;
    /** A fetch to use instead of the global one (proxies, tests). */
    fetch?: typeof fetch;
}
export declare const DEFAULT_HUB_FILES: string[];
/** Returns a local folder holding the model files: `nameOrPath` itself, or a cache snapshot. */
export declare function resolvePretrained(nameOrPath: string, options?: ResolveOptions): Promise<string>;
/** The snapshot folder for `revision` in a cache repo folder, or null when absent. */
export declare function cachedSnapshot(storage: string, revision: string): string | null;
/** `*` matches any run of characters except "/"; patterns without "/" match top-level files only. */
export declare function globMatch(pattern: string, file: string): boolean;
