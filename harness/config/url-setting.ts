/**
 * What a URL setting must be before anything is sent to it, as one phrase for the setting's error line
 * (never the URL itself, which may hold a password): http(s), no user name or password in it, no query
 * or fragment where it is a base the API paths are added to, and — where API keys travel to it —
 * https, unless it is loopback or the user said --allow-plain-http.
 */
import { isLoopbackHost } from '../../core/host-name.ts';

export interface UrlRules {
  /** paths are appended to it (POSTAL_API_URL, MAIL_TESTER_URL): no ?query, no #fragment */
  base?: boolean;
  /** API keys are sent to it (POSTAL_API_URL, MAILGOAT_SERVER_URL) */
  carriesKeys?: boolean;
  allowPlainHttp?: boolean;
  example: string;
}

export function urlProblem(text: string, rules: UrlRules): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]{0,15}):/i.exec(text)?.[1]?.toLowerCase();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text)) {
    return 'a user name or password in the URL is not accepted (it would be stored with the report); remove the "user:password@" part';
  }
  if (!url || (scheme !== 'http' && scheme !== 'https') || url.hostname === '') {
    const found =
      scheme && scheme !== 'http' && scheme !== 'https' ? `, found the scheme "${scheme}:"` : ', found something that is not a URL';
    return `expected an http(s) URL like ${rules.example}${found}`;
  }
  if (rules.base && (url.search || url.hash || /[?#]/.test(text))) {
    return `expected a base URL without a "?…" query or "#…" fragment (the API paths are added after it), like ${rules.example}`;
  }
  if (rules.carriesKeys && url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !rules.allowPlainHttp) {
    return `http:// would send the API keys in clear text to ${url.hostname}; use https://, or pass --allow-plain-http for a network you trust`;
  }
  return undefined;
}
