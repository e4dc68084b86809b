#!/usr/bin/env node
// `prisma generate` for the Prisma client in src/generated/prisma.
// Generation never runs Prisma's schema engine, but the CLI insists on locating its binary (and downloads it when
// missing, which fails offline): point it at any executable unless the user configured one.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const result = spawnSync(process.execPath, [cli, 'generate', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
