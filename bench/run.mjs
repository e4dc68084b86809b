// `npm run bench`: generation time, HTTP throughput/latency of a generated product against a bare Fastify + pg
// baseline, permission checks over 1 000 000 tuples, the cost of the RLS context, and a soak. Writes
// bench/RESULTS.md and bench/results.json. Not part of `npm test`.
//
// Env: DATABASE_URL (a PostgreSQL server where a fresh database is created; embedded PostgreSQL when unset),
// BENCH_RUNS (3), BENCH_DURATION (15 s per HTTP run), BENCH_CONNECTIONS (32), BENCH_SOAK (60 s),
// BENCH_ONLY (comma list of generation,http,rls,soak,perms: run only those and print the figures as JSON instead of
// rewriting RESULTS.md — for working on one target).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SOAK = Number(process.env.BENCH_SOAK ?? 60);
const SECTIONS = ['generation', 'http', 'rls', 'soak', 'perms'];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : undefined;
for (const section of ONLY ?? []) if (!SECTIONS.includes(section)) throw new Error(`BENCH_ONLY: unknown section ${section}; known: ${SECTIONS.join(', ')}`);
const runs = (section) => !ONLY || ONLY.includes(section);
const TASKS = 10_000;
const TUPLES = 1_000_000;
// The title of the tasks the create runs add (removed after the HTTP section).
const CREATED_TITLE = 'Created under load';
const ANALYSIS_HEADING = '## Analysis (written by hand; kept when the bench re-runs)';
const log = (message) => console.log(`[bench] ${message}`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanups = [];

function sh(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function machine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  let free = '';
  try {
    free = sh('free', ['-h']).trim();
  } catch {
    free = `total ${(totalmem() / 2 ** 30).toFixed(1)} GiB, free ${(freemem() / 2 ** 30).toFixed(1)} GiB`;
  }
  return { nproc: sh('nproc', []).trim(), cpuModel, free, node: process.version, platform: `${process.platform} ${process.arch}`, load: sh('cat', ['/proc/loadavg']).trim() };
}

async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not up within ${timeoutMs} ms`);
}

function start(command, args, options) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], ...options });
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
  return child;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

// 1. Generation -------------------------------------------------------------------------------------------------
async function generation(work) {
  if (!existsSync(join(ROOT, 'dist', 'cli'))) {
    log('building the CLI');
    sh('npm', ['run', 'build'], { cwd: ROOT });
  }
  const modules = readdirSync(join(ROOT, 'modules')).filter((m) => m !== 'core' && existsSync(join(ROOT, 'modules', m, 'module.yaml')));
  const spec = join(work, 'all-modules.yaml');
  writeFileSync(spec, `name: bench-all\nmodules:\n${modules.map((m) => `  - ${m}`).join('\n')}\n`);
  // Wall time and CPU time (user + sys) of the whole CLI process: on a busy machine the wall time mostly measures
  // waiting for a core, the CPU time does not. Node's own start-up (`node -e 0`) is measured alongside.
  const timed = (args) => {
    const out = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ${args.map((a) => `'${a}'`).join(' ')} >/dev/null`], { cwd: ROOT, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${args.join(' ')} failed: ${out.stderr}`);
    const [real, user, sys] = out.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    return { wallMs: real * 1000, cpuMs: (user + sys) * 1000 };
  };
  const runs = [];
  const nodeStart = [];
  const cliStart = [];
  for (let i = 0; i < Math.max(5, RUNS); i++) {
    const dir = join(work, `gen-${i}`);
    runs.push(timed([process.execPath, join(ROOT, 'bin', 'run.js'), 'new', 'bench-all', '--spec', spec, '--dir', dir, '--skip-install', '--yes']));
    nodeStart.push(timed([process.execPath, '-e', '0']));
    cliStart.push(timed([process.execPath, join(ROOT, 'bin', 'run.js'), '--version']));
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (list, key) => median(list.map((r) => r[key]));
  return {
    modules,
    runs,
    medianMs: med(runs, 'wallMs'),
    medianCpuMs: med(runs, 'cpuMs'),
    nodeStart: { wallMs: med(nodeStart, 'wallMs'), cpuMs: med(nodeStart, 'cpuMs') },
    cliStart: { wallMs: med(cliStart, 'wallMs'), cpuMs: med(cliStart, 'cpuMs') },
  };
}

// 2. Product, database, seed ------------------------------------------------------------------------------------
async function database(work, product) {
  const { migrate, runtimeDatabaseUrl } = await import(pathToFileURL(join(product, 'scripts', 'migrate.mjs')).href);
  let databaseUrl;
  if (process.env.DATABASE_URL) {
    const admin = process.env.DATABASE_URL;
    const name = `bench_${Date.now().toString(36)}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    cleanups.push(async () => {
      const drop = new pg.Client({ connectionString: admin });
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    });
  } else {
    const { startEmbeddedPostgres } = await import(pathToFileURL(join(product, 'scripts', 'embedded-postgres.mjs')).href);
    const embedded = await startEmbeddedPostgres({ dataDir: join(work, 'pgdata'), database: 'bench', persistent: false, log });
    databaseUrl = embedded.url;
    cleanups.push(() => embedded.stop());
  }
  const appDatabaseUrl = runtimeDatabaseUrl(databaseUrl);
  await migrate({ databaseUrl, appDatabaseUrl, log: () => {} });
  return { databaseUrl, appDatabaseUrl };
}

async function api(base, method, path, token, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function seed(base, owner) {
  const orgs = [];
  for (const name of ['Bench One', 'Bench Two']) {
    const session = await api(base, 'POST', '/auth/register', undefined, {
      email: `bench.${randomUUID().slice(0, 8)}@example.test`,
      password: 'Bench-Password-42!',
      org_name: name,
    });
    const token = session.tokens.access_token;
    const board = await api(base, 'POST', '/boards', token, { name: 'Bench board', columns: [{ name: 'Todo' }, { name: 'Done' }] });
    const task = await api(base, 'POST', '/tasks', token, { title: 'Bench task by API', board_id: board.id, column_id: board.columns[0].id });
    orgs.push({ orgId: session.org.id, userId: session.user.id, token, boardId: board.id, columnId: board.columns[0].id, taskId: task.id });
  }
  // The rest in SQL, as the product would have stored them (rows + the creator's permission tuples).
  for (const org of orgs) {
    await owner.query(
      `with t as (
         insert into tasks (org_id, title, status, board_id, column_id, position, created_by, created_at)
         select $1, 'Seeded task ' || g, 'todo', $2, $3, g + 1, $4, now() - make_interval(secs => g)
           from generate_series(1, $5::int) g
         returning id)
       insert into permission_tuples (org_id, namespace, object_id, relation, subject_ns, subject_id, subject_rel)
       select $1, 'task', t.id::text, r.relation, r.ns, r.sid, r.srel from t
         cross join (values ('org', 'org', $1::text, null), ('owner', 'user', $4::text, null), ('viewer', 'org', $1::text, 'member'))
           as r(relation, ns, sid, srel)`,
      [org.orgId, org.boardId, org.columnId, org.userId, TASKS / orgs.length - 1],
    );
  }
  // A table in service has been vacuumed: freshly bulk-loaded pages would otherwise have their hint bits and
  // visibility map written by the first reads (and autovacuum would start in the middle of the runs).
  await owner.query('vacuum analyze');
  return orgs;
}

// 3. HTTP -------------------------------------------------------------------------------------------------------
function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function http(appUrl, baseUrl, org) {
  const auth = { authorization: `Bearer ${org.token}` };
  const json = { 'content-type': 'application/json' };
  const createBody = JSON.stringify({ title: CREATED_TITLE, board_id: org.boardId, column_id: org.columnId });
  const scenarios = {
    list: { app: { url: `${appUrl}/api/v1/tasks?limit=25`, headers: auth }, base: { url: `${baseUrl}/tasks?limit=25` } },
    get: { app: { url: `${appUrl}/api/v1/tasks/${org.taskId}`, headers: auth }, base: { url: `${baseUrl}/tasks/${org.taskId}` } },
    create: {
      app: { url: `${appUrl}/api/v1/tasks`, method: 'POST', headers: { ...auth, ...json }, body: createBody },
      base: { url: `${baseUrl}/tasks`, method: 'POST', headers: json, body: createBody },
    },
  };
  const results = {};
  for (const [name, targets] of Object.entries(scenarios)) {
    results[name] = { app: [], base: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const side of ['app', 'base']) {
        const r = await cannon(targets[side]);
        const bad = r.non2xx + r.errors + r.timeouts;
        results[name][side].push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad });
        log(`${name} ${side} run ${run + 1}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx/errors ${bad}`);
      }
    }
  }
  const summary = {};
  for (const [name, sides] of Object.entries(results)) {
    const pick = (side, key) => median(sides[side].map((r) => r[key]));
    summary[name] = {
      app: { rps: pick('app', 'rps'), p50: pick('app', 'p50'), p99: pick('app', 'p99'), bad: sides.app.reduce((a, r) => a + r.bad, 0) },
      base: { rps: pick('base', 'rps'), p50: pick('base', 'p50'), p99: pick('base', 'p99'), bad: sides.base.reduce((a, r) => a + r.bad, 0) },
    };
    summary[name].ratio = summary[name].app.rps / summary[name].base.rps;
  }
  return { runs: results, summary };
}

// 4. RLS cost ---------------------------------------------------------------------------------------------------
async function rlsCost(databaseUrl, appDatabaseUrl, org) {
  const sql = `select id, title, status, position, created_at from tasks
                where org_id = $1 and deleted_at is null and parent_id is null order by created_at desc, id desc limit 25`;
  const owner = new pg.Client({ connectionString: databaseUrl });
  const runtime = new pg.Client({ connectionString: appDatabaseUrl });
  await owner.connect();
  await runtime.connect();
  const measure = async (fn) => {
    const times = [];
    for (let i = 0; i < 1200; i++) {
      const t = process.hrtime.bigint();
      await fn();
      if (i >= 200) times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
  };
  const plain = await measure(() => owner.query(sql, [org.orgId]));
  const plainTx = await measure(async () => {
    await owner.query('begin');
    await owner.query(sql, [org.orgId]);
    await owner.query('commit');
  });
  const tenant = await measure(async () => {
    await runtime.query('begin');
    await runtime.query("select set_config('app.current_org_id', $1, true), set_config('app.current_user_id', $2, true)", [org.orgId, org.userId]);
    await runtime.query(sql, [org.orgId]);
    await runtime.query('commit');
  });
  await owner.end();
  await runtime.end();
  return { plain, plainTx, tenant };
}

// 5. Permissions ------------------------------------------------------------------------------------------------
async function permissions(owner, product, env) {
  const orgId = randomUUID();
  const teams = 1000;
  const membersPerTeam = 100;
  const adminTeams = 10;
  const taskObjects = TUPLES - teams * membersPerTeam - adminTeams;
  await owner.query(`insert into organizations (id, name, slug) values ($1, 'Permission bench', $2)`, [orgId, `perm-bench-${orgId.slice(0, 8)}`]);
  const started = Date.now();
  // team:T#member@user:U (100 000), org:O#admin@team:T#member for 10 teams, task:X#org@org:O (the rest).
  await owner.query(
    `insert into permission_tuples (org_id, namespace, object_id, relation, subject_ns, subject_id, subject_rel)
     select $1, 'team', 'team-' || (g / $3), 'member', 'user', 'user-' || g, null from generate_series(0, $2::int * $3::int - 1) g`,
    [orgId, teams, membersPerTeam],
  );
  await owner.query(
    `insert into permission_tuples (org_id, namespace, object_id, relation, subject_ns, subject_id, subject_rel)
     select $1::uuid, 'org', $1::uuid::text, 'admin', 'team', 'team-' || g, 'member' from generate_series(0, $2::int - 1) g`,
    [orgId, adminTeams],
  );
  await owner.query(
    `insert into permission_tuples (org_id, namespace, object_id, relation, subject_ns, subject_id, subject_rel)
     select $1::uuid, 'task', 'task-' || g, 'org', 'org', $1::uuid::text, null from generate_series(1, $2::int) g`,
    [orgId, taskObjects],
  );
  await owner.query('vacuum analyze permission_tuples'); // see seed()
  const [{ n }] = (await owner.query('select count(*)::int as n from permission_tuples where org_id = $1', [orgId])).rows;
  log(`${n} tuples seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Users of the admin teams (teams 0..9): allowed through task#org → org#admin → team#member.
  const users = Array.from({ length: 100 }, (_, i) => `user-${(i % adminTeams) * membersPerTeam + i}`);
  const tasks = Array.from({ length: 500 }, (_, i) => `task-${1 + ((i * 7919) % taskObjects)}`);
  const output = sh(process.execPath, [join(ROOT, 'bench', 'perm-bench.mjs')], {
    cwd: product,
    env: { ...process.env, ...env, PERM_FIXTURE: JSON.stringify({ orgId, users, tasks }) },
    maxBuffer: 10 * 1024 * 1024,
  });
  const line = output.trim().split('\n').filter((l) => l.startsWith('{"cold"')).at(-1);
  return { tuples: n, ...JSON.parse(line) };
}

// 6. Soak -------------------------------------------------------------------------------------------------------
async function soak(appUrl, appPid, org) {
  const rssStart = rssMb(appPid);
  const auth = { authorization: `Bearer ${org.token}` };
  const r = await new Promise((resolve, reject) =>
    autocannon(
      {
        connections: 8,
        duration: SOAK,
        requests: [
          { method: 'GET', path: '/api/v1/tasks?limit=25', headers: auth },
          { method: 'GET', path: `/api/v1/tasks/${org.taskId}`, headers: auth },
        ],
        url: appUrl,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  await sleep(2000);
  return { seconds: SOAK, requests: r.requests.total, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, status5xx: r['5xx'] ?? 0, rssStartMb: rssStart, rssEndMb: rssMb(appPid) };
}

// Report ---------------------------------------------------------------------------------------------------------
function report(all) {
  const f = (n, d = 0) => (typeof n === 'number' ? n.toFixed(d) : String(n));
  const verdict = (ok) => (ok ? 'met' : '**missed**');
  const { machine: m, generation: g, http: h, rls, perms, soak: s } = all;
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(`Produced by \`npm run bench\` on ${all.date}. Medians of ${RUNS} runs unless noted. Raw figures: bench/results.json.`, '');
  lines.push('## Machine', '');
  lines.push(`- nproc: ${m.nproc}; CPU: ${m.cpuModel}; ${m.platform}; Node ${m.node}; PostgreSQL ${m.pgVersion}`);
  lines.push(`- load average at start: ${m.load}${Number(m.load.split(' ')[0]) >= Number(m.nproc) * 0.75 ? ' (other work was running: absolute figures are pessimistic; ratios are measured in the same run)' : ''}`);
  lines.push('- `free -h`:', '', '```', m.free, '```', '');
  lines.push('## 1. Generation (`platform new`, every module, --skip-install)', '');
  lines.push(`Modules: core + ${g.modules.join(', ')}. Runs (whole CLI process, wall / CPU ms): ${g.runs.map((r) => `${f(r.wallMs)} / ${f(r.cpuMs)}`).join(', ')}.`, '');
  lines.push(`Median wall **${f(g.medianMs)} ms**, CPU (user + sys) **${f(g.medianCpuMs)} ms** — target ≤ 2000 ms: wall ${verdict(g.medianMs <= 2000)}, CPU ${verdict(g.medianCpuMs <= 2000)}.`);
  lines.push(`For scale, on the same machine in the same run: \`node -e 0\` ${f(g.nodeStart.wallMs)} ms wall / ${f(g.nodeStart.cpuMs)} ms CPU; \`platform --version\` (CLI start-up alone) ${f(g.cliStart.wallMs)} ms wall / ${f(g.cliStart.cpuMs)} ms CPU.`, '');
  lines.push(`## 2. HTTP (${CONNECTIONS} connections × ${DURATION} s, ${TASKS} tasks over 2 orgs)`, '');
  lines.push('App = the generated product built for production (JWT, membership + session check, permission check, RLS transaction, audit on create, rate limiting). Baseline = bench/baseline/server.mjs: Fastify + pg, same SQL, no auth.', '');
  lines.push('| route | app req/s | app p50 | app p99 | baseline req/s | baseline p50 | baseline p99 | ratio | target | |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, target] of [['list', 0.5], ['get', 0.5], ['create', 0.4]]) {
    const x = h.summary[name];
    const p99Ok = name === 'create' || x.app.p99 <= 25;
    lines.push(`| ${name} | ${f(x.app.rps)} | ${x.app.p50} ms | ${x.app.p99} ms | ${f(x.base.rps)} | ${x.base.p50} ms | ${x.base.p99} ms | ${f(x.ratio, 2)} | ≥ ${target}${name === 'create' ? '' : ', p99 ≤ 25 ms'} | ${verdict(x.ratio >= target && p99Ok)} |`);
  }
  lines.push('', `Non-2xx or errors during the runs: app ${Object.values(h.summary).reduce((a, x) => a + x.app.bad, 0)}, baseline ${Object.values(h.summary).reduce((a, x) => a + x.base.bad, 0)}.`, '');
  lines.push(`## 3. Permission checks (${perms.tuples} tuples, chains task#org → org#admin → team#member → user)`, '');
  const p90 = (x, digits) => `${f(x.p90, digits)} ms`;
  lines.push('| | p50 | p90 | p99 | target |', '|---|---|---|---|---|');
  lines.push(`| cold (cache cleared before each check) | ${f(perms.cold.p50, 3)} ms | ${p90(perms.cold, 3)} | ${f(perms.cold.p99, 3)} ms | p99 ≤ 1 ms: ${verdict(perms.cold.p99 <= 1)} |`);
  lines.push(`| the cold check's SQL alone (pg, prepared) | ${f(perms.sqlOnly.p50, 3)} ms | ${p90(perms.sqlOnly, 3)} | ${f(perms.sqlOnly.p99, 3)} ms | |`);
  lines.push(`| warm (cached) | ${f(perms.warm.p50, 4)} ms | ${p90(perms.warm, 4)} | ${f(perms.warm.p99, 4)} ms | p99 ≤ 0.1 ms: ${verdict(perms.warm.p99 <= 0.1)} |`);
  lines.push(`| cold, denied (user in no chain) | ${f(perms.deniedCold.p50, 3)} ms | ${p90(perms.deniedCold, 3)} | ${f(perms.deniedCold.p99, 3)} ms | |`);
  lines.push(`| my-access (lookup, ${perms.myAccess.entries} entries) | ${f(perms.myAccess.p50, 1)} ms | ${p90(perms.myAccess, 1)} | ${f(perms.myAccess.p99, 1)} ms | |`);
  lines.push('', `Allowed share of the cold checks: ${f(perms.allowedRatio * 100)} % (all of them should be).`, '');
  lines.push('## 4. Cost of RLS (the list query, 1000 sequential executions)', '');
  lines.push('| | p50 | p99 |', '|---|---|---|');
  lines.push(`| owner, no transaction, no RLS | ${f(rls.plain.p50, 3)} ms | ${f(rls.plain.p99, 3)} ms |`);
  lines.push(`| owner, in a transaction, no RLS | ${f(rls.plainTx.p50, 3)} ms | ${f(rls.plainTx.p99, 3)} ms |`);
  lines.push(`| runtime role, transaction + set_config (what tenant() does), RLS on | ${f(rls.tenant.p50, 3)} ms | ${f(rls.tenant.p99, 3)} ms |`);
  lines.push('', `With the tenant context and RLS / bare query: ${f(rls.tenant.p50 / rls.plain.p50, 2)}× at p50 (${f(rls.tenant.p50 / rls.plainTx.p50, 2)}× a plain transaction). What tenancy adds is the begin/set_config/commit round trips; the policy itself is the same \`org_id = …\` predicate the query already has.`, '');
  lines.push(`## 5. Soak (${s.seconds} s, 8 connections, list + get)`, '');
  lines.push(`${s.requests} requests (${f(s.rps)} req/s), p99 ${s.p99} ms, 5xx: **${s.status5xx}**, non-2xx: ${s.non2xx}, errors: ${s.errors}. RSS ${f(s.rssStartMb)} MB at start → ${f(s.rssEndMb)} MB at end.`, '');
  if (all.notes?.length) lines.push('## Notes', '', ...all.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

// The generated product, built for production, on a fresh database, serving; then the sections that need it.
async function product(work, all) {
  const product = join(work, 'bench-product');
  sh(process.execPath, [join(ROOT, 'bin', 'run.js'), 'new', 'bench-product', '--spec', join(ROOT, 'examples', 'acme-crm.yaml'), '--dir', product, '--skip-install', '--yes'], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(product, 'node_modules'), 'dir');
  log('building the product');
  sh('npm', ['run', 'build'], { cwd: product });
  const { databaseUrl, appDatabaseUrl } = await database(work, product);
  const owner = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  cleanups.push(() => owner.end());
  all.machine.pgVersion = (await owner.query('show server_version')).rows[0].server_version;

  const appPort = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    APP_DATABASE_URL: appDatabaseUrl,
    JWT_SECRET: randomBytes(48).toString('base64'),
    LOG_LEVEL: 'warn',
    REDIS_URL: '',
    // The limiter runs (its cost is measured) but one benchmark user must not be throttled.
    RATE_LIMIT_USER_POINTS: '1000000000',
    RATE_LIMIT_TENANT_POINTS: '1000000000',
    RATE_LIMIT_ENDPOINT_POINTS: '1000000000',
    RATE_LIMIT_IP_POINTS: '1000000000',
  };
  const app = start(process.execPath, ['dist/main.js'], { cwd: product, env: { ...env, PORT: String(appPort), HOST: '127.0.0.1' } });
  const appUrl = `http://127.0.0.1:${appPort}`;
  await waitFor(`${appUrl}/health/ready`, app);
  log('seeding');
  const orgs = await seed(appUrl, owner);
  const [one] = orgs;

  const basePort = await freePort();
  const baseline = start(process.execPath, [join(ROOT, 'bench', 'baseline', 'server.mjs')], {
    cwd: product,
    env: { ...process.env, DATABASE_URL: databaseUrl, ORG_ID: one.orgId, USER_ID: one.userId, PORT: String(basePort) },
  });
  const baseUrl = `http://127.0.0.1:${basePort}`;
  await waitFor(`${baseUrl}/tasks/${one.taskId}`, baseline);

  // Warm both up before measuring.
  await cannon({ url: `${appUrl}/api/v1/tasks?limit=25`, headers: { authorization: `Bearer ${one.token}` }, duration: 3 });
  await cannon({ url: `${baseUrl}/tasks?limit=25`, duration: 3 });
  if (runs('http')) {
    all.http = await http(appUrl, baseUrl, one);
    // The create runs added tens of thousands of tasks (the baseline's most): back to the seeded 10 000, so that
    // the sections below read the same data as the list and get runs did.
    const { rowCount } = await owner.query('delete from tasks where title = $1', [CREATED_TITLE]);
    await owner.query('vacuum analyze tasks');
    log(`removed the ${rowCount} tasks the create runs added`);
  }
  if (runs('rls')) {
    all.rls = await rlsCost(databaseUrl, appDatabaseUrl, one);
    log(`rls: plain p50 ${all.rls.plain.p50.toFixed(3)} ms, tenant p50 ${all.rls.tenant.p50.toFixed(3)} ms`);
  }
  if (runs('soak')) {
    all.soak = await soak(appUrl, app.pid, one);
    log(`soak: ${all.soak.requests} requests, 5xx ${all.soak.status5xx}, RSS ${all.soak.rssStartMb.toFixed(0)} → ${all.soak.rssEndMb.toFixed(0)} MB`);
  }
  if (runs('perms')) {
    all.perms = await permissions(owner, product, env);
    log(`permissions: cold p99 ${all.perms.cold.p99.toFixed(3)} ms, warm p99 ${all.perms.warm.p99.toFixed(4)} ms`);
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'platform-bench-'));
  chmodSync(work, 0o755); // an embedded server runs as the `postgres` OS user when we are root: it must reach pgdata
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const all = { date: new Date().toISOString(), machine: machine() };
  log(`machine: ${all.machine.nproc} CPUs, ${all.machine.cpuModel}, node ${all.machine.node}, load ${all.machine.load}`);

  if (runs('generation')) {
    all.generation = await generation(work);
    log(`generation median ${all.generation.medianMs.toFixed(0)} ms`);
  }
  if (['http', 'rls', 'soak', 'perms'].some(runs)) await product(work, all);
  all.notes = process.env.BENCH_NOTES ? process.env.BENCH_NOTES.split('|') : [];
  if (ONLY) {
    const { machine: _machine, ...figures } = all;
    console.log(JSON.stringify(figures, null, 2));
    return;
  }

  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(all, null, 2)}\n`);
  // The hand-written analysis at the end of RESULTS.md survives a re-run.
  const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  const analysis = previous.indexOf(ANALYSIS_HEADING) >= 0 ? previous.slice(previous.indexOf(ANALYSIS_HEADING)) : '';
  writeFileSync(resultsFile, `${report(all)}\n${analysis}`);
  log('wrote bench/RESULTS.md and bench/results.json');
}

try {
  await main();
} finally {
  for (const fn of cleanups.reverse()) await fn().catch((error) => log(`cleanup: ${error.message}`));
}
