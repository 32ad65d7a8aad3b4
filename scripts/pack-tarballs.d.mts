/** Where tarballs are kept: `$TMPDIR/cruddur-pack/<name>-<hash>/<name>-<version>.tgz`. */
export const PACK_CACHE: string;
/** Hash of what `npm pack` would put in the tarball of the package in `packageDir`. */
export function packContentHash(packageDir: string): string;
/** Packs the package in `packageDir` (once per content) and returns the tarball's absolute path. */
export function packTarball(packageDir: string): string;
