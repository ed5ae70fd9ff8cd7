/**
 * What the stand-in reads from the postal.yml provisioning wrote on the world's server host, when its
 * services are (re)started there: the SMTP server's TLS settings (lib/postal/config_schema.rb:265-280 —
 * `tls_enabled` default false; `tls_certificate_path` and `tls_private_key_path` default
 * `$config-file-root/smtp.cert` and `smtp.key`, the config root being /config in Postal's containers).
 */
import { parse } from 'yaml';

export interface PostalYmlSmtpTls {
  enabled: boolean;
  certificatePath: string;
  privateKeyPath: string;
}

const CONFIG_ROOT = '/config';
const withRoot = (path: string): string => path.replace(/\$config-file-root/g, CONFIG_ROOT);

export function smtpTlsOf(postalYml: string): PostalYmlSmtpTls {
  let document: unknown;
  try {
    document = parse(postalYml);
  } catch (error) {
    // Postal would not boot with a postal.yml it cannot parse.
    throw new Error(`postal.yml is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const smtp = (typeof document === 'object' && document !== null ? (document as Record<string, unknown>).smtp_server : undefined) as
    Record<string, unknown> | undefined;
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.trim() !== '' ? value : fallback);
  return {
    // The schema's `boolean`: a YAML true.
    enabled: smtp?.tls_enabled === true,
    certificatePath: withRoot(text(smtp?.tls_certificate_path, '$config-file-root/smtp.cert')),
    privateKeyPath: withRoot(text(smtp?.tls_private_key_path, '$config-file-root/smtp.key')),
  };
}
