/**
 * The header block of a received message as fields (unfolded, in order): what the hygiene checks count
 * and read — the DKIM-Signature values, how often From, Date and Message-ID occur, and the provider's
 * Received line for the hop from Postal, with its time and the HELO Postal gave.
 */
export interface HeaderField {
  /** lower case */
  name: string;
  value: string;
}

export function headerFields(raw: Buffer): HeaderField[] {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const fields: HeaderField[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1]!.value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
  }
  return fields;
}

export function fieldCounts(fields: HeaderField[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of fields) counts[f.name] = (counts[f.name] ?? 0) + 1;
  return counts;
}

/**
 * The Received line the provider wrote for the hop from Postal: the first whose "from" names the server's
 * address (Gmail adds internal hops above it), else the top one.
 */
export function hopFrom(fields: HeaderField[], serverIp: string): { line?: string; atMs?: number; helo?: string } {
  const lines = fields.filter((f) => f.name === 'received').map((f) => f.value);
  const line = lines.find((l) => l.includes(`[${serverIp}]`) || l.includes(`(${serverIp})`)) ?? lines[0];
  if (!line) return {};
  const at = Date.parse(line.slice(line.lastIndexOf(';') + 1).trim());
  return { line, helo: /^from\s+(\S+)/i.exec(line)?.[1], ...(Number.isNaN(at) ? {} : { atMs: at }) };
}
