export declare function benchMemory(args: string[]): Promise<string>;
