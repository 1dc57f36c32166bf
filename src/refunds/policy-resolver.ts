// Which policy governs a product: the stored policy its `policyId` names (latest version), a preset
// named by id, or its category's preset.
import type { ProductCategory } from '../domain/catalog.ts';
import { PRESETS, policySchema, presetFor, type Policy } from '../policy/index.ts';
import type { PrismaClient } from '../store/database.ts';

export async function resolvePolicy(prisma: PrismaClient, product: { category: ProductCategory; policyId: string | null }): Promise<Policy> {
  if (product.policyId) {
    const stored = await prisma.refundPolicy.findUnique({ where: { id: product.policyId } });
    if (stored) return policySchema.parse(stored.definition);
    const preset = Object.values(PRESETS).find((p) => p.id === product.policyId);
    if (preset) return preset;
  }
  return presetFor(product.category);
}
