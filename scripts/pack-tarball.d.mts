/** What {@link packTarball} produced. */
export interface PackedTarball {
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** The package's name and version, as in its package.json. */
  name: string;
  version: string;
  /** Every path inside the tarball (relative to `package/`), sorted. */
  files: string[];
}

/**
 * `npm pack` of the package in `packageDir` into `destination` (a new temporary folder by
 * default), as `npm publish` would pack it. Build the package first.
 */
export declare function packTarball(packageDir: string, destination?: string): PackedTarball;

/**
 * Unpacks a tarball from {@link packTarball} into a new temporary folder; returns the package's
 * folder in it (npm tarballs hold everything under `package/`).
 */
export declare function unpackTarball(tarball: string): string;

/**
 * A new project in a temporary folder outside the workspace (so nothing resolves from the
 * workspace's node_modules), with `package.json` fields of your choosing; returns its folder.
 */
export declare function createOutsideProject(manifest?: Record<string, unknown>): string;

/**
 * `npm install` of tarballs or `name@version` specs into a project from {@link createOutsideProject},
 * from npm's cache when it holds them, else the registry. Lifecycle scripts are not run.
 */
export declare function installPackages(projectDir: string, specs: string[]): void;
