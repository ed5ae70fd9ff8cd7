import type { z } from 'zod';

/** "agents[3].adress" from zod's path array. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Edit distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** The parts of a zod (v4) schema's `def` this walk reads. */
interface SchemaNode {
  def?: { type?: string; in?: SchemaNode; innerType?: SchemaNode; element?: SchemaNode; shape?: Record<string, SchemaNode> };
  description?: string;
}

const unwrap = (s: SchemaNode | undefined): SchemaNode | undefined => {
  while (s && (s.def?.type === 'pipe' || s.def?.type === 'optional' || s.def?.type === 'default')) {
    s = s.def.in ?? s.def.innerType;
  }
  return s;
};

/** Walks a zod schema along a path to the schema that judges the value at that place. */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): SchemaNode | undefined {
  let current = unwrap(schema);
  for (const part of path) {
    if (typeof part === 'number') current = unwrap(current?.def?.element);
    else current = unwrap(current?.def?.shape?.[part as string]);
  }
  return current;
}

/** The keys an object at that place accepts. */
function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const current = schemaAt(schema, path);
  return current?.def?.shape ? Object.keys(current.def.shape) : [];
}

/** What the user wrote, in words: `the number 12345`, `the string "8"`, `an array of 2 items`. */
export function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
    case 'bigint':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A schema's own words (`.describe(...)`), reached through wrappers. */
function descriptionOf(schema: SchemaNode | undefined): string | undefined {
  return schema?.description ?? undefined;
}

/**
 * One line for the first problem zod found: where, what was expected, what was found.
 * e.g. `fixtures/deployment.json: agents[3].adress: unknown field (did you mean "address"?)`,
 *      `fixtures/deployment.json: server.ip: expected an IPv4 address (string), found the number 12345`.
 * The error must come from `safeParse(x, { reportInput: true })` for "found" to be known; without the
 * input, a wrong type would look like a missing field. Pass `secret: true` for values never to echo.
 */
export function formatZodError(source: string, error: z.ZodError, schema: z.ZodType, options: { secret?: boolean } = {}): string {
  // A misspelt key shows up twice (unknown key + missing field); the unknown key is the one that explains it.
  const issues = [...error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const issue = issues[0];
  if (!issue) return `${source}: invalid`;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, issue.path);
    const parts = issue.keys.map((key) => {
      const suggestion = closestKey(key, known);
      const where = formatPath([...issue.path, key]);
      return suggestion
        ? `${where}: unknown field (did you mean "${suggestion}"?)`
        : `${where}: unknown field (allowed: ${known.join(', ')})`;
    });
    return `${source}: ${parts.join('; ')}`;
  }
  const where = formatPath(issue.path);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'invalid_type') {
    if (input === undefined) return `${source}: ${where}: required field is missing${more}`;
    const description = descriptionOf(schemaAt(schema, issue.path));
    const expected = description
      ? `${description} (${issue.expected})`
      : issue.expected === 'array'
        ? 'a list (array)'
        : `a ${issue.expected}`;
    const found = options.secret && typeof input === 'string' ? 'a string' : describeFound(input);
    return `${source}: ${where}: expected ${expected}, found ${found}${more}`;
  }
  // A custom check (superRefine) already says what it found; others get it appended.
  const found = input === undefined || options.secret || typeof input === 'object' ? '' : `, found ${describeFound(input)}`;
  return `${source}: ${where}: ${issue.message}${found}${more}`;
}
