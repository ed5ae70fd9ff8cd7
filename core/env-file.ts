/**
 * The KEY=value env-file format the live settings, provisioning's settings and `npm run world -- --live-env`
 * share: `#` comments, blank lines and an `export ` prefix allowed, quotes around a value dropped.
 */
import { ConfigError } from './config-error.ts';

export function parseEnvFile(text: string, source: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) throw new ConfigError(`${source}:${index + 1}: expected KEY=value`);
    values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  });
  return values;
}

/** KEY=value lines, quoted where a value has spaces or quotes, with a header saying what wrote them. */
export function formatEnvFile(values: Record<string, string>, header: string[]): string {
  const quote = (value: string): string => (/[\s#"']/.test(value) ? (value.includes('"') ? `'${value}'` : `"${value}"`) : value);
  return [...header.map((line) => `# ${line}`), ...Object.entries(values).map(([key, value]) => `${key}=${quote(value)}`), ''].join('\n');
}
