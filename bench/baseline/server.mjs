// Baseline for `npm run bench`: the SQL the product's task routes run, served by bare Fastify + pg —
// no authentication, no permission check, no RLS context, no audit, no validation library.
// Usage: DATABASE_URL=... ORG_ID=... USER_ID=... PORT=... node bench/baseline/server.mjs
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const orgId = process.env.ORG_ID;
const userId = process.env.USER_ID;
const app = Fastify({ logger: false });

const COLUMNS = `id, title, description, status, priority, due_date, board_id, column_id, parent_id, position, assignee_id,
  created_by, created_at, updated_at`;

app.get('/tasks', async (request) => {
  const limit = Math.min(100, Number(request.query.limit ?? 25));
  const page = Math.max(1, Number(request.query.page ?? 1));
  const where = 'org_id = $1 and deleted_at is null and parent_id is null';
  const [rows, total] = await Promise.all([
    pool.query(`select ${COLUMNS} from tasks where ${where} order by created_at desc, id desc limit $2 offset $3`, [orgId, limit, (page - 1) * limit]),
    pool.query(`select count(*)::int as n from tasks where ${where}`, [orgId]),
  ]);
  const n = total.rows[0].n;
  return { data: rows.rows, meta: { page, limit, total: n, totalPages: Math.ceil(n / limit), hasNext: page * limit < n, hasPrev: page > 1 } };
});

app.get('/tasks/:id', async (request, reply) => {
  const { rows } = await pool.query(`select ${COLUMNS} from tasks where id = $1 and org_id = $2 and deleted_at is null`, [request.params.id, orgId]);
  if (rows.length === 0) return reply.code(404).send({ error: { code: 'NOT_FOUND' } });
  return rows[0];
});

app.post('/tasks', async (request, reply) => {
  const { title, board_id: boardId, column_id: columnId } = request.body;
  const { rows } = await pool.query(
    `insert into tasks (org_id, title, status, board_id, column_id, position, created_by)
     values ($1, $2, 'todo', $3, $4, coalesce((select max(position) from tasks
                where org_id = $1 and board_id = $3 and column_id = $4 and parent_id is null and deleted_at is null), 0) + 1, $5)
     returning ${COLUMNS}`,
    [orgId, title, boardId, columnId, userId],
  );
  return reply.code(201).send(rows[0]);
});

await app.listen({ port: Number(process.env.PORT ?? 3100), host: '127.0.0.1' });
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
