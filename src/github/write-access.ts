/**
 * Pull requests from forks get a read-only token: every write answers 403 "Resource not
 * accessible by integration". That is expected, not an error: the first such answer marks
 * the token read-only, later writes are skipped, and the run still ends with its verdict
 * (the `mode: report` workflow posts comment, check and status instead).
 */

export function isReadOnlyTokenError(err: unknown): boolean {
  const e = err as { status?: number; message?: string; response?: { data?: { message?: string } } };
  const message = e?.response?.data?.message ?? e?.message ?? "";
  return e?.status === 403 && /Resource not accessible by integration/i.test(message);
}

export interface WriteLog {
  warning(message: string): void;
  /** For the expected read-only case; warning when absent. */
  notice?(message: string): void;
}

export class WriteAccess {
  /** Set once a write was refused for a read-only token. */
  readOnly = false;
  readonly failures: string[] = [];
  readonly skipped: string[] = [];

  constructor(private readonly log: WriteLog) {}

  /** Runs a write; returns undefined if it was skipped or failed (recorded, never thrown). */
  async write<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.readOnly) {
      this.skipped.push(what);
      return undefined;
    }
    try {
      return await fn();
    } catch (err) {
      if (isReadOnlyTokenError(err)) {
        this.readOnly = true;
        this.skipped.push(what);
        (this.log.notice ?? this.log.warning)(
          `safety-gate: the token is read-only (a pull request from a fork?), so the ${what} was not posted; ` +
            "the job summary and the results artifact carry the report. See examples/workflows/ for posting from a trusted workflow.",
        );
        return undefined;
      }
      const status = (err as { status?: number }).status;
      const message = `${what}: ${status ? `HTTP ${status}: ` : ""}${(err as Error).message}`;
      this.failures.push(message);
      this.log.warning(`safety-gate: could not post the ${message}`);
      return undefined;
    }
  }
}
