import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestContext } from '../../src/core/context/request-context.js';
import type { PlatformEvent } from '../../src/core/platform/platform-module.js';
import { asOwner as asTestOwner, registerUser } from './support/api.js';
import { eventually, newOrgId, type OutboxKernel, outboxKernel, sleep } from './support/outbox.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database.js';
import { spawnWorker, waitForLog } from './support/spawn-worker.js';

/**
 * At-least-once delivery of outbox events: retries with backoff, events of a process that died after its commit,
 * relays that share the work without ever delivering an event twice at once, BullMQ on Redis (when REDIS_URL is set;
 * otherwise the same scenarios run in process), and the worker process.
 *
 * The relay tests run in a database of their own: the app under test relays too, and would deliver their events.
 */

const redisUrl = process.env.REDIS_URL?.trim() || undefined;
const transport = redisUrl ? `BullMQ on ${redisUrl}` : 'in process (REDIS_URL unset)';

let db: ScratchDatabase;
const kernels: OutboxKernel[] = [];

function kernel(env: Record<string, string> = {}): OutboxKernel {
  const k = outboxKernel(db.appDatabaseUrl, env);
  kernels.push(k);
  return k;
}

async function row(id: string): Promise<Record<string, any>> {
  return (await db.asOwner('select * from outbox_events where id = $1', [id]))[0]!;
}

/** Inserts an undispatched event as the owner, as a process that committed and died before delivering leaves it. */
async function orphan(orgId: string, type: string, payload: object = {}, leaseMs = 0): Promise<string> {
  const [inserted] = await db.asOwner<{ id: string }>(
    `insert into outbox_events (org_id, type, payload, next_attempt_at) values ($1, $2, $3, now() + $4 * interval '1 millisecond') returning id`,
    [orgId, type, JSON.stringify(payload), leaseMs],
  );
  return inserted!.id;
}

beforeAll(async () => {
  db = await createScratchDatabase('relay');
});

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.close()));
});

afterAll(async () => {
  await db?.drop();
});

describe('outbox relay', () => {
  it('retries a failing subscriber with backoff until it succeeds; the event ends dispatched with its attempts recorded', async () => {
    const k = kernel();
    const org = newOrgId();
    const calls: { orgId?: string; at: number; payload: unknown }[] = [];
    k.bus.subscribe('test.flaky', (event) => {
      calls.push({ orgId: RequestContext.find()?.orgId, at: Date.now(), payload: event.payload });
      if (calls.length <= 2) throw new Error(`boom ${calls.length}`);
    });
    k.relay.start();

    const id = await k.publish(org, 'test.flaky', { n: 1 });
    const done = await eventually('the event to be dispatched', async () => {
      const r = await row(id);
      return r.dispatched_at ? r : undefined;
    });
    expect(done).toMatchObject({ attempts: 3, last_error: 'boom 2', failed_at: null });
    expect(calls.map((c) => c.orgId)).toEqual([org, org, org]);
    expect(calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
    // Exponential backoff with equal jitter (base 100 ms): at least 50 ms, then at least 100 ms.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(50);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(100);
  });

  it('gives up after OUTBOX_MAX_ATTEMPTS, recording the last error, and delivers it no more', async () => {
    const k = kernel({ OUTBOX_MAX_ATTEMPTS: '3' });
    let calls = 0;
    k.bus.subscribe('test.doomed', () => {
      calls++;
      throw new Error(`still failing (${calls})`);
    });
    k.relay.start();

    const id = await k.publish(newOrgId(), 'test.doomed');
    const given = await eventually('the event to be given up on', async () => {
      const r = await row(id);
      return r.failed_at ? r : undefined;
    });
    expect(given).toMatchObject({ attempts: 3, last_error: 'still failing (3)', dispatched_at: null });
    await sleep(600);
    expect(calls).toBe(3);
  });

  it('delivers an event whose process died after the commit: at once when due, after the lease when it held one', async () => {
    const k = kernel();
    const org = newOrgId();
    const seen: { event: PlatformEvent; orgId?: string; at: number }[] = [];
    k.bus.subscribe('test.orphan', (event) => {
      seen.push({ event, orgId: RequestContext.find()?.orgId, at: Date.now() });
    });
    const due = await orphan(org, 'test.orphan', { k: 'due' });
    const leasedAt = Date.now();
    const leased = await orphan(org, 'test.orphan', { k: 'leased' }, 1_500);
    k.relay.start();

    await eventually('both events to be dispatched', async () => (await row(due)).dispatched_at && (await row(leased)).dispatched_at);
    expect(seen.map((s) => s.event.payload)).toEqual([{ k: 'due' }, { k: 'leased' }]);
    expect(seen[0]).toMatchObject({ orgId: org, event: { id: due, orgId: org, type: 'test.orphan', actorId: null } });
    expect(seen[1]!.at - leasedAt).toBeGreaterThanOrEqual(1_400);
    expect(await row(due)).toMatchObject({ attempts: 1, last_error: null });
  });

  it('claims of concurrent transactions are disjoint and do not wait for each other (FOR UPDATE SKIP LOCKED)', async () => {
    const org = newOrgId();
    for (let i = 0; i < 10; i++) await orphan(org, 'test.claimed');
    const first = new pg.Client({ connectionString: db.appDatabaseUrl });
    const second = new pg.Client({ connectionString: db.appDatabaseUrl });
    await Promise.all([first.connect(), second.connect()]);
    try {
      await first.query('begin');
      const a = (await first.query<{ id: string; org_id: string }>('select * from outbox_claim_due(4, 60000)')).rows;
      // The first transaction still holds its rows: the second claim skips them instead of waiting.
      await second.query(`set statement_timeout = '2s'`);
      const b = (await second.query<{ id: string; org_id: string }>('select * from outbox_claim_due(100, 60000)')).rows;
      await first.query('commit');
      expect(a).toHaveLength(4);
      expect(b.length).toBeGreaterThanOrEqual(6);
      expect(a.filter((r) => b.some((s) => s.id === r.id))).toEqual([]);
      expect(new Set([...a, ...b].map((r) => r.org_id))).toEqual(new Set([org]));
      // Both are leased now: nothing is due.
      expect((await second.query('select * from outbox_claim_due(100, 60000)')).rows).toEqual([]);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });

  it('two relays share the due events and never deliver one twice, nor at the same time', async () => {
    const relays = [kernel({ OUTBOX_BATCH_SIZE: '5', OUTBOX_CONCURRENCY: '5' }), kernel({ OUTBOX_BATCH_SIZE: '5', OUTBOX_CONCURRENCY: '5' })];
    const deliveries = new Map<string, number[]>();
    const active = new Set<string>();
    const overlaps: string[] = [];
    relays.forEach((k, index) =>
      k.bus.subscribe('test.shared', async (event) => {
        if (active.has(event.id)) overlaps.push(event.id);
        active.add(event.id);
        deliveries.set(event.id, [...(deliveries.get(event.id) ?? []), index]);
        await sleep(15);
        active.delete(event.id);
      }),
    );
    const orgs = [newOrgId(), newOrgId(), newOrgId()];
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await orphan(orgs[i % orgs.length]!, 'test.shared'));
    relays.forEach((k) => k.relay.start());

    await eventually(
      'all 60 events to be dispatched',
      async () => (await db.asOwner<{ n: number }>('select count(*)::int as n from outbox_events where id = any($1) and dispatched_at is not null', [ids]))[0]!.n === 60,
      20_000,
    );
    expect(overlaps).toEqual([]);
    expect([...deliveries.keys()].sort()).toEqual([...ids].sort());
    expect([...deliveries.values()].filter((by) => by.length !== 1)).toEqual([]);
    const byRelay = [0, 1].map((index) => [...deliveries.values()].filter((by) => by[0] === index).length);
    expect(byRelay[0]! + byRelay[1]!).toBe(60);
    expect(Math.min(...byRelay)).toBeGreaterThan(0);
  });

  it('stop() lets the deliveries under way finish and record their outcome', async () => {
    const k = kernel();
    let started = false;
    let finished = false;
    k.bus.subscribe('test.slow', async () => {
      started = true;
      await sleep(500);
      finished = true;
    });
    const id = await orphan(newOrgId(), 'test.slow');
    k.relay.start();
    await eventually('the subscriber to start', () => started);
    await k.relay.stop();
    expect(finished).toBe(true);
    expect(await row(id)).toMatchObject({ attempts: 1, dispatched_at: expect.any(Date) });
  });
});

describe(`delivery ${transport}`, () => {
  const prefix = `outbox-test-${randomBytes(4).toString('hex')}`;
  const env = { REDIS_URL: redisUrl ?? '', EVENTS_QUEUE_PREFIX: prefix };

  afterAll(async () => {
    if (!redisUrl) return;
    const queue = new Queue('events', { connection: { url: redisUrl }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('publishes, delivers after the commit and retries a failed subscriber', async () => {
    const k = kernel(env);
    expect(k.relay.transport).toBe(redisUrl ? 'bullmq' : 'in-process');
    const org = newOrgId();
    const calls: (string | undefined)[] = [];
    k.bus.subscribe('test.queued', () => {
      calls.push(RequestContext.find()?.orgId);
      if (calls.length === 1) throw new Error('first try fails');
    });
    k.relay.start();

    const id = await k.publish(org, 'test.queued', { via: transport });
    await eventually('the event to be dispatched', async () => (await row(id)).dispatched_at);
    expect(await row(id)).toMatchObject({ attempts: 2, last_error: 'first try fails', failed_at: null });
    expect(calls).toEqual([org, org]);
  });

  it('an event sent on twice is delivered once', async () => {
    const k = kernel(env);
    let calls = 0;
    k.bus.subscribe('test.twice', async () => {
      calls++;
      await sleep(300);
    });
    const org = newOrgId();
    if (redisUrl) {
      // Job id = event id: enqueueing an event already waiting in the queue adds nothing.
      const id = await orphan(org, 'test.twice');
      await k.queue.enqueue([{ id, orgId: org }]);
      await k.queue.enqueue([{ id, orgId: org }]);
      const queue = new Queue('events', { connection: { url: redisUrl }, prefix });
      try {
        expect(await queue.getWaitingCount()).toBe(1);
        expect((await queue.getWaiting()).map((job) => job.id)).toEqual([id]);
      } finally {
        await queue.close();
      }
      k.relay.start();
      await eventually('the event to be dispatched', async () => (await row(id)).dispatched_at);
    } else {
      // The publisher holds the lease while it delivers: another relay finds nothing to claim.
      const other = kernel(env);
      other.bus.subscribe('test.twice', () => {
        calls++;
      });
      const id = await k.publish(org, 'test.twice');
      await sleep(50);
      expect(await other.relay.relayOnce()).toBe(0);
      await k.bus.drain();
      expect((await row(id)).dispatched_at).not.toBeNull();
    }
    await sleep(200);
    expect(calls).toBe(1);
  });
});

describe('RLS: the relay claims across orgs through outbox_claim_due only', () => {
  let scratch: ScratchDatabase;
  const owner = `outbox_owner_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    scratch = await createScratchDatabase('rls');
    // On managed PostgreSQL the migration owner is no superuser: FORCE ROW LEVEL SECURITY applies to it as well.
    await scratch.asOwner(`create role ${owner} nologin nosuperuser nobypassrls`);
    await scratch.asOwner(`grant usage on schema public to ${owner}`);
    await scratch.asOwner(`alter table outbox_events owner to ${owner}`);
    await scratch.asOwner(`alter function outbox_claim_due(integer, integer) owner to ${owner}`);
    await scratch.asOwner(`alter policy outbox_relay_claim_select on outbox_events to ${owner}`);
    await scratch.asOwner(`alter policy outbox_relay_claim_update on outbox_events to ${owner}`);
  });

  afterAll(async () => {
    await scratch?.drop();
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`drop role if exists ${owner}`).finally(() => admin.end());
  });

  /** A session of the runtime role with `app.current_org_id` = `orgId` for the whole session. */
  async function runtimeSession(orgId: string) {
    const client = new pg.Client({ connectionString: scratch.appDatabaseUrl });
    await client.connect();
    await client.query(`select set_config('app.current_org_id', $1, false)`, [orgId]);
    return {
      query: async <R extends Record<string, any>>(sql: string, params: unknown[] = []) => (await client.query<R>(sql, params)).rows,
      end: () => client.end(),
    };
  }
  async function asRuntime<R extends Record<string, any>>(orgId: string, sql: string, params: unknown[] = []): Promise<R[]> {
    const session = await runtimeSession(orgId);
    try {
      return await session.query<R>(sql, params);
    } finally {
      await session.end();
    }
  }

  it('a non-superuser owner claims the events of every org; outside the function it sees none, nor does the runtime role', async () => {
    const [a, b] = [newOrgId(), newOrgId()];
    const insert = `insert into outbox_events (org_id, type, payload) values ($1, 'test.rls', '{}') returning id`;
    const [ea] = await asRuntime<{ id: string }>(a, insert, [a]);
    const [eb] = await asRuntime<{ id: string }>(b, insert, [b]);

    const noOrg = await runtimeSession('');
    try {
      // The runtime role sees one org at a time, whatever it sets.
      expect(await asRuntime(a, 'select id from outbox_events')).toEqual([{ id: ea!.id }]);
      await noOrg.query(`set app.outbox_relay = 'claim'`);
      expect(await noOrg.query('select id from outbox_events')).toEqual([]);
      await noOrg.query('reset app.outbox_relay');

      // So does the owner outside outbox_claim_due.
      const admin = new pg.Client({ connectionString: scratch.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`set role ${owner}`);
        expect((await admin.query('select count(*)::int as n from outbox_events')).rows).toEqual([{ n: 0 }]);
      } finally {
        await admin.end();
      }

      // Through it, with no org set: the ids and org ids of both orgs, nothing else; the setting does not outlive it.
      const claimed = await noOrg.query<{ id: string; org_id: string }>('select * from outbox_claim_due(100, 1000)');
      const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
      expect(claimed.map((c) => ({ ...c })).sort(byId)).toEqual(
        [
          { id: ea!.id, org_id: a },
          { id: eb!.id, org_id: b },
        ].sort(byId),
      );
      const [after] = await noOrg.query<{ v: string | null }>(`select current_setting('app.outbox_relay', true) as v`);
      expect(after!.v ?? '').toBe('');
    } finally {
      await noOrg.end();
    }

    // Any other role that can connect to the database may not call it (EXECUTE is revoked from PUBLIC).
    const stranger = `outbox_stranger_${randomBytes(4).toString('hex')}`;
    await scratch.asOwner(`create role ${stranger} nologin nosuperuser nobypassrls`);
    const admin = new pg.Client({ connectionString: scratch.databaseUrl });
    await admin.connect();
    try {
      await admin.query(`grant usage on schema public to ${stranger}`);
      await admin.query(`set role ${stranger}`);
      await expect(admin.query('select * from outbox_claim_due(100, 1000)')).rejects.toThrow(/permission denied for function outbox_claim_due/);
    } finally {
      await admin.end();
      await scratch.asOwner(`drop owned by ${stranger}`);
      await scratch.asOwner(`drop role ${stranger}`);
    }

    // The relay then reads and records each event in its own org.
    const k = outboxKernel(scratch.appDatabaseUrl);
    try {
      const seen: string[] = [];
      k.bus.subscribe('test.rls', (event) => void seen.push(event.orgId));
      await sleep(1_100); // the claim above leased them for a second
      await k.relay.relayOnce();
      expect(seen.sort()).toEqual([a, b].sort());
      expect(await asRuntime(b, 'select attempts, dispatched_at is not null as dispatched from outbox_events')).toEqual([{ attempts: 1, dispatched: true }]);
    } finally {
      await k.close();
    }
  });
});

describe('the worker process (node dist/worker.js)', () => {
  let scratch: ScratchDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('worker');
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  it(`starts, delivers what the outbox holds (${transport}) and exits 0 on SIGTERM, logging JSON`, async () => {
    const ids: string[] = [];
    for (const type of ['test.worker.a', 'test.worker.b', 'test.worker.c']) {
      const [inserted] = await scratch.asOwner<{ id: string }>(`insert into outbox_events (org_id, type, payload) values ($1, $2, '{}') returning id`, [
        randomUUID(),
        type,
      ]);
      ids.push(inserted!.id);
    }
    const prefix = `outbox-test-${randomBytes(4).toString('hex')}`;
    const worker = spawnWorker({
      DATABASE_URL: scratch.databaseUrl,
      APP_DATABASE_URL: scratch.appDatabaseUrl,
      REDIS_URL: redisUrl ?? '',
      EVENTS_QUEUE_PREFIX: prefix,
      OUTBOX_POLL_MS: '100',
    });
    try {
      expect(await waitForLog(worker, 'worker started')).toMatchObject({ level: 'log', context: 'Worker', transport: redisUrl ? 'bullmq' : 'in-process' });
      await eventually('the worker to dispatch the events', async () => {
        const rows = await scratch.asOwner<{ n: number }>('select count(*)::int as n from outbox_events where id = any($1) and dispatched_at is not null', [ids]);
        return rows[0]!.n === ids.length;
      });
      expect(await worker.stop()).toEqual({ code: 0, signal: null });
      const lines = worker.logLines();
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['worker started', 'worker stopping', 'worker stopped']));
      expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    } finally {
      await worker.stop();
      if (redisUrl) {
        const queue = new Queue('events', { connection: { url: redisUrl }, prefix });
        await queue.obliterate({ force: true }).finally(() => queue.close());
      }
    }
  });

  it.each([
    ['the database', { DATABASE_URL: 'postgres://app_runtime:app_runtime@127.0.0.1:1/nowhere', APP_DATABASE_URL: 'postgres://app_runtime:app_runtime@127.0.0.1:1/nowhere', REDIS_URL: '' }, /database/],
    ['Redis (REDIS_URL)', { REDIS_URL: 'redis://127.0.0.1:1' }, /Redis/],
  ])('exits 1 with a fatal JSON log line when it cannot reach %s', async (_, env, reason) => {
    const worker = spawnWorker({ ...env, WORKER_STARTUP_TIMEOUT_MS: '1500', DATABASE_CONNECT_TIMEOUT_MS: '500' });
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.logLines().find((l) => l.level === 'fatal')).toMatchObject({ context: 'Worker', msg: 'worker failed to start', error: expect.stringMatching(reason) });
  });
});

describe('the app under test', () => {
  it('delivers the events it publishes (registration: user.registered, org.created) right after the commit', async () => {
    const { org } = await registerUser();
    const rows = await eventually('the registration events to be dispatched', async () => {
      const found = await asTestOwner<{ type: string; attempts: number; dispatched: boolean }>(
        'select type, attempts, dispatched_at is not null as dispatched from outbox_events where org_id = $1 order by type',
        [org.id],
      );
      return found.length >= 2 && found.every((r) => r.dispatched) ? found : undefined;
    });
    expect(rows).toEqual([
      { type: 'org.created', attempts: 1, dispatched: true },
      { type: 'user.registered', attempts: 1, dispatched: true },
    ]);
  });
});
