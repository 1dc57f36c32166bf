// Ids the desk mints: a kind prefix, then a time-ordered, random suffix (sortable, unguessable).
// Within one process ids are strictly increasing, even within one millisecond (a counter follows the
// time), so the messages of one turn sort in the order they were written: chat history is read back
// by id.
import { randomFillSync } from 'node:crypto';

export type IdPrefix = 'rr' | 'rf' | 'dc' | 'ho' | 'ce' | 'ue' | 'fp' | 'cv' | 'msg' | 'ntf' | 'obx' | 'rs' | 'dg' | 'sa' | 'csat';

let lastMs = 0;
let counter = 0;

// Random bytes are drawn from a pool refilled 4 KiB at a time: one call to the system's generator
// per ~680 ids instead of one per id (a refund request mints half a dozen).
const RANDOM_BYTES = 6;
const pool = Buffer.alloc(4096 - (4096 % RANDOM_BYTES));
let offset = pool.length;

function randomHex(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + RANDOM_BYTES);
  offset += RANDOM_BYTES;
  return hex;
}

export function newId(prefix: IdPrefix): string {
  // A clock stepping back must not reorder ids: keep to the latest time seen.
  const now = Math.max(Date.now(), lastMs);
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  const time = now.toString(36).padStart(9, '0');
  const seq = counter.toString(36).padStart(4, '0');
  return `${prefix}_${time}${seq}${randomHex()}`;
}
