/**
 * Synchronous when it can be, asynchronous when it must: a generator yields each value it
 * waits for; `runSteps` hands plain values straight back and only turns into a promise at
 * the first promise yielded. Rule graders answer at once and a judge answers later, and
 * the scoring code is written once for both: with rules alone, a suite of thousands of
 * cases is scored without a promise and a microtask per grade, sample and case.
 */
export type Steps<T> = Generator<unknown, T, unknown>;

export function runSteps<T>(steps: Steps<T>): T | Promise<T> {
  let r = steps.next();
  while (!r.done) {
    if (r.value instanceof Promise) return finishAsync(steps, r.value);
    r = steps.next(r.value);
  }
  return r.value;
}

async function finishAsync<T>(steps: Steps<T>, pending: Promise<unknown>): Promise<T> {
  let r = steps.next(await pending);
  while (!r.done) r = steps.next(r.value instanceof Promise ? await r.value : r.value);
  return r.value;
}
