/** --until-pass asks again after 30 s, then less often, never more than every 10 minutes (DNS caches expire slowly). */
export function untilPassIntervalMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 2), 600_000);
}

/** "45 s", "12 min", "3.5 h": how long, in the words a progress line uses. */
export const elapsedWords = (ms: number): string =>
  ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`;
