// The whole suite, and a check that it is written consistently (every order named in a goal or an
// expectation belongs to the buyer, every product exists, ids are unique), so a typo in a
// conversation fails loudly instead of measuring nothing.
import { EN } from './en.ts';
import { PRODUCTS } from './shop.ts';
import type { Conversation } from './spec.ts';
import { ZH } from './zh.ts';

export const CONVERSATIONS: Conversation[] = [...ZH, ...EN];

export function suiteProblems(conversations: Conversation[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of conversations) {
    if (seen.has(c.id)) problems.push(`${c.id}: id used twice`);
    seen.add(c.id);
    const orders = Object.keys(c.buyer.orders);
    for (const [key, o] of Object.entries(c.buyer.orders)) {
      if (!(o.product in PRODUCTS)) problems.push(`${c.id}: order ${key} names unknown product ${o.product}`);
    }
    for (const key of Object.keys(c.expect.orders))
      if (!orders.includes(key)) problems.push(`${c.id}: expectation for unknown order ${key}`);
    for (const g of c.persona.goals) if (!orders.includes(g.order)) problems.push(`${c.id}: goal for unknown order ${g.order}`);
    if (c.opening.length === 0) problems.push(`${c.id}: no opening message`);
    if (c.ideal < c.opening.length) problems.push(`${c.id}: ideal ${c.ideal} is below its ${c.opening.length} opening messages`);
    if (!c.why.trim()) problems.push(`${c.id}: no policy reason`);
  }
  return problems;
}
