/** Types for the part of mailauth's internal tools the checks use (mailauth ships none for lib/tools.js). */
declare module 'mailauth/lib/tools.js' {
  /**
   * DMARC identifier alignment as mailauth computes it: the entry of `domainList` whose organisational
   * domain (Public Suffix List, private domains included) equals the From domain's — or, with `strict`,
   * whose domain equals it exactly — else false.
   */
  export function getAlignment<T extends { domain: string }>(
    fromDomain: string,
    domainList: Array<string | T>,
    strict?: boolean,
  ): T | { domain: string } | false;
}
