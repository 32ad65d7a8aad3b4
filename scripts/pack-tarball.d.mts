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

/** Where tarballs are kept: `$TMPDIR/cruddur-pack/<name>-<hash>/`. */
export declare const PACK_CACHE: string;

/** Hash of what `npm pack` would put in the tarball of the package in `packageDir`. */
export declare function packContentHash(packageDir: string): string;

/**
 * `npm pack` of the package in `packageDir`, as `npm publish` would pack it, once per content
 * (cached under {@link PACK_CACHE}). Build the package first.
 */
export declare function packTarball(packageDir: string): PackedTarball;

/**
 * The environment for npm in a project outside the workspace: without the workspace settings that
 * `npm run` exports, which would point npm back here.
 */
export declare function outsideNpmEnv(): NodeJS.ProcessEnv;

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
