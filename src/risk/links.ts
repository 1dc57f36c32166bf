// Linked accounts and rings (M12), pure. Two accounts are linked when their shared traits weigh
// enough:
//   hard links (1.0 each): the same paying account at the provider, the same phone number;
//   soft links: the same device id (0.7); the same IP within a short window of each other (0.4);
//   a shared upline adds 0.3, but only to a soft link: a team leader's downlines are many and
//   legitimate, so an upline alone links nobody.
// Linked means a weight of at least 0.6: a device alone links, an IP alone does not (a family or an
// office shares one), an IP with the same upline does. A ring is the requester's connected group of
// linked accounts among those who bought and asked to refund the same product within the window.
import { BlockList, isIP } from 'node:net';

export interface AccountTraits {
  buyerId: string;
  uplineId: string | null;
  phone: string | null;
  payerAccounts: string[];
  devices: string[];
  /** IPs the account was seen at, with when (epoch ms). */
  ips: Array<{ ip: string; atMs: number }>;
}

export interface Link {
  a: string;
  b: string;
  weight: number;
  reasons: string[];
}

export const LINK_WEIGHTS = { payer: 1, phone: 1, device: 0.7, ip: 0.4, upline: 0.3, linkedAt: 0.6 } as const;

const shared = (x: string[], y: string[]) => x.filter((v) => y.includes(v));

/** What two accounts share; the database finds these pairs directly (src/risk/risk-service.ts). */
export interface SharedTraits {
  payers: string[];
  phone: boolean;
  devices: string[];
  /** IPs both used within the window of each other. */
  closeIps: string[];
  /** Their common upline, if any. */
  upline: string | null;
}

export function linkOf(a: string, b: string, shared: SharedTraits, ipWindowMs: number): Link {
  const reasons: string[] = [];
  let weight = 0;
  for (const payer of shared.payers) {
    reasons.push(`same paying account ${payer}`);
    weight = Math.max(weight, LINK_WEIGHTS.payer);
  }
  if (shared.phone) {
    reasons.push('same phone number');
    weight = Math.max(weight, LINK_WEIGHTS.phone);
  }
  let soft = 0;
  for (const device of shared.devices) {
    reasons.push(`same device ${device}`);
    soft = Math.max(soft, LINK_WEIGHTS.device);
  }
  if (shared.closeIps.length > 0) {
    reasons.push(`same IP ${shared.closeIps[0]} within ${Math.round(ipWindowMs / 60_000)} min`);
    soft = Math.max(soft, LINK_WEIGHTS.ip);
  }
  if (soft > 0 && shared.upline) {
    reasons.push(`same upline ${shared.upline}`);
    soft += LINK_WEIGHTS.upline;
  }
  return { a, b, weight: Math.max(weight, soft), reasons };
}

export function linkBetween(x: AccountTraits, y: AccountTraits, ipWindowMs: number): Link {
  const closeIps = [
    ...new Set(x.ips.filter((a) => y.ips.some((b) => a.ip === b.ip && Math.abs(a.atMs - b.atMs) <= ipWindowMs)).map((a) => a.ip)),
  ];
  return linkOf(
    x.buyerId,
    y.buyerId,
    {
      payers: shared(x.payerAccounts, y.payerAccounts),
      phone: x.phone !== null && x.phone === y.phone,
      devices: shared(x.devices, y.devices),
      closeIps,
      upline: x.uplineId && x.uplineId === y.uplineId ? x.uplineId : null,
    },
    ipWindowMs,
  );
}

/** The requester's connected group through links strong enough, or null below `minAccounts`. */
export function ringFromLinks(
  requester: string,
  links: readonly Link[],
  minAccounts: number,
): { accounts: string[]; links: Link[] } | null {
  const strong = links.filter((l) => l.weight >= LINK_WEIGHTS.linkedAt);
  const group = new Set([requester]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const l of strong) {
      if (group.has(l.a) !== group.has(l.b)) {
        group.add(l.a);
        group.add(l.b);
        grew = true;
      }
    }
  }
  if (group.size < minAccounts) return null;
  return { accounts: [...group].sort(), links: strong.filter((l) => group.has(l.a) && group.has(l.b)) };
}

// Addresses that say nothing about the buyer (this machine, a private network, a proxy in front of
// the desk without X-Forwarded-For): never recorded as a sighting, or every buyer behind them would
// look linked to every other.
const NOT_THE_BUYERS = new BlockList();
for (const [net, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['0.0.0.0', 8],
] as const)
  NOT_THE_BUYERS.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::', 128],
] as const)
  NOT_THE_BUYERS.addSubnet(net, prefix, 'ipv6');

export function isBuyersAddress(ip: string | null): ip is string {
  if (!ip) return false;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const family = isIP(v4);
  return family !== 0 && !NOT_THE_BUYERS.check(v4, family === 4 ? 'ipv4' : 'ipv6');
}
