export class DeadlineError extends Error {}

/**
 * Settles like `promise`, or rejects with a DeadlineError after `ms`. The abandoned promise's
 * own outcome is ignored (never an unhandled rejection). `setting` names what sets the deadline.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, setting?: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms${setting ? ` (${setting})` : ''}`)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
