/**
 * The KEY=value env-file format the live settings, provisioning's settings and `npm run world -- --live-env`
 * share: `#` comments, blank lines and an `export ` prefix allowed, quotes around a value dropped. As in
 * a shell, an unquoted value ends at ` #` (a comment after the value), so `SEED_GMAIL_PASSWORD=abc # app
 * password` is `abc`. A mistake is one line naming file:line:column — never the value, which may be a secret.
 */
import { ConfigError } from './config-error.ts';

/** The value of one line, from `start` (the first character after `=`), or why it cannot be read. */
function readValue(line: string, start: number): { value: string } | { problem: string; column: number } {
  let at = start;
  while (line[at] === ' ' || line[at] === '\t') at++;
  const quote = line[at];
  if (quote === '"' || quote === "'") {
    const close = line.indexOf(quote, at + 1);
    if (close < 0) return { problem: `the opening ${quote} has no closing ${quote}`, column: at + 1 };
    const rest = line.slice(close + 1);
    if (rest.trim() !== '' && !/^\s+#/.test(rest))
      return { problem: `text after the closing ${quote}; put the whole value inside the quotes`, column: close + 2 };
    return { value: line.slice(at + 1, close) };
  }
  const comment = /\s#/.exec(line.slice(at));
  return { value: (comment ? line.slice(at, at + comment.index) : line.slice(at)).trim() };
}

export function parseEnvFile(text: string, source: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const where = `${source}:${index + 1}`;
    const match = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (!match)
      throw new ConfigError(
        `${where}:${line.length - line.trimStart().length + 1}: expected KEY=value (an upper-case KEY, "=", then the value)`,
      );
    const key = match[2]!;
    if (key !== key.toUpperCase())
      throw new ConfigError(`${where}:${match[1]!.length + 1}: setting names are upper case; write ${key.toUpperCase()}, not ${key}`);
    const read = readValue(line, match[0].length);
    if ('problem' in read) throw new ConfigError(`${where}:${read.column}: in the value of ${key}, ${read.problem}`);
    values[key] = read.value;
  });
  return values;
}

/** KEY=value lines, quoted where a value has spaces or quotes, with a header saying what wrote them. */
export function formatEnvFile(values: Record<string, string>, header: string[]): string {
  const quote = (value: string): string => (/[\s#"']/.test(value) ? (value.includes('"') ? `'${value}'` : `"${value}"`) : value);
  return [...header.map((line) => `# ${line}`), ...Object.entries(values).map(([key, value]) => `${key}=${quote(value)}`), ''].join('\n');
}
