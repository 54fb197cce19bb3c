/**
 * Request templates for the `http` target: `{{prompt}}`, `{{system}}`, `{{id}}` and
 * `{{sample}}` inside strings; a string that is exactly `{{messages}}` becomes the chat
 * messages as a JSON list, and one that is exactly `{{tools}}` the case's tool
 * specifications (an empty list for a case without tools). Values are inserted as data, never re-parsed, so a prompt
 * full of quotes or braces cannot change the shape of the request.
 */
import type { ChatMessage } from "./messages.js";

export const PLACEHOLDERS = ["prompt", "messages", "system", "id", "sample", "tools"] as const;
export const PLACEHOLDER = /\{\{\s*([A-Za-z_]*)\s*\}\}/.source;

export interface TemplateValues {
  prompt: string;
  messages: readonly ChatMessage[];
  system: string;
  id: string;
  sample: number;
  /** The case's tool specifications (OpenAI chat `tools`), [] without. */
  tools?: readonly unknown[];
}

function substitute(s: string, v: TemplateValues, encode: (x: string) => string): string {
  return s.replace(new RegExp(PLACEHOLDER, "g"), (_whole, name: string) => {
    const value =
      name === "messages" || name === "tools"
        ? JSON.stringify(v[name] ?? [])
        : String(v[name as keyof TemplateValues]);
    return encode(value);
  });
}

export function renderBody(template: unknown, v: TemplateValues): unknown {
  if (typeof template === "string") {
    const whole = new RegExp(`^\\s*${PLACEHOLDER}\\s*$`).exec(template)?.[1];
    if (whole === "messages") return v.messages;
    if (whole === "tools") return v.tools ?? [];
    return substitute(template, v, (x) => x);
  }
  if (Array.isArray(template)) return template.map((t) => renderBody(t, v));
  if (template !== null && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, t]) => [k, renderBody(t, v)]));
  }
  return template;
}

export function renderUrl(template: string, v: TemplateValues): string {
  return substitute(template, v, encodeURIComponent);
}
