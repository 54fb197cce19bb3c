/**
 * stdout and stderr for a CLI whose reader may leave early (`safety-gate run | head`):
 * once the pipe is closed (EPIPE), later writes are dropped quietly instead of an
 * unhandled 'error' event ending the process with a stack trace and exit 1. The exit
 * code stays the command's own (for `run`, the verdict), which is what CI reads.
 */
export function pipeWriter(
  stream: NodeJS.WritableStream,
  onOtherError?: (err: Error) => void,
): (s: string) => void {
  let closed = false;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    // A closed reader is normal; anything else (a full disk behind a redirect) is said once.
    if (err.code !== "EPIPE") onOtherError?.(err);
  });
  return (s) => {
    if (!closed) stream.write(s);
  };
}
