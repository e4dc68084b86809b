import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PlatformError } from '../errors.js';
import { findProductRoot } from '../product.js';
import { parseSpec } from '../spec/load-spec.js';
import type { ProductSpec } from '../spec/product-spec.js';
import { SPEC_FILE } from '../spec/render-spec.js';

export interface ProductContext {
  dir: string;
  spec: ProductSpec;
}

/** The product the account and deploy commands act on: `--dir`, or the nearest folder up with platform.yaml (as `sync`). */
export async function openProduct(options: { dir?: string; cwd?: string; command: string }): Promise<ProductContext> {
  const cwd = options.cwd ?? process.cwd();
  const dir = options.dir ? path.resolve(cwd, options.dir) : (findProductRoot(cwd) ?? cwd);
  const file = path.join(dir, SPEC_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new PlatformError({
      code: 'SPEC_NOT_FOUND',
      message: `No ${SPEC_FILE} in ${dir} or above it`,
      exitCode: 2,
      suggestions: [`Run \`platform ${options.command}\` inside a product created by \`platform new\`, or pass --dir <product folder>.`],
    });
  }
  const { spec } = parseSpec(text, path.relative(cwd, file) || SPEC_FILE);
  return { dir, spec };
}
