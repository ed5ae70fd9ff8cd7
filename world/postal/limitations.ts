/** The report's limitations of the stand-in, made from the fidelity ledger (fidelity-ledger.ts). */
export { POSTAL_STAND_IN_LIMITATIONS } from './fidelity-ledger.ts';
