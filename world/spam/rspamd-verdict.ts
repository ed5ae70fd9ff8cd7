/**
 * rspamd's /checkv2 answer as Postal 3.3.2 reads it (lib/postal/message_inspectors/rspamd.rb): every
 * symbol with a non-blank description becomes a spam check, and the message's spam score is the sum of
 * their scores (message_inspection.rb: 0 when there are none). rspamd's own total and action are not
 * used — a symbol rspamd counts but gives no description does not count for Postal.
 */
import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';
import { textOf } from '../../core/text-of.ts';

interface RspamdSymbol {
  name?: unknown;
  score?: unknown;
  description?: unknown;
}

/** Rounded like the decimal(8,2) column Postal stores the score in. */
const twoPlaces = (n: number): number => Math.round(n * 100) / 100;

export function postalRspamdVerdict(answer: unknown, threshold: number): SpamVerdict {
  const symbols = (answer as { symbols?: unknown } | null)?.symbols;
  // Postal: `return unless response["symbols"].is_a?(Hash)` — no checks, score 0.
  if (symbols === null || typeof symbols !== 'object' || Array.isArray(symbols))
    return { score: 0, threshold, isSpam: false, symbols: [], rules: [] };
  const rules: SpamVerdict['rules'] = [];
  for (const symbol of Object.values(symbols as Record<string, RspamdSymbol>)) {
    const description = typeof symbol.description === 'string' ? symbol.description : '';
    if (description.trim() === '') continue;
    const points = typeof symbol.score === 'number' && Number.isFinite(symbol.score) ? symbol.score : 0;
    rules.push({ rule: textOf(symbol.name), points, description });
  }
  const score = twoPlaces(rules.reduce((sum, r) => sum + r.points, 0));
  return { score, threshold, isSpam: score > threshold, symbols: rules.map((r) => r.rule), rules };
}

/** What Postal records when rspamd cannot be asked: one ERROR check worth 0 points, the message still inspected. */
export function rspamdErrorVerdict(reason: string, threshold: number): SpamVerdict {
  return { score: 0, threshold, isSpam: false, symbols: ['ERROR'], rules: [{ rule: 'ERROR', points: 0, description: reason }] };
}
