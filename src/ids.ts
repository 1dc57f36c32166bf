// Ids the desk mints: a kind prefix, then a time-ordered, random suffix (sortable, unguessable).
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'rr' | 'rf' | 'dc' | 'ho' | 'ce' | 'ue' | 'fp' | 'cv' | 'msg' | 'ntf' | 'obx' | 'rs' | 'dg';

export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(8).toString('hex')}`;
}
