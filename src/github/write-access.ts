/**
 * Pull requests from forks get a read-only token: every write answers 403 "Resource not
 * accessible by integration" — as does a write the workflow's `permissions:` do not grant.
 * That is expected, not an error: the refusal is recorded, a notice says why once, the
 * other writes are still tried (a workflow may grant `statuses: write` but not
 * `checks: write`), and the run still ends with its verdict (for forks, the `mode: report`
 * workflow posts comment, check and status instead).
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
  /** Writes the token was not allowed to make. */
  readonly refused: string[] = [];
  /** Writes that failed for another reason (with the reason). */
  readonly failures: string[] = [];

  constructor(private readonly log: WriteLog) {}

  get readOnly(): boolean {
    return this.refused.length > 0;
  }

  /** Runs a write; returns undefined if it was refused or failed (recorded, never thrown). */
  async write<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (isReadOnlyTokenError(err)) {
        if (!this.readOnly) {
          (this.log.notice ?? this.log.warning)(
            `safety-gate: the token may not write the ${what} (a pull request from a fork, or permissions without pull-requests, checks or statuses: write); ` +
              "the job summary and the results artifact carry the report. See examples/workflows/ for posting from a trusted workflow.",
          );
        }
        this.refused.push(what);
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
