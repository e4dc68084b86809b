import { z } from 'zod';
import { paginatedSchema } from '../http/zod.js';

export type FilterType = 'string' | 'uuid' | 'date' | 'number' | 'boolean';

export interface FilterableField {
  /** Prisma field name the API field maps to. */
  field: string;
  type: FilterType;
}

/** The extra query parameters of a list endpoint that has none. */
export type NoExtraParams = Record<never, never>;

export interface ListQueryDefinition<E extends z.ZodRawShape = NoExtraParams> {
  /** API (snake_case) fields a client may sort by. */
  sortable: string[];
  /** `field:asc|desc`, e.g. `created_at:desc`. */
  defaultSort: string;
  /** Prisma fields searched (case-insensitive contains) by `search`. */
  searchable: string[];
  /** API field → Prisma field and value type, for `filter[field]=a,b`, `filter[field.gte]=`, `filter[field.lte]=`. */
  filterable: Record<string, FilterableField>;
  /** API field → Prisma field for sorting; default: the API field in camelCase. */
  sortFields?: Record<string, string>;
  /** Extra query parameters of this list (e.g. `view`). */
  extra?: E;
  /** Prisma field appended to every order for stable pages; `false` for none. Default `id`. */
  tieBreaker?: string | false;
}

export interface ListQueryBase {
  page: number;
  limit: number;
  sort?: string;
  search?: string;
  filter?: Record<string, string>;
}

export type ListQueryOf<E extends z.ZodRawShape> = ListQueryBase & z.output<z.ZodObject<E>>;

export interface PrismaListArgs {
  where: Record<string, unknown>;
  orderBy: Record<string, 'asc' | 'desc'>[];
  skip: number;
  take: number;
}

export interface PageMeta {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
  hasNext: boolean;
  hasPrev: boolean;
}

export interface Paginated<T> {
  data: T[];
  meta: PageMeta;
}

export interface ListQuery<E extends z.ZodRawShape = NoExtraParams> {
  schema: z.ZodType<ListQueryOf<E>>;
  toPrisma(q: ListQueryBase): PrismaListArgs;
  paginate<T>(data: T[], total: number, q: ListQueryBase): Paginated<T>;
}

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 25;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SORT_TERM = /^([a-z][a-z0-9_]*)(?::(asc|desc))?$/;

const camelCase = (field: string) => field.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function parseSort(sort: string): { field: string; direction: 'asc' | 'desc' }[] | undefined {
  const terms = sort.split(',').map((term) => SORT_TERM.exec(term.trim()));
  if (terms.length === 0 || terms.some((t) => !t)) return undefined;
  return terms.map((t) => ({ field: t![1]!, direction: (t![2] ?? 'asc') as 'asc' | 'desc' }));
}

function parseValue(type: FilterType, raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (type) {
    case 'string':
      return { ok: true, value: raw };
    case 'uuid':
      return UUID.test(raw) ? { ok: true, value: raw.toLowerCase() } : { ok: false, message: 'Must be a UUID' };
    case 'number': {
      const value = Number(raw);
      return raw.trim() !== '' && Number.isFinite(value) ? { ok: true, value } : { ok: false, message: 'Must be a number' };
    }
    case 'boolean':
      return raw === 'true' || raw === 'false' ? { ok: true, value: raw === 'true' } : { ok: false, message: 'Must be true or false' };
    case 'date': {
      const value = new Date(raw);
      return /^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(value.getTime())
        ? { ok: true, value }
        : { ok: false, message: 'Must be an ISO 8601 date' };
    }
  }
}

interface ParsedFilter {
  field: string;
  op: 'in' | 'gte' | 'lte';
  values: unknown[];
}

/** Validates `filter` keys and values against the allow-list; returns parsed filters or field errors. */
function parseFilters(
  filter: Record<string, string>,
  filterable: Record<string, FilterableField>,
): { filters: ParsedFilter[]; errors: { field: string; message: string }[] } {
  const filters: ParsedFilter[] = [];
  const errors: { field: string; message: string }[] = [];
  for (const [key, raw] of Object.entries(filter)) {
    const [apiField, op = 'in', ...rest] = key.split('.');
    const spec = apiField ? filterable[apiField] : undefined;
    if (!spec || rest.length > 0) {
      errors.push({ field: `filter.${key}`, message: `Unknown filter field; allowed: ${Object.keys(filterable).join(', ') || 'none'}` });
      continue;
    }
    if (op !== 'in' && op !== 'gte' && op !== 'lte') {
      errors.push({ field: `filter.${key}`, message: 'Unknown filter operator; allowed: gte, lte' });
      continue;
    }
    if (op !== 'in' && spec.type !== 'date' && spec.type !== 'number') {
      errors.push({ field: `filter.${key}`, message: `Operator ${op} applies to date and number fields only` });
      continue;
    }
    const parts = op === 'in' ? raw.split(',').map((v) => v.trim()).filter((v) => v !== '') : [raw.trim()];
    if (parts.length === 0 || parts.length > 100) {
      errors.push({ field: `filter.${key}`, message: 'Must hold 1 to 100 values' });
      continue;
    }
    const values: unknown[] = [];
    for (const part of parts) {
      const parsed = parseValue(spec.type, part);
      if (parsed.ok) values.push(parsed.value);
      else errors.push({ field: `filter.${key}`, message: parsed.message });
    }
    filters.push({ field: spec.field, op, values });
  }
  return { filters, errors };
}

/**
 * A list endpoint's query: `page`, `limit` (≤ 100), `sort=field:asc|desc` (allow-list), `search`,
 * `filter[field]=a,b`, `filter[field.gte]=`, `filter[field.lte]=`. Anything outside the allow-lists is a
 * 400 VALIDATION_ERROR naming the parameter, never a database error.
 */
export function defineListQuery<E extends z.ZodRawShape = NoExtraParams>(definition: ListQueryDefinition<E>): ListQuery<E> {
  const sortFields: Record<string, string> = Object.fromEntries(
    definition.sortable.map((field) => [field, definition.sortFields?.[field] ?? camelCase(field)]),
  );
  const defaultSort = parseSort(definition.defaultSort);
  if (!defaultSort || defaultSort.some((t) => !(t.field in sortFields))) {
    throw new Error(`defaultSort "${definition.defaultSort}" must name sortable fields`);
  }
  const tieBreaker = definition.tieBreaker ?? 'id';

  const filterValue = z.union([z.string(), z.array(z.string()).transform((values) => values.join(','))]);

  const schema = z
    .object({
      page: z.coerce.number().int().min(1).default(1),
      limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
      sort: z.string().max(200).optional(),
      search: z.string().trim().max(200).optional(),
      filter: z.record(z.string(), filterValue).optional(),
      ...(definition.extra ?? ({} as E)),
    })
    .strict()
    .superRefine((q, ctx) => {
      const query = q as ListQueryBase;
      if (query.sort !== undefined) {
        const terms = parseSort(query.sort);
        if (!terms || terms.some((t) => !(t.field in sortFields))) {
          ctx.addIssue({
            code: 'custom',
            path: ['sort'],
            message: `Must be field:asc|desc with field one of: ${definition.sortable.join(', ')}`,
          });
        }
      }
      if (query.filter) {
        for (const error of parseFilters(query.filter, definition.filterable).errors) {
          ctx.addIssue({ code: 'custom', path: error.field.split(/\.(.*)/s).slice(0, 2), message: error.message });
        }
      }
    }) as unknown as z.ZodType<ListQueryOf<E>>;

  function toPrisma(q: ListQueryBase): PrismaListArgs {
    const and: Record<string, unknown>[] = [];
    for (const filter of parseFilters(q.filter ?? {}, definition.filterable).filters) {
      if (filter.op === 'in') and.push({ [filter.field]: filter.values.length === 1 ? filter.values[0] : { in: filter.values } });
      else and.push({ [filter.field]: { [filter.op]: filter.values[0] } });
    }
    const search = q.search?.trim();
    if (search && definition.searchable.length > 0) {
      // Prisma passes `contains` to ILIKE as it is: `%` and `_` would be wildcards (search=_ matched everything).
      const literal = search.replace(/[\\%_]/g, (character) => `\\${character}`);
      and.push({ OR: definition.searchable.map((field) => ({ [field]: { contains: literal, mode: 'insensitive' } })) });
    }
    const terms = (q.sort ? parseSort(q.sort) : undefined) ?? defaultSort!;
    const orderBy = terms.filter((t) => t.field in sortFields).map((t) => ({ [sortFields[t.field]!]: t.direction }));
    if (tieBreaker && !orderBy.some((o) => tieBreaker in o)) orderBy.push({ [tieBreaker]: terms[0]?.direction ?? 'asc' });
    return { where: and.length > 0 ? { AND: and } : {}, orderBy, skip: (q.page - 1) * q.limit, take: q.limit };
  }

  function paginate<T>(data: T[], total: number, q: ListQueryBase): Paginated<T> {
    const totalPages = Math.ceil(total / q.limit);
    return { data, meta: { page: q.page, limit: q.limit, total, totalPages, hasNext: q.page < totalPages, hasPrev: q.page > 1 } };
  }

  return { schema, toPrisma, paginate };
}

export { paginatedSchema };
