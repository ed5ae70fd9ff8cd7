/**
 * A mistake in what the user gave us (flags, files, settings). The CLI prints `message` as one line
 * and exits 2 — never a stack trace, because the fix is in the user's input, not in our code.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_CONFIG = 2;
