// Policies merchants own (README "Contract v1 additions: policies"): versioned policies, a product
// taking one, and the what-if replay of a draft over the period's decisions.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeskError, notFound } from '../../errors.ts';
import { currentPreset, renderPolicy, type Policy } from '../../policy/index.ts';
import { DRAFT_VERSION, policyBodySchema, policyIdSchema, policyOf, policyRulesSchema } from '../../policy/index.ts';
import { policyVersionOf } from '../../refunds/index.ts';
import { attachPolicy, currentPolicy, policyVersions, putPolicy, type StoredPolicy } from '../../refunds/index.ts';
import { simulatePolicy } from '../../refunds/index.ts';
import { parseOrThrow } from '../../validation.ts';
import type { ApiDeps } from '../api-deps.ts';
import { requireJsonBody } from '../json-body.ts';

const policyParams = z.strictObject({ id: policyIdSchema });
const productParams = z.strictObject({ id: z.string().min(1).max(128) });
const attachBody = z.strictObject({ policyId: policyIdSchema });

const MAX_SIMULATION_DAYS = 366;
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));
const simulateBody = z
  .strictObject({
    definition: policyRulesSchema.optional(),
    version: z.number().int().min(1).optional(),
    from: instant,
    to: instant,
  })
  .refine((b) => (b.definition === undefined) !== (b.version === undefined), {
    message: 'give either a draft definition or a stored version, not both',
    path: ['definition'],
  })
  .refine((b) => b.from < b.to, { message: 'must be before to', path: ['from'] })
  .refine((b) => b.to.getTime() - b.from.getTime() <= MAX_SIMULATION_DAYS * 86_400_000, {
    message: `a simulation covers at most ${MAX_SIMULATION_DAYS} days`,
    path: ['to'],
  });

/** A policy version as the API shows it: its rules and its text in both languages. */
function policyView(policy: Policy, merchantId: string | null, createdAt: Date | null) {
  const { id, version, ...rules } = policy;
  return {
    id,
    version,
    merchantId,
    ...rules,
    createdAt: createdAt?.toISOString() ?? null,
    text: { zh: renderPolicy(policy, 'zh').text, en: renderPolicy(policy, 'en').text },
  };
}

/** A stored policy, or a category preset by its id (the desk's, read-only). */
async function findPolicy(deps: ApiDeps, id: string): Promise<StoredPolicy> {
  const preset = currentPreset(id);
  if (preset) return { policy: preset, merchantId: null, createdAt: new Date(0) };
  const found = await currentPolicy(deps.db.prisma, id);
  if (!found) throw notFound('policy_not_found', `Policy ${id} is not known to the desk`);
  return found;
}

export function registerPolicyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.put('/v1/policies/:id', async (request, reply) => {
    const { id } = parseOrThrow(policyParams, request.params, 'id');
    const body = parseOrThrow(policyBodySchema, requireJsonBody(request.body));
    const result = await putPolicy(deps.db.prisma, id, body);
    if (result.status === 'created')
      deps.log.info({ policyId: id, version: result.version, merchantId: body.merchantId }, 'policy version stored');
    return reply.status(result.status === 'created' ? 201 : 200).send({ id: result.id, version: result.version });
  });

  app.get('/v1/policies/:id', async (request) => {
    const { id } = parseOrThrow(policyParams, request.params, 'id');
    const found = await findPolicy(deps, id);
    return policyView(found.policy, found.merchantId, currentPreset(id) ? null : found.createdAt);
  });

  app.get('/v1/policies/:id/versions', async (request) => {
    const { id } = parseOrThrow(policyParams, request.params, 'id');
    const versions = await policyVersions(deps.db.prisma, id);
    if (versions.length === 0) {
      if (!currentPreset(id)) throw notFound('policy_not_found', `Policy ${id} is not known to the desk`);
      return { id, versions: [policyView(currentPreset(id)!, null, null)] };
    }
    return { id, versions: versions.map((v) => policyView(v.policy, v.merchantId, v.createdAt)) };
  });

  app.put('/v1/products/:id/policy', async (request) => {
    const { id } = parseOrThrow(productParams, request.params, 'id');
    const { policyId } = parseOrThrow(attachBody, requireJsonBody(request.body));
    const result = await attachPolicy(deps.db.prisma, id, policyId);
    deps.log.info({ productId: id, policyId }, 'product policy attached');
    return result;
  });

  app.post('/v1/policies/:id/simulate', async (request) => {
    const { id } = parseOrThrow(policyParams, request.params, 'id');
    const body = parseOrThrow(simulateBody, requireJsonBody(request.body));
    const { policy: current } = await findPolicy(deps, id);
    let draft: Policy;
    if (body.version !== undefined) {
      const stored = await policyVersionOf(deps.db.prisma, id, body.version);
      if (!stored) throw notFound('policy_version_not_found', `Policy ${id} has no version ${body.version}`);
      draft = stored;
    } else {
      draft = policyOf(id, DRAFT_VERSION, body.definition!);
      if (draft.category !== current.category) {
        throw new DeskError('invalid', 'invalid_input', `definition.category must be ${current.category}, the policy's category`, {
          field: 'definition.category',
        });
      }
    }
    return simulatePolicy(deps.db, id, draft, { from: body.from, to: body.to }, body.version ?? 'draft');
  });
}
