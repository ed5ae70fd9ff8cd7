import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';
import { deploymentSchema, type Deployment } from './deployment-schema.ts';
import { formatZodError } from './format-zod-error.ts';

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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${path}: deployment file not found; pass --deployment=<file> (default fixtures/deployment.json)`
        : `${path}: cannot read the deployment file (${code ?? (error as Error).message})`,
    );
  }
  return parseDeployment(text, path);
}
