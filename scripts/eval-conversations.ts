// npm run eval:conversations — the multi-turn conversation suite (issue 18): simulated buyers talk to
// the bot as the shop widget carries them, and each conversation's outcome is read from the stored
// state. Prints per language the share reaching the right outcome, turns against the ideal, repeated
// and wrong-language replies, and a line per failing conversation.
//   --verbose        transcripts of the conversations with a problem
//   --all            transcripts of every conversation
//   --only <text>    only the conversations whose id contains <text> (repeatable)
//   --json <file>    write the full results as JSON
// Runs on PGlite in a temporary folder, or on the PostgreSQL of DATABASE_URL.
import fs from 'node:fs/promises';
import { startEvalDesk } from '../test/conversations/eval-desk.ts';
import { report } from '../test/conversations/report.ts';
import { runSuite } from '../test/conversations/run.ts';
import { CONVERSATIONS, suiteProblems } from '../test/conversations/suite.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const values = (name: string) => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]!] : []));

const problems = suiteProblems(CONVERSATIONS);
if (problems.length) {
  console.error(`The suite is inconsistent:\n  ${problems.join('\n  ')}`);
  process.exit(2);
}
const only = values('--only');
const chosen = only.length ? CONVERSATIONS.filter((c) => only.some((o) => c.id.includes(o))) : CONVERSATIONS;
if (chosen.length === 0) {
  console.error(`No conversation matches ${only.join(', ')}`);
  process.exit(2);
}

const target = await startEvalDesk();
try {
  console.log(`Desk on ${target.where}`);
  const run = await runSuite(target.desk, target.gate, chosen);
  console.log(report(run, { verbose: flag('--verbose'), all: flag('--all') }));
  for (const file of values('--json')) await fs.writeFile(file, JSON.stringify(run, null, 2));
} finally {
  await target.stop();
}
