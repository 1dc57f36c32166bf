// Ids the desk mints: a kind prefix, then a time-ordered, random suffix (sortable, unguessable).
// Within one process ids are strictly increasing, even within one millisecond (a counter follows the
// time), so the messages of one turn sort in the order they were written: chat history is read back
// by id.
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'rr' | 'rf' | 'dc' | 'ho' | 'ce' | 'ue' | 'fp' | 'cv' | 'msg' | 'ntf' | 'obx' | 'rs' | 'dg' | 'sa' | 'csat';

let lastMs = 0;
let counter = 0;

export function newId(prefix: IdPrefix): string {
  // A clock stepping back must not reorder ids: keep to the latest time seen.
  const now = Math.max(Date.now(), lastMs);
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  const time = now.toString(36).padStart(9, '0');
  const seq = counter.toString(36).padStart(4, '0');
  return `${prefix}_${time}${seq}${randomBytes(6).toString('hex')}`;
}
