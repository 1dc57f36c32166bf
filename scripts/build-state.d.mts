// Types of scripts/build-state.mjs, for the TypeScript that imports it (the build's tests, the bench).
export interface BuildInfo {
  sources: string;
  builtAt: string;
  typescript: string;
  node: string;
}
export declare const ROOT: string;
export declare const DIST: string;
export declare const BUILD_INFO: string;
export declare function sourceFingerprint(root?: string): string | null;
export declare function readBuildInfo(dist?: string): BuildInfo | null;
export declare function buildState(root?: string): { built: boolean; stale: boolean; info: BuildInfo | null };
