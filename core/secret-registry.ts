/**
 * The secrets this process has read, registered the moment they are read — before anything parses,
 * checks or prints them — so an error message, a log line or a report about a malformed value can be
 * masked even when the mistake is in the secret itself (a keys file with its columns swapped).
 * Readers register; the writers of stderr, stdout and the report folder mask what is registered.
 */

const registered = new Set<string>();

/** Values shorter than this are never masked (they would eat ordinary words): never registered either. */
export const MIN_SECRET_LENGTH = 4;

export function registerSecret(value: string | undefined): void {
  const trimmed = value?.trim();
  if (value && value.length >= MIN_SECRET_LENGTH) registered.add(value);
  if (trimmed && trimmed !== value && trimmed.length >= MIN_SECRET_LENGTH) registered.add(trimmed);
}

/**
 * The secret parts of a URL: its user name and password (as typed and decoded) and the values of its
 * query string (`?token=…`). Read as text, so a URL that does not parse still gives up its userinfo.
 */
export function registerUrlSecrets(text: string | undefined): void {
  if (!text) return;
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(text.trim())?.[1];
  if (userinfo) {
    registerSecret(userinfo);
    for (const part of userinfo.split(':')) registerSecret(part);
    try {
      for (const part of userinfo.split(':')) registerSecret(decodeURIComponent(part));
    } catch {
      // not percent-encoded text: the raw parts are registered
    }
  }
  const query = /\?([^#]*)/.exec(text)?.[1];
  for (const pair of query ? query.split('&') : []) registerSecret(pair.slice(pair.indexOf('=') + 1));
}

/**
 * A command the user gave (an `ssh …` line, `sshpass -p …`): it may hold a password anywhere, so the
 * whole command is a secret, and so is each piece between its placeholders (`{ip}`, `{agent}`),
 * which is what survives in the command as it was run.
 */
export function registerCommandSecrets(command: string | undefined): void {
  if (!command) return;
  registerSecret(command);
  for (const piece of command.split(/\{[a-z]+\}/)) registerSecret(piece);
}

export function registeredSecrets(): string[] {
  return [...registered];
}

/** For tests: forget everything registered. */
export function clearRegisteredSecrets(): void {
  registered.clear();
}
