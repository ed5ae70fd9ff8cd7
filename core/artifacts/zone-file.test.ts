import { describe, expect, it } from 'vitest';
import { parseZoneFile, parseTtl, ZoneFileError, type DnsRecord } from './zone-file.ts';

const find = (records: DnsRecord[], name: string, type: string): DnsRecord[] => records.filter((r) => r.name === name && r.type === type);

describe('parseZoneFile', () => {
  it('reads $ORIGIN, $TTL, @, relative and absolute names, comments and optional TTL/class', () => {
    const records = parseZoneFile(
      [
        '; a comment line',
        '$ORIGIN Example.COM.',
        '$TTL 1h',
        '@          IN  MX   10 mail           ; relative target',
        'mail       300 IN A  192.0.2.1',
        'web        IN 600 A  192.0.2.2      ; class before TTL',
        'Alias.example.com.  CNAME web.example.com.',
        'v6         AAAA 2001:DB8::1',
        'ext        CNAME target.example.net.',
        '',
      ].join('\n'),
    );
    expect(records).toEqual([
      { name: 'example.com', type: 'MX', ttl: 3600, data: '10 mail.example.com' },
      { name: 'mail.example.com', type: 'A', ttl: 300, data: '192.0.2.1' },
      { name: 'web.example.com', type: 'A', ttl: 600, data: '192.0.2.2' },
      { name: 'alias.example.com', type: 'CNAME', ttl: 3600, data: 'web.example.com' },
      { name: 'v6.example.com', type: 'AAAA', ttl: 3600, data: '2001:db8::1' },
      { name: 'ext.example.com', type: 'CNAME', ttl: 3600, data: 'target.example.net' },
    ]);
  });

  it('joins several quoted strings and parenthesised multi-line TXT values; keeps ; inside quotes', () => {
    const text = [
      '$ORIGIN example.com.',
      '$TTL 3600',
      'sel._domainkey IN TXT ( "v=DKIM1; k=rsa; "   ; first part',
      '                        "p=ABC"',
      '                        "DEF" )',
      '@ TXT "v=spf1 " "-all"',
      'q TXT "say \\"hi\\" \\\\ \\065"',
    ].join('\n');
    const records = parseZoneFile(text);
    expect(find(records, 'sel._domainkey.example.com', 'TXT')[0]?.data).toBe('v=DKIM1; k=rsa; p=ABCDEF');
    expect(find(records, 'example.com', 'TXT')[0]?.data).toBe('v=spf1 -all');
    expect(find(records, 'q.example.com', 'TXT')[0]?.data).toBe('say "hi" \\ A');
  });

  it('reuses the previous owner when the owner is blank', () => {
    const records = parseZoneFile(['$ORIGIN example.com.', '$TTL 60', 'www A 192.0.2.1', '    A 192.0.2.2', '\tTXT "x"'].join('\n'));
    expect(records.map((r) => r.name)).toEqual(['www.example.com', 'www.example.com', 'www.example.com']);
    expect(records.map((r) => r.data)).toEqual(['192.0.2.1', '192.0.2.2', 'x']);
  });

  it('keeps SOA (multi-line) and NS, and switches origin mid-file (reverse zone)', () => {
    const records = parseZoneFile(
      [
        '$ORIGIN example.com.',
        '$TTL 3600',
        '@ IN SOA ns1 hostmaster (',
        '     2024010101 ; serial',
        '     1h 15m 1w 5m )',
        '@ NS ns1',
        '$ORIGIN 2.0.192.in-addr.arpa.',
        '1 PTR mail.example.com.',
      ].join('\n'),
    );
    expect(records).toEqual([
      { name: 'example.com', type: 'SOA', ttl: 3600, data: 'ns1.example.com hostmaster.example.com 2024010101 3600 900 604800 300' },
      { name: 'example.com', type: 'NS', ttl: 3600, data: 'ns1.example.com' },
      { name: '1.2.0.192.in-addr.arpa', type: 'PTR', ttl: 3600, data: 'mail.example.com' },
    ]);
  });

  it('takes the origin and default TTL from options when the file has none', () => {
    const records = parseZoneFile('www A 192.0.2.1\n', { origin: 'example.org', defaultTtl: 120 });
    expect(records).toEqual([{ name: 'www.example.org', type: 'A', ttl: 120, data: '192.0.2.1' }]);
  });

  it.each([
    ['$ORIGIN example.com.\nwww A 192.0.2.1\nbad A 300.1.1.1\n', 3, 'not an IPv4 address'],
    ['$ORIGIN example.com.\n\n\nwww IN SRV 0 0 25 mail\n', 4, 'unsupported record type "SRV"'],
    ['$ORIGIN example.com.\nwww TXT "unterminated\n', 2, 'unterminated quoted string'],
    ['$ORIGIN example.com.\nwww TXT ( "a"\n "b"\n', 2, 'never closed'],
    ['www A 192.0.2.1\n', 1, 'before any $ORIGIN'],
    ['$ORIGIN example.com.\n@ MX mail\n', 2, 'MX needs a priority and a host'],
    ['$ORIGIN example.com.\n$INCLUDE other.zone\n', 2, 'unsupported directive'],
    ['$ORIGIN example.com.\nwww CH A 192.0.2.1\n', 2, 'class CH'],
    ['$ORIGIN example.com.\n  A 192.0.2.1\n', 2, 'no previous owner'],
  ])('reports a bad line with its number (%#)', (text, line, message) => {
    let caught: unknown;
    try {
      parseZoneFile(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ZoneFileError);
    expect((caught as ZoneFileError).line).toBe(line);
    expect((caught as ZoneFileError).message).toContain(`line ${line}:`);
    expect((caught as ZoneFileError).message).toContain(message);
  });
});

describe('parseTtl', () => {
  it('reads seconds and BIND units', () => {
    expect(parseTtl('3600')).toBe(3600);
    expect(parseTtl('1h30m')).toBe(5400);
    expect(parseTtl('1w')).toBe(604800);
    expect(parseTtl('1x')).toBeUndefined();
  });

  it('reads CAA records (RFC 8659) as flags, tag and quoted value', () => {
    const records = parseZoneFile('$ORIGIN mailgoat.ai.\n@ 300 IN CAA 0 issue "letsencrypt.org"\n@ 300 IN CAA 128 ISSUE ";"\n');
    expect(records.map((r) => r.data)).toEqual(['0 issue "letsencrypt.org"', '128 issue ";"']);
    expect(() => parseZoneFile('$ORIGIN mailgoat.ai.\n@ IN CAA 300 issue "x"\n')).toThrow(/bad CAA flags "300"/);
    expect(() => parseZoneFile('$ORIGIN mailgoat.ai.\n@ IN CAA 0 is-sue "x"\n')).toThrow(/bad CAA tag/);
  });
});
