/**
 * The `tag=value; tag=value` syntax shared by DKIM key records (RFC 6376 §3.2) and DMARC records
 * (RFC 7489 §6.3). Tag names are case-insensitive here (lower-cased); values are trimmed.
 * Problems (a segment without "=", a bad tag name, a tag given twice) are reported, not thrown.
 */
export interface Tag {
  name: string;
  value: string;
}

export interface TagList {
  tags: Tag[];
  /** First occurrence of each tag, by lower-case name. */
  byName: Map<string, string>;
  problems: string[];
}

export function parseTagList(text: string): TagList {
  const tags: Tag[] = [];
  const byName = new Map<string, string>();
  const problems: string[] = [];
  const segments = text.split(';').map((s) => s.trim());
  segments.forEach((segment, i) => {
    if (segment.length === 0) {
      if (i !== segments.length - 1) problems.push('empty tag (";;")');
      return;
    }
    const eq = segment.indexOf('=');
    if (eq < 0) {
      problems.push(`"${segment}" is not a tag=value pair`);
      return;
    }
    const name = segment.slice(0, eq).trim();
    const value = segment.slice(eq + 1).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      problems.push(`"${name}" is not a valid tag name`);
      return;
    }
    const lower = name.toLowerCase();
    if (byName.has(lower)) problems.push(`tag "${lower}" appears more than once`);
    else byName.set(lower, value);
    tags.push({ name: lower, value });
  });
  return { tags, byName, problems };
}
