// The platform module: signed calls to the shop platform and the signature both sides use.
export { liveUsageSchema, PlatformCallError, PlatformClient, type LiveUsage } from './platform-client.ts';
export { signBody } from './signature.ts';
