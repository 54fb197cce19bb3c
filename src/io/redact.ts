/**
 * Secrets (API keys, tokens from the environment) must never reach results, the journal,
 * reports or messages — not even when a server echoes them back in an error body or a
 * response. Every written text passes through `redact`; grading sees the text as it was
 * (a response that quotes a key is graded on what it said), so redaction happens where
 * text leaves the engine: the journal, and the finished results (`redactAll`).
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

  /**
   * A copy of `value` with every string in it redacted (map keys too): for records whose
   * text comes from anywhere — responses of every build, grade reasons, errors, notes.
   */
  redactAll<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.redact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
      if (v !== null && typeof v === "object" && !(v instanceof Date))
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.redact(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
