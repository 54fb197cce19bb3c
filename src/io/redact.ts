/**
 * Secrets (API keys, tokens from the environment) must never reach results, the journal,
 * reports or messages — not even when a server echoes them back in an error body or a
 * response. Every recorded text passes through `redact`.
 */

/** Shorter values would mangle ordinary text and are no secret worth the name. */
const MIN_SECRET_LENGTH = 6;
export const REDACTED = "[redacted]";

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: readonly string[] = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  get values(): readonly string[] {
    return [...this.secrets];
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
}
