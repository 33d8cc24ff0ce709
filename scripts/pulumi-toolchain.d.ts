// Types for scripts/pulumi-toolchain.js, which stays plain JavaScript so it runs before any build.
export interface PinnedVersions {
  readonly cli: string;
  readonly languageHost: string;
}
export function ensurePulumi(): string;
export function pinnedVersions(): PinnedVersions;
export function cacheDirFor(versions: PinnedVersions): string;
/** The directory holding `pulumi-language-yaml` (built and cached on first use). */
export function ensureYamlHost(): string;
