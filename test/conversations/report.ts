// The suite's figures as text: per language, then a line per failing conversation (what went wrong),
// and on request the transcripts.
import type { ConversationResult, LanguageSummary, SuiteRun } from './run.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function summaryLines(s: LanguageSummary): string[] {
  return [
    `${s.lang === 'zh' ? 'Chinese' : 'English'} (${s.conversations} conversations)`,
    `  right outcome      ${s.right}/${s.conversations} = ${pct(s.share)}   (target ≥ 95 %)`,
    `  turns              mean ${(s.turns / Math.max(1, s.conversations)).toFixed(2)} against an ideal of ${(s.ideal / Math.max(1, s.conversations)).toFixed(2)}: ratio ${s.turnRatio.toFixed(2)} (target ≤ 1.20; ${s.turnRatioRight.toFixed(2)} over the right ones)`,
    `  repeated replies   ${s.repeated}   (target 0)`,
    `  wrong language     ${s.wrongLanguage}   (target 0)`,
    `  full-width in en   ${s.fullwidth}`,
    `  internal ids shown ${s.internalIds}`,
    `  stale orders offered ${s.staleOffers}   (refunded or already open, in an order list)`,
  ];
}

/** One line per problem of a conversation that has any. */
export function problemLines(r: ConversationResult): string[] {
  const lines: string[] = [];
  const tag = `${r.ok ? 'ok  ' : 'FAIL'} ${r.id} (${r.turns}/${r.ideal} turns${r.gaveUp ? ', gave up' : ''})`;
  const issues = [...r.failures, ...r.replyProblems.map((p) => `${p.kind.replace('_', ' ')} at turn ${p.turn}: ${oneLine(p.text)}`)];
  if (issues.length === 0 && r.turns <= r.ideal) return lines;
  if (issues.length === 0) return [`slow ${r.id} (${r.turns}/${r.ideal} turns)`];
  lines.push(`${tag}: ${issues[0]}`);
  for (const issue of issues.slice(1)) lines.push(`       ${issue}`);
  return lines;
}

export function transcriptLines(r: ConversationResult): string[] {
  const lines = [`--- ${r.id} [${r.lang}] ${r.covers.join(', ')}`, `    policy: ${r.why}`];
  for (const e of r.transcript) {
    const who = e.from === 'buyer' ? `  ${e.turn} buyer>` : '     bot>';
    const pressed = e.action ? ` [pressed ${e.action}]` : '';
    lines.push(`${who} ${indent(e.text)}${pressed}`);
    if (e.buttons?.length) lines.push(`          buttons: ${e.buttons.map((b) => `[${b.label} → ${b.action}]`).join(' ')}`);
  }
  return lines;
}

export function report(run: SuiteRun, options: { verbose?: boolean; all?: boolean } = {}): string {
  const out: string[] = [`Conversation suite: ${run.results.length} conversations in ${(run.ms / 1000).toFixed(1)} s`, ''];
  for (const s of run.summaries) out.push(...summaryLines(s), '');
  const problems = run.results.flatMap(problemLines);
  if (problems.length) out.push('Problems:', ...problems.map((l) => `  ${l}`), '');
  if (options.verbose || options.all) {
    for (const r of run.results) {
      const bad = !r.ok || r.replyProblems.length > 0 || r.turns > r.ideal;
      if (options.all || bad) out.push(...transcriptLines(r), '');
    }
  }
  return out.join('\n');
}

const oneLine = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s).replace(/\s*\n\s*/g, ' ⏎ ');
const indent = (s: string) => s.replace(/\n/g, '\n          ');
