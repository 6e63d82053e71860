// Chat templates as transformers applies them: Jinja (via @huggingface/jinja) rendered with the
// messages, the special tokens and add_generation_prompt; named templates ("default", "tool_use").
import { Template } from "@huggingface/jinja";
/** tokenizer_config.json's chat_template: a string, or a list of { name, template }. */
export function parseChatTemplate(value) {
    if (typeof value === "string")
        return value;
    if (Array.isArray(value)) {
        const named = {};
        for (const item of value)
            if (item && typeof item.name === "string" && typeof item.template === "string")
                named[item.name] = item.template;
        return Object.keys(named).length > 0 ? named : null;
    }
    return null;
}
/** The template text to use: the requested one (a name or a template), else the tokenizer's own. */
export function pickChatTemplate(templates, requested, hasTools, owner) {
    const named = templates !== null && typeof templates === "object" ? templates : null;
    if (requested !== undefined)
        return named?.[requested] ?? requested;
    if (typeof templates === "string")
        return templates;
    if (named) {
        const choice = (hasTools && named.tool_use) || named.default;
        if (choice)
            return choice;
        throw new Error(`[tokenizer] ${owner} has named chat templates (${Object.keys(named).join(", ")}) but none called "default"; pass { chat_template: "<name>" }`);
    }
    throw new Error(`[tokenizer] ${owner} has no chat_template (tokenizer_config.json defines none); pass { chat_template } or set tokenizer.chat_template`);
}
const compiled = new Map();
/**
 * Renders `source` with `context` (messages, special tokens, add_generation_prompt, extras).
 * With `continueFinalMessage`, the text is cut right after the last message's content.
 */
export function renderChatTemplate(source, messages, context, continueFinalMessage) {
    if (!Array.isArray(messages) || messages.some((m) => typeof m !== "object" || m === null || typeof m.role !== "string")) {
        throw new Error(`[tokenizer] applyChatTemplate: messages must be an array of { role, content } objects`);
    }
    let template = compiled.get(source);
    if (!template) {
        try {
            template = new Template(source);
        }
        catch (err) {
            throw new Error(`[tokenizer] chat_template does not parse (${err.message}); fix the template`);
        }
        if (compiled.size > 32)
            compiled.clear();
        compiled.set(source, template);
    }
    let rendered;
    try {
        rendered = template.render({ ...context, messages });
    }
    catch (err) {
        throw new Error(`[tokenizer] chat_template failed to render: ${err.message}; check the messages (roles, order) against the template`);
    }
    if (continueFinalMessage) {
        const last = messages[messages.length - 1]?.content;
        const text = typeof last === "string" ? last.trim() : "";
        const at = text ? rendered.lastIndexOf(text) : -1;
        if (at < 0)
            throw new Error(`[tokenizer] applyChatTemplate: continue_final_message needs the last message's text content to appear in the rendered chat`);
        rendered = rendered.slice(0, at + text.length);
    }
    return rendered;
}
//# sourceMappingURL=chat_template.js.map