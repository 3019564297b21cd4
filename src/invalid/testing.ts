// For tests: the refusal a piece of work throws, so a test can look at its field and words.
import { InvalidInputError } from './index.ts';

export function refusalOf<E extends InvalidInputError = InvalidInputError>(work: () => unknown, type: new (...args: never[]) => E = InvalidInputError as never): E {
  try {
    work();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but the work was accepted`);
}
