import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PlatformPaths {
  /** The CLI package root (holds templates/ and modules/). */
  root: string;
  templatesDir: string;
  appTemplateDir: string;
  modulesDir: string;
  versionsFile: string;
}

let cachedRoot: string | undefined;

/** The CLI package's root, found from this file whether it runs from source or from dist/. */
export function platformRoot(): string {
  // PLATFORM_ROOT points the CLI at another set of templates/ and modules/ (used by tests and by
  // module authors trying a module from a checkout).
  if (process.env.PLATFORM_ROOT) return path.resolve(process.env.PLATFORM_ROOT);
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(path.join(dir, 'templates'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the platform CLI root (a folder with package.json and templates/)');
    dir = parent;
  }
}

export function platformPaths(root = platformRoot()): PlatformPaths {
  return {
    root,
    templatesDir: path.join(root, 'templates'),
    appTemplateDir: path.join(root, 'templates', 'app'),
    modulesDir: path.join(root, 'modules'),
    versionsFile: path.join(root, 'templates', 'versions.json'),
  };
}

export function cliVersion(root = platformRoot()): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
