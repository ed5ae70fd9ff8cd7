import type { MessageStatus } from './message-store.ts';

/** What one delivery attempt produced (Postal's SendResult). */
export interface SendResult {
  type: MessageStatus;
  details: string;
  output: string | null;
  secure: boolean;
  logId: string | null;
  /** seconds */
  time: number;
  retry: boolean;
  connectError: boolean;
}
