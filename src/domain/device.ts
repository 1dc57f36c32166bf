// The buyer's device as the platform reports it (an order's payment, a refund request): shared by
// platform events and refund requests, so it lives here rather than in either of them.
import { z } from 'zod';

export const deviceSchema = z.strictObject({
  id: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
  ip: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IPv4 or IPv6 address' }).optional(),
});
