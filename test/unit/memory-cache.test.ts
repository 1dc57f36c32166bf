import { MemoryCache } from '../../src/cache/memory-cache.ts';
import { cacheContract } from '../helpers/cache-contract.ts';

cacheContract('in-process', async () => new MemoryCache());
