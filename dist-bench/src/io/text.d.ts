/** Index of the first byte that starts an invalid UTF-8 sequence (bytes.length if one is cut off at the end), or -1. */
export declare function firstInvalidUtf8(bytes: Uint8Array): number;
/** The whole file as text; invalid UTF-8 is an error naming the line. A leading BOM is dropped. */
export declare function readUtf8File(file: string, where?: string): string;
/** Decodes a byte stream as strict UTF-8, chunk by chunk; invalid bytes throw naming the line. */
export declare function decodeUtf8Stream(chunks: AsyncIterable<Buffer | string>, file: string): AsyncGenerator<string>;
