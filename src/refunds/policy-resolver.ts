// Which policy governs a product, and which one a stored decision was made under.
//   - For a new request: the latest version of the stored policy the product's `policyId` names, or
//     the current preset it names by id, or its category's preset.
//   - For a replay: exactly the id and version the decision names, from the stored policies or the
//     registry of every preset version (src/policy/presets.ts); null when neither has it.
import type { ProductCategory } from '../domain/index.ts';
import { currentPreset, policySchema, presetFor, presetVersion, type Policy } from '../policy/index.ts';
import type { PrismaClient } from '../store/index.ts';

export async function resolvePolicy(
  prisma: PrismaClient,
  product: { category: ProductCategory; policyId: string | null },
): Promise<Policy> {
  const stored = product.policyId
    ? await prisma.refundPolicy.findFirst({ where: { id: product.policyId }, orderBy: { version: 'desc' } })
    : null;
  return policyFrom(product, stored?.definition ?? null);
}

/** The same, given the latest stored definition of the policy the product names (null: none stored). */
export function policyFrom(product: { category: ProductCategory; policyId: string | null }, storedDefinition: unknown): Policy {
  if (product.policyId) {
    if (storedDefinition !== null && storedDefinition !== undefined) return policySchema.parse(storedDefinition);
    const preset = currentPreset(product.policyId);
    if (preset) return preset;
  }
  return presetFor(product.category);
}

export async function policyVersionOf(prisma: PrismaClient, id: string, version: number): Promise<Policy | null> {
  const stored = await prisma.refundPolicy.findUnique({ where: { id_version: { id, version } } });
  if (stored) {
    const policy = policySchema.safeParse(stored.definition);
    return policy.success && policy.data.version === version ? policy.data : null;
  }
  return presetVersion(id, version) ?? null;
}
