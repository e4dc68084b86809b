// Child process of bench/run.mjs, run inside the built product (cwd = product): permission checks through the
// product's own PermissionService/PermissionEngine (PostgreSQL tuple store, RLS, LRU cache) over the tuples
// run.mjs seeded. Prints one JSON line.
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const { NestFactory } = await import(pathToFileURL(join(process.cwd(), 'node_modules/@nestjs/core/index.js')).href);
const { AppModule } = await import(pathToFileURL(join(process.cwd(), 'dist/app.module.js')).href);
const { PermissionService } = await import(pathToFileURL(join(process.cwd(), 'dist/core/permissions/permission.service.js')).href);
const { PermissionEngine } = await import(pathToFileURL(join(process.cwd(), 'dist/core/permissions/permission-engine.js')).href);

const { orgId, users, tasks } = JSON.parse(process.env.PERM_FIXTURE);
const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
const service = app.get(PermissionService);
const engine = app.get(PermissionEngine);

const pick = (list, i) => list[i % list.length];
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const stats = (values) => ({ n: values.length, p50: quantile(values, 0.5), p90: quantile(values, 0.9), p99: quantile(values, 0.99), max: Math.max(...values) });
async function time(fn) {
  const t = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}

// Cold: the cache is cleared before every check, so each one walks tuples in PostgreSQL (task#org → org#admin
// → team#member → user: depth 3).
const cold = [];
let allowed = 0;
for (let i = 0; i < 300; i++) {
  engine.invalidate();
  const { ms, result } = await time(() => service.check(pick(users, i * 7), 'view', { type: 'task', id: pick(tasks, i * 13) }, { orgId }));
  if (i >= 20) cold.push(ms); // the first ones warm the JIT and the pool
  if (result) allowed++;
}
// Warm: the same 200 checks repeated (LRU hits).
const warmSet = Array.from({ length: 200 }, (_, i) => [pick(users, i), pick(tasks, i)]);
for (const [u, t] of warmSet) await service.check(u, 'view', { type: 'task', id: t }, { orgId });
const warm = [];
for (let round = 0; round < 50; round++) {
  for (const [u, t] of warmSet) {
    const { ms } = await time(() => service.check(u, 'view', { type: 'task', id: t }, { orgId }));
    warm.push(ms);
  }
}
// A user outside every chain: the walk explores everything and says no.
const deniedCold = [];
for (let i = 0; i < 50; i++) {
  engine.invalidate();
  deniedCold.push((await time(() => service.check('00000000-0000-4000-8000-00000000dead', 'view', { type: 'task', id: pick(tasks, i) }, { orgId }))).ms);
}
// my-access: every task object the user holds something on (bounded by the engine's lookup limit).
const myAccess = [];
let entries = 0;
for (let i = 0; i < 10; i++) {
  engine.invalidate();
  const { ms, result } = await time(() => service.lookup(pick(users, i), 'task', { orgId }));
  myAccess.push(ms);
  entries = result.length;
}
// The cold check's SQL alone (the same statement the tuple store sends, as a prepared statement through pg, no
// Nest, Prisma or engine): what of a cold check is the database's.
const { default: pgDriver } = await import(pathToFileURL(join(process.cwd(), 'node_modules/pg/lib/index.js')).href);
const sqlClient = new pgDriver.Client({ connectionString: process.env.APP_DATABASE_URL });
await sqlClient.connect();
const sqlOnly = [];
for (let i = 0; i < 300; i++) {
  const { ms } = await time(() =>
    sqlClient.query({
      name: 'reachable',
      text: 'select * from permission_reachable_tuples($1, $2, $3::text[], $4::text[])',
      values: [orgId, pick(users, i * 7), ['task'], [pick(tasks, i * 13)]],
    }),
  );
  if (i >= 20) sqlOnly.push(ms);
}
await sqlClient.end();
await app.close();
console.log(JSON.stringify({ cold: stats(cold), sqlOnly: stats(sqlOnly), warm: stats(warm), deniedCold: stats(deniedCold), myAccess: { ...stats(myAccess), entries }, allowedRatio: allowed / 300 }));
process.exit(0);
