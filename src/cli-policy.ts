// `refund-desk policy list | show <id> | simulate <id>`: the policies API for operators, on the
// configured database, with the same figures as the HTTP endpoints.
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { currentPreset, PRESETS, renderPolicy, type Policy } from './policy/index.ts';
import { DRAFT_VERSION, policyOf, policyRulesSchema } from './policy/index.ts';
import { configOrExit } from './main.ts';
import { openDatabase, type Database } from './store/index.ts';
import { migrate } from './store/index.ts';
import { fieldOf } from './validation.ts';

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));

function usage(message: string): never {
  console.error(message);
  process.exit(2);
}

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = configOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const db = await openDatabase(config.database);
  try {
    await migrate(db.sql);
    return await fn(db);
  } finally {
    await db.close();
  }
}

const line = (p: Policy, merchant: string | null, versions: number | string) =>
  `${p.id.padEnd(28)} v${String(p.version).padEnd(4)} ${p.category.padEnd(13)} ${(merchant ?? '(desk preset)').padEnd(20)} ${String(versions).padStart(3)} version(s)  ${p.title.en}`;

export function registerPolicyCommand(program: Command): void {
  const policy = program
    .command('policy')
    .description('merchant policies: list them, show one, simulate a draft or a version over past decisions');

  policy
    .command('list')
    .description('every stored policy (latest version) and the category presets')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const { listPolicies } = await import('./refunds/policy-store.ts');
      const stored = await withDatabase((db) => listPolicies(db.prisma));
      if (options.json) {
        console.log(
          JSON.stringify(
            stored.map((s) => ({
              id: s.policy.id,
              version: s.policy.version,
              category: s.policy.category,
              merchantId: s.merchantId,
              versions: s.versions,
            })),
            null,
            2,
          ),
        );
        return;
      }
      for (const p of Object.values(PRESETS)) console.log(line(p, null, '—'));
      for (const s of stored) console.log(line(s.policy, s.merchantId, s.versions));
    });

  policy
    .command('show')
    .description("a policy's current version (or --version N) with its text in Chinese and English")
    .argument('<id>', 'the policy id')
    .option('--version <n>', 'a stored version instead of the current one')
    .option('--json', 'print the definition as JSON')
    .action(async (id: string, options: { version?: string; json?: boolean }) => {
      const version = options.version === undefined ? undefined : Number(options.version);
      if (version !== undefined && !(Number.isInteger(version) && version >= 1)) usage('--version must be a whole number from 1');
      const found = await withDatabase(async (db) => {
        const { policyVersionOf } = await import('./refunds/policy-resolver.ts');
        const { currentPolicy } = await import('./refunds/policy-store.ts');
        if (version !== undefined) return policyVersionOf(db.prisma, id, version);
        return currentPreset(id) ?? (await currentPolicy(db.prisma, id))?.policy ?? null;
      });
      if (!found) {
        console.error(`policy ${id}${version ? ` version ${version}` : ''} is not known to the desk`);
        process.exit(1);
      }
      if (options.json) {
        console.log(JSON.stringify(found, null, 2));
        return;
      }
      console.log(
        `${found.id} v${found.version} (${found.category})\n\n${renderPolicy(found, 'zh').text}\n\n${renderPolicy(found, 'en').text}`,
      );
    });

  policy
    .command('simulate')
    .description(
      'run the decisions of a period for the products on a policy through a draft (a JSON file) or a stored version; writes nothing',
    )
    .argument('<id>', 'the policy id')
    .requiredOption('--from <instant>', 'start of the period (ISO date or date-time), inclusive')
    .option('--to <instant>', 'end of the period, exclusive (default: now)')
    .option('--draft <file>', "a JSON file with the draft's rules (the PUT /v1/policies body without merchantId)")
    .option('--version <n>', 'a stored version to simulate instead of a draft')
    .option('--json', 'print the report as JSON (the shape of POST /v1/policies/{id}/simulate)')
    .action(async (id: string, options: { from: string; to?: string; draft?: string; version?: string; json?: boolean }) => {
      const from = instant.safeParse(options.from);
      const to = options.to === undefined ? { success: true as const, data: new Date() } : instant.safeParse(options.to);
      if (!from.success || !to.success || from.data >= to.data)
        usage('--from and --to must be ISO dates or date-times with a zone, --from before --to');
      if ((options.draft === undefined) === (options.version === undefined)) usage('give either --draft <file> or --version <n>');
      let draft: Policy | null = null;
      if (options.draft !== undefined) {
        const text = await fs
          .readFile(options.draft, 'utf8')
          .catch((error: Error) => usage(`cannot read ${options.draft}: ${error.message}`));
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          usage(`${options.draft} is not valid JSON`);
        }
        const rules = policyRulesSchema.safeParse(json);
        if (!rules.success) usage(`${options.draft}: ${fieldOf(rules.error.issues[0]!)} ${rules.error.issues[0]!.message}`);
        draft = policyOf(id, DRAFT_VERSION, rules.data);
      }
      const version = options.version === undefined ? undefined : Number(options.version);
      if (version !== undefined && !(Number.isInteger(version) && version >= 1)) usage('--version must be a whole number from 1');
      const report = await withDatabase(async (db) => {
        const { policyVersionOf } = await import('./refunds/policy-resolver.ts');
        const { currentPolicy } = await import('./refunds/policy-store.ts');
        const { simulatePolicy } = await import('./refunds/policy-simulation.ts');
        // As the endpoint: the policy must exist, and a draft keeps its category.
        const current = currentPreset(id) ?? (await currentPolicy(db.prisma, id))?.policy;
        if (!current) return `policy ${id} is not known to the desk`;
        if (draft && draft.category !== current.category) return `the draft's category must be ${current.category}, the policy's category`;
        const policy = draft ?? (await policyVersionOf(db.prisma, id, version!));
        if (!policy) return `policy ${id} has no version ${version}`;
        return simulatePolicy(db, id, policy, { from: from.data, to: to.data }, version ?? 'draft');
      });
      if (typeof report === 'string') {
        console.error(report);
        process.exit(1);
      }
      const { describeSimulation } = await import('./refunds/policy-simulation.ts');
      console.log(options.json ? JSON.stringify(report, null, 2) : describeSimulation(report));
    });
}
