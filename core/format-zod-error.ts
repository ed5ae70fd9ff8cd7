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

/** Walks a zod schema along a path to list the keys an object at that place accepts. */
function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let current: any = schema;
  const unwrap = (s: any): any => {
    while (s && (s.def?.type === 'pipe' || s.def?.type === 'optional' || s.def?.type === 'default')) {
      s = s.def.in ?? s.def.innerType;
    }
    return s;
  };
  current = unwrap(current);
  for (const part of path) {
    if (typeof part === 'number') current = unwrap(current?.def?.element);
    else current = unwrap(current?.def?.shape?.[part as string]);
  }
  return current?.def?.shape ? Object.keys(current.def.shape) : [];
}

/**
 * One line for the first problem zod found: where, what is wrong, what to do.
 * e.g. `fixtures/deployment.json: agents[3].adress: unknown field (did you mean "address"?)`
 */
export function formatZodError(source: string, error: z.ZodError, schema: z.ZodType): string {
  // A misspelt key shows up twice (unknown key + missing field); the unknown key is the one that explains it.
  const issues = [...error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const issue = issues[0];
  if (!issue) return `${source}: invalid`;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, issue.path);
    const parts = issue.keys.map((key) => {
      const suggestion = closestKey(key, known);
      const where = formatPath([...issue.path, key]);
      return suggestion ? `${where}: unknown field (did you mean "${suggestion}"?)` : `${where}: unknown field (allowed: ${known.join(', ')})`;
    });
    return `${source}: ${parts.join('; ')}`;
  }
  const where = formatPath(issue.path);
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    return `${source}: ${where}: required field is missing`;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${source}: ${where}: ${issue.message}${more}`;
}
