/** SpamAssassin's judgement of one message, as spamd reports it (REPORT/SYMBOLS over SPAMC). */
export interface SpamVerdict {
  /** SpamAssassin points; can be negative. */
  score: number;
  /** The spamd threshold (required_score, 5.0 by default). */
  threshold: number;
  isSpam: boolean;
  /** Rule names that hit, e.g. ["MISSING_DATE", "TVD_SPACE_RATIO"]. */
  symbols: string[];
  /** Per-rule points when spamd gave a REPORT, e.g. [{rule:"MISSING_DATE", points:1.4, description:"..."}]. */
  rules: Array<{ rule: string; points: number; description: string }>;
}

/** Anything that can score a raw RFC 5322 message: the world's spamd client, or a fake in unit tests. */
export interface SpamScorer {
  /** `envelope`: what Postal also tells rspamd (Deliver-To, From, Rcpt, Queue-Id); spamd ignores it. */
  check(raw: Buffer, envelope?: SpamEnvelope): Promise<SpamVerdict>;
}

export interface SpamEnvelope {
  mailFrom: string;
  rcptTo: string;
  /** Postal's message token */
  queueId: string;
}
