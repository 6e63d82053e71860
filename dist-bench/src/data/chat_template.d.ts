export interface ChatMessage {
    role: string;
    content?: unknown;
    [key: string]: unknown;
}
export type ChatTemplates = string | Record<string, string> | null;
/** tokenizer_config.json's chat_template: a string, or a list of { name, template }. */
export declare function parseChatTemplate(value: unknown): ChatTemplates;
/** The template text to use: the requested one (a name or a template), else the tokenizer's own. */
export declare function pickChatTemplate(templates: ChatTemplates, requested: string | undefined, hasTools: boolean, owner: string): string;
/**
 * Renders `source` with `context` (messages, special tokens, add_generation_prompt, extras).
 * With `continueFinalMessage`, the text is cut right after the last message's content.
 */
export declare function renderChatTemplate(source: string, messages: ChatMessage[], context: Record<string, unknown>, continueFinalMessage: boolean): string;
