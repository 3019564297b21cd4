// Bad input a person can fix: the field (a flag like --wws, or a YAML path like
// spec.workload.users) and what to do about it. The CLI prints these as one line and exits 2;
// the engine turns them into a condition naming the field.

export class InvalidInputError extends Error {
  readonly field: string;
  /** What is wrong, without the field: for a caller that names the field another way (a file, a flag). */
  readonly detail: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidInputError';
    this.field = field;
    this.detail = message;
  }
}
