import { isUnavailableError } from '../data/database';
import { DeadlineError } from './deadline';

/**
 * Thrown where the service itself turns work away before the database sees it (a batcher's
 * waiting list is full): like the database's own refusals, a 503 to the client.
 */
export class OverloadedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverloadedError';
  }
}

/**
 * Whether a request failed because the database could not be reached or used in time: no
 * connection, a full queue, a refusal, a statement or request deadline. The app answers these
 * with 503 and Retry-After; anything else is a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return error instanceof DeadlineError || error instanceof OverloadedError || isUnavailableError(error);
}
