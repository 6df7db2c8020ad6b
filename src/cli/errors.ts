// The CLI's own error: a bad flag or selection. Like InputError (a bad file), it ends
// the run with exit code 2 and one line on stderr, never a stack trace.

/** A problem with how the CLI was invoked; the message says what to do instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
