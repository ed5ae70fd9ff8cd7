/**
 * A DKIM key pair and the TXT record that publishes it (`<selector>._domainkey.<domain>`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

export interface DkimKey {
  privateKeyPem: string;
  record: { name: string; value: string };
}

/** RSA 2048 (what Gmail's bulk-sender rules ask for); pass a PEM to keep a record stable across runs. */
export function dkimKey(domain: string, selector: string, privateKeyPem?: string): DkimKey {
  const pem =
    privateKeyPem ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicDer = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
  return {
    privateKeyPem: pem,
    record: { name: `${selector}._domainkey.${domain}`, value: `v=DKIM1; k=rsa; p=${publicDer.toString('base64')}` },
  };
}
