/** Security — "Server secured: no open relay, API keys enforced, TLS offered". */
import { describe } from 'vitest';
import { checkOpenRelay } from '../harness/checks/open-relay-check.ts';
import { checkSmtpAuth } from '../harness/checks/smtp-auth-check.ts';
import { checkSpoofing } from '../harness/checks/spoofing-check.ts';
import { checkStarttls } from '../harness/checks/starttls-check.ts';
import { SMTP_CERTIFICATE_REMEDY, checkTlsCertificate } from '../harness/checks/tls-certificate-check.ts';
import { checkTlsProtocols } from '../harness/checks/tls-protocols-check.ts';
import { checkWrongKey } from '../harness/checks/wrong-key-check.ts';
import { control } from '../harness/runner/control.ts';

describe('Security', () => {
  control('SEC-01', async ({ probes }) => {
    // nmap's smtp-open-relay forms and the relay-test lists', without AUTH, after STARTTLS and after a refused AUTH;
    // each accepted one carried through DATA and followed to where it arrived.
    const observed = await probes.relay.attempts();
    return {
      verdicts: [checkOpenRelay(observed)],
      facts: {
        relayAttempts: observed.attempts.map((a) => ({
          form: a.form,
          context: a.context,
          to: a.to,
          code: a.code,
          stage: a.stage,
          arrival: a.arrival ?? null,
        })),
      },
    };
  });

  control('SEC-02', async ({ probes }) => {
    const { status, code, message, httpStatus, error } = await probes.credentials.wrongKey();
    return { verdicts: [checkWrongKey({ status, code, message, httpStatus, error })] };
  });

  control('SEC-03', async ({ probes }) => {
    const { capabilities, handshake, transcript } = await probes.smtp.startTls();
    return {
      verdicts: [checkStarttls({ ehloCapabilities: capabilities, handshake, host: probes.target.mailHost })],
      facts: { transcript },
    };
  });

  control('SEC-04', async ({ probes }) => ({ verdicts: [checkSmtpAuth(await probes.auth.observe())] }));

  control('SEC-05', async ({ probes }) => ({ verdicts: [checkTlsProtocols(await probes.tlsVersions.endpoints())] }));

  control('SEC-06', async ({ probes, target }) => {
    const { capabilities, handshake } = await probes.smtp.startTls();
    const port = target.postal?.smtp.port ?? 25;
    const observed = handshake?.ok
      ? {
          authorized: handshake.authorized,
          authorizationError: handshake.error,
          subjectAltNames: handshake.subjectAltNames,
          validTo: handshake.validTo ?? new Date(0).toISOString(),
          protocol: handshake.protocol,
          issuer: handshake.issuer,
        }
      : {
          handshakeError:
            handshake?.error ?? (capabilities.includes('STARTTLS') ? 'STARTTLS was refused' : 'STARTTLS is not offered (SEC-03)'),
          authorized: false,
          subjectAltNames: [],
          validTo: new Date(0).toISOString(),
        };
    return {
      verdicts: [
        checkTlsCertificate({ host: target.mailHost, port, ...observed, now: new Date().toISOString(), remedy: SMTP_CERTIFICATE_REMEDY }),
      ],
    };
  });

  control('SEC-07', async ({ probes }) => ({ verdicts: [checkSpoofing({ attempts: await probes.spoof.attempts() })] }));
});
