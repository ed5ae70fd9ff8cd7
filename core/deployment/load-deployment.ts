import { ConfigError } from '../config-error.ts';
import { deploymentSchema, type Deployment } from './deployment-schema.ts';
import { formatZodError } from '../format-zod-error.ts';
import { parseUserJson, readUserFile } from '../read-user-file.ts';

export function parseDeployment(text: string, source: string): Deployment {
  const raw = parseUserJson(text, source, 'deployment file');
  // reportInput: a wrong type must say what it found, not look like a missing field.
  const parsed = deploymentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(formatZodError(source, parsed.error, deploymentSchema));
  return parsed.data;
}

/** `namedBy`: the flag the path came from, for the one line a missing or unreadable file gives. */
export function loadDeployment(path: string, namedBy = '--deployment'): Deployment {
  const text = readUserFile({
    path,
    namedBy,
    what: 'deployment file',
    whenMissing: 'pass --deployment=<file> (default fixtures/deployment.json)',
  });
  return parseDeployment(text, path);
}
