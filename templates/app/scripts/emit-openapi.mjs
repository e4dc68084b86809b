#!/usr/bin/env node
// `npm run sdk`: the OpenAPI document of the built app (no database needed: nothing is queried) →
// sdk/openapi.json, then openapi-typescript → sdk/schema.d.ts (types used by the openapi-fetch client in sdk/index.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sdkDir = join(root, 'sdk');
const bootstrap = join(root, 'dist', 'bootstrap.js');

if (!existsSync(bootstrap)) {
  console.error('dist/bootstrap.js is missing: run `npm run build` first');
  process.exit(1);
}

process.env.LOG_LEVEL ??= 'error';

const { createApp } = await import(pathToFileURL(bootstrap).href);
const { createOpenApiDocument } = await import(pathToFileURL(join(root, 'dist', 'core', 'openapi', 'openapi.js')).href);
const app = await createApp();
const document = createOpenApiDocument(app);
await app.close();

mkdirSync(sdkDir, { recursive: true });
writeFileSync(join(sdkDir, 'openapi.json'), JSON.stringify(document, null, 2) + '\n');
const ast = await openapiTS(document, { alphabetize: false });
writeFileSync(join(sdkDir, 'schema.d.ts'), astToString(ast));
const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0);
console.log(`sdk/openapi.json + sdk/schema.d.ts: ${Object.keys(document.paths).length} paths, ${operations} operations`);
