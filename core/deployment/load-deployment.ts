import { ConfigError } from '../config-error.ts';
import { deploymentSchema, type Deployment } from './deployment-schema.ts';
import { formatZodError } from '../format-zod-error.ts';
import { readConfigFile } from '../read-user-file.ts';

export function parseDeployment(text: string, source: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message}); fix the syntax and run again`);
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatZodError(source, parsed.error, deploymentSchema));
  return parsed.data;
}

export function loadDeployment(path: string): Deployment {
  return parseDeployment(readConfigFile(path, 'deployment file', 'pass --deployment=<file> (default fixtures/deployment.json)'), path);
}
