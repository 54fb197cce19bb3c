/**
 * The tokenizer itself (o200k_base, the GPT-4o family's encoding; a few MB of ranks).
 * Built as its own file, dist/tokenizer.js, and imported only when tokens are counted
 * (`run --estimate`, a budget, a provider that reports no usage): every other start of the
 * CLI or the action stays as quick as before. See scripts/build.mjs.
 */
import { encode } from "gpt-tokenizer/encoding/o200k_base";

// Model output and suite prompts may hold text like "<|endoftext|>": it is counted as the
// plain text it is, never refused as a special token.
const AS_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

export const ENCODING = "o200k_base";

export function countTokens(text: string): number {
  return encode(text, AS_TEXT).length;
}
