import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/domain-errors.js';
import { foldBracketKeys, parseOrThrow } from '../http/zod.js';
import { defineListQuery } from './list-query.js';

const tasks = defineListQuery({
  sortable: ['created_at', 'due_date', 'title'],
  defaultSort: 'created_at:desc',
  searchable: ['title', 'description'],
  filterable: {
    status: { field: 'status', type: 'string' },
    assignee_id: { field: 'assigneeId', type: 'uuid' },
    due_date: { field: 'dueDate', type: 'date' },
    archived: { field: 'archived', type: 'boolean' },
  },
  extra: { view: z.enum(['kanban', 'list']).optional() },
});

/** What ValidQuery does: fold Fastify's flat `filter[x]` keys, then parse strictly. */
const parse = (query: Record<string, unknown>) => parseOrThrow(tasks.schema, foldBracketKeys(query));

function validationDetails(fn: () => unknown): unknown[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details ?? [];
  }
  throw new Error('expected a ValidationError');
}

describe('defineListQuery', () => {
  it('defaults page 1, limit 25 and the default sort (with an id tie-breaker)', () => {
    const q = parse({});
    expect(q).toMatchObject({ page: 1, limit: 25 });
    expect(tasks.toPrisma(q)).toEqual({ where: {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: 0, take: 25 });
  });

  it('coerces page and limit and caps limit at 100', () => {
    expect(tasks.toPrisma(parse({ page: '3', limit: '10' }))).toMatchObject({ skip: 20, take: 10 });
    expect(validationDetails(() => parse({ limit: '101' }))).toEqual([{ field: 'limit', message: expect.any(String) }]);
    expect(validationDetails(() => parse({ page: '0' }))).toEqual([{ field: 'page', message: expect.any(String) }]);
  });

  it('sorts by allow-listed fields only, mapping to Prisma names', () => {
    expect(tasks.toPrisma(parse({ sort: 'due_date:asc' })).orderBy).toEqual([{ dueDate: 'asc' }, { id: 'asc' }]);
    expect(tasks.toPrisma(parse({ sort: 'title' })).orderBy).toEqual([{ title: 'asc' }, { id: 'asc' }]);
    for (const sort of ['password_hash:asc', 'title:sideways', "title; drop table tasks", 'created_at:desc,org_id:asc']) {
      expect(validationDetails(() => parse({ sort }))).toEqual([{ field: 'sort', message: expect.stringContaining('created_at') }]);
    }
  });

  it('filters: comma lists become `in`, gte/lte ranges, typed values', () => {
    const q = parse({
      'filter[status]': 'todo,in_progress',
      'filter[due_date.gte]': '2026-01-01',
      'filter[due_date.lte]': '2026-12-31T23:59:59Z',
      'filter[archived]': 'false',
    });
    expect(tasks.toPrisma(q).where).toEqual({
      AND: [
        { status: { in: ['todo', 'in_progress'] } },
        { dueDate: { gte: new Date('2026-01-01') } },
        { dueDate: { lte: new Date('2026-12-31T23:59:59Z') } },
        { archived: false },
      ],
    });
  });

  it('rejects unknown filter fields, operators and bad values with the field named', () => {
    expect(validationDetails(() => parse({ 'filter[org_id]': 'x' }))).toEqual([
      { field: 'filter.org_id', message: expect.stringContaining('Unknown filter field') },
    ]);
    expect(validationDetails(() => parse({ 'filter[status.gte]': 'a' }))).toEqual([
      { field: 'filter.status.gte', message: expect.any(String) },
    ]);
    expect(validationDetails(() => parse({ 'filter[assignee_id]': "1' or '1'='1" }))).toEqual([
      { field: 'filter.assignee_id', message: 'Must be a UUID' },
    ]);
    expect(validationDetails(() => parse({ 'filter[due_date.gte]': 'yesterday' }))).toEqual([
      { field: 'filter.due_date.gte', message: expect.any(String) },
    ]);
  });

  it('searches case-insensitively over the searchable fields', () => {
    expect(tasks.toPrisma(parse({ search: '  Acme ' })).where).toEqual({
      AND: [{ OR: [{ title: { contains: 'Acme', mode: 'insensitive' } }, { description: { contains: 'Acme', mode: 'insensitive' } }] }],
    });
  });

  it('searches for %, _ and \\ literally (escaped for ILIKE), not as wildcards', () => {
    expect(tasks.toPrisma(parse({ search: '50%_off\\' })).where).toEqual({
      AND: [{ OR: [{ title: { contains: '50\\%\\_off\\\\', mode: 'insensitive' } }, { description: { contains: '50\\%\\_off\\\\', mode: 'insensitive' } }] }],
    });
  });

  it('accepts declared extras and rejects unknown parameters (strict)', () => {
    expect(parse({ view: 'kanban' }).view).toBe('kanban');
    expect(validationDetails(() => parse({ view: 'pie' }))).toEqual([{ field: 'view', message: expect.any(String) }]);
    expect(validationDetails(() => parse({ org_id: 'x' }))).toEqual([{ field: 'org_id', message: 'Unknown field' }]);
  });

  it('paginates with exact meta', () => {
    const q = parse({ page: '2', limit: '10' });
    expect(tasks.paginate(['a'], 21, q).meta).toEqual({ page: 2, limit: 10, total: 21, totalPages: 3, hasNext: true, hasPrev: true });
    expect(tasks.paginate([], 0, parse({})).meta).toEqual({ page: 1, limit: 25, total: 0, totalPages: 0, hasNext: false, hasPrev: false });
  });

  it('refuses a default sort outside the allow-list at definition time', () => {
    expect(() => defineListQuery({ sortable: ['title'], defaultSort: 'created_at:desc', searchable: [], filterable: {} })).toThrow(/defaultSort/);
  });
});

describe('foldBracketKeys', () => {
  it('folds name[key] into objects and leaves prototypes alone', () => {
    expect(foldBracketKeys({ page: '2', 'filter[status]': 'a', 'filter[due.gte]': 'b' })).toEqual({ page: '2', filter: { status: 'a', 'due.gte': 'b' } });
    const folded = foldBracketKeys({ '__proto__[page]': '5', 'filter[__proto__]': 'x' });
    expect(Object.getPrototypeOf(folded)).toBe(Object.prototype);
    expect((folded as { page?: unknown }).page).toBeUndefined();
    expect(validationDetails(() => parse({ '__proto__[limit]': '1000' }))).toEqual([{ field: '__proto__[limit]', message: 'Unknown field' }]);
  });
});
