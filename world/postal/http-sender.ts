/**
 * Postal's HTTPSender: POST the payload as JSON to the endpoint URL, signed with the install key
 * (`X-Postal-Signature` RSA-SHA1, `X-Postal-Signature-256` RSA-SHA256, `X-Postal-Signature-Kid`),
 * `User-Agent: Postal/<version>`, the endpoint's timeout (5 s default). 2xx → Sent; 5xx, timeout,
 * connection error → SoftFail and retry; 429 → HardFail without bounce; anything else → HardFail.
 * Connects out from the stand-in's own address.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { InstallSigner } from './install-signer.ts';
import { randomAlphanumeric } from './random-token.ts';
import type { SendResult } from './send-result.ts';

export interface HttpSenderOptions {
  signer: InstallSigner;
  version: string;
  localAddress: string;
  caPem: string;
  /** The endpoint's encoding is FormData (flat form fields) instead of BodyAsJSON. */
  formData?: boolean;
}

/** Encoding FormData (http_sender.rb `params: parameters(message, flat: true)`): the hash as form fields. */
function formEncode(payload: unknown): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return form.toString();
}

export async function postToEndpoint(
  url: string,
  payload: unknown,
  timeoutSeconds: number,
  options: HttpSenderOptions,
): Promise<SendResult> {
  const started = performance.now();
  const logId = randomAlphanumeric(8, 'upper');
  const body = Buffer.from(options.formData ? formEncode(payload) : JSON.stringify(payload), 'utf8');
  const signature = options.signer.sign(body);
  // lib/postal/http.rb:38-47 adds Content-Type, X-Postal-Signature-KID, -Signature, -256 and User-Agent; Ruby's
  // Net::HTTP writes every name capitalized word by word (each_capitalized), so the wire carries
  // "X-Postal-Signature-Kid" — as a real 3.3.2 sent it — beside the defaults Net::HTTP adds itself.
  const response = await post(
    url,
    body,
    timeoutSeconds * 1000,
    {
      'Accept-Encoding': 'gzip;q=1.0,deflate;q=0.6,identity;q=0.3',
      Accept: '*/*',
      'Content-Type': options.formData ? 'application/x-www-form-urlencoded' : 'application/json',
      'X-Postal-Signature-Kid': options.signer.kid,
      'X-Postal-Signature': signature.sha1,
      'X-Postal-Signature-256': signature.sha256,
      'User-Agent': `Postal/${options.version}`,
      'Content-Length': String(body.length),
    },
    options,
  );
  const time = Math.round((performance.now() - started) / 10) / 100;
  const base = {
    details: `Received a ${response.code} from ${url}`,
    output: response.body.slice(0, 500).trim(),
    secure: response.secure,
    logId,
    time,
  };
  if (response.code >= 200 && response.code < 300) return { ...base, type: 'Sent', retry: false, connectError: false };
  if (response.code >= 500 && response.code < 600) return { ...base, type: 'SoftFail', retry: true, connectError: false };
  if (response.code < 0) return { ...base, type: 'SoftFail', retry: true, connectError: true };
  return { ...base, type: 'HardFail', retry: false, connectError: false };
}

/** Postal::HTTP: negative codes for failures that got no HTTP answer (-1 connection error, -2 timeout). */
function post(
  url: string,
  body: Buffer,
  timeoutMs: number,
  headers: Record<string, string>,
  options: HttpSenderOptions,
): Promise<{ code: number; body: string; secure: boolean }> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ code: -1, body: `Invalid URL: ${url}`, secure: false });
      return;
    }
    const secure = target.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers,
        localAddress: options.localAddress,
        timeout: timeoutMs,
        ...(secure ? { ca: options.caPem } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 64 * 1024) chunks.push(chunk);
        });
        res.once('end', () => {
          clearTimeout(deadline);
          resolve({ code: res.statusCode ?? -1, body: Buffer.concat(chunks).toString('utf8'), secure });
        });
        res.once('error', () => {
          clearTimeout(deadline);
          resolve({ code: -1, body: 'Connection reset while reading the response', secure });
        });
      },
    );
    // A whole-request deadline: `timeout` alone only covers socket idleness.
    const deadline = setTimeout(() => {
      request.destroy();
      resolve({ code: -2, body: `Timed out after ${timeoutMs / 1000}s`, secure });
    }, timeoutMs);
    request.on('timeout', () => {
      clearTimeout(deadline);
      resolve({ code: -2, body: `Timed out after ${timeoutMs / 1000}s`, secure });
      request.destroy();
    });
    request.once('error', (error) => {
      clearTimeout(deadline);
      resolve({ code: -1, body: error.message, secure });
    });
    request.end(body);
  });
}
