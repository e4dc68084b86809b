import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  HttpCode,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type FieldError, ValidationError } from '../errors/domain-errors.js';
import { toOpenApiSchema } from './openapi-schema.js';

/** Zod issues as the envelope's `details: [{ field, message }]`. */
export function toFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [path, key].filter(Boolean).join('.'), message: 'Unknown field' }));
    }
    return [{ field: path, message: issue.message }];
  });
}

/** Parses `input` with `schema` or throws ValidationError (400 VALIDATION_ERROR). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error, prefix));
  return result.data;
}

/**
 * Fastify parses `filter[status]=a&filter[due_at.gte]=x` into flat keys; fold `name[key]` into `{ name: { key } }`
 * so query schemas can declare `filter` as an object (OpenAPI deepObject, what openapi-fetch sends).
 */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function foldBracketKeys(query: Record<string, unknown>): Record<string, unknown> {
  const folded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    // Define, never assign: `__proto__[x]=` must not reach an object's prototype.
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\[([^\]]*)\]$/.exec(key);
    if (!match) {
      Object.defineProperty(folded, key, { value, enumerable: true, configurable: true, writable: true });
      continue;
    }
    const [, name, inner] = match as unknown as [string, string, string];
    if (UNSAFE_KEYS.has(name) || UNSAFE_KEYS.has(inner)) {
      Object.defineProperty(folded, key, { value, enumerable: true, configurable: true, writable: true });
      continue;
    }
    const bucket = Object.hasOwn(folded, name) ? folded[name] : undefined;
    const target: Record<string, unknown> =
      bucket && typeof bucket === 'object' && !Array.isArray(bucket) ? (bucket as Record<string, unknown>) : {};
    target[inner] = value;
    folded[name] = target;
  }
  return folded;
}

/** Parameter decorators cannot carry OpenAPI metadata, so they apply method decorators to their method. */
function applyToMethod(target: object, key: string | symbol | undefined, decorator: MethodDecorator): void {
  if (key === undefined) return;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor) decorator(target, key, descriptor);
}

// Schemas travel wrapped: Nest takes a decorator argument with a `transform` method (as zod schemas have) for a
// pipe, and `{ schema }` for its own Standard Schema options.
interface SchemaHolder {
  zodSchema: z.ZodType;
}

const bodyParam = createParamDecorator(({ zodSchema: schema }: SchemaHolder, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return parseOrThrow(schema, request.body ?? {});
});

const queryParam = createParamDecorator(({ zodSchema: schema }: SchemaHolder, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return parseOrThrow(schema, foldBracketKeys((request.query ?? {}) as Record<string, unknown>));
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_PARAMS_KEY = 'platform:uuid-params';

function uuidParamValue(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name];
  if (!value || !UUID.test(value)) throw new ValidationError([{ field: name, message: 'Must be a UUID' }]);
  return value.toLowerCase();
}

const uuidParam = createParamDecorator((name: string, ctx: ExecutionContext) =>
  uuidParamValue(ctx.switchToHttp().getRequest<FastifyRequest>(), name),
);

/**
 * Checks IdParam values before the route's other guards (e.g. @Authorize): a malformed id is a 400, not a
 * permission lookup that ends in 404. Authentication (the global guard) still comes first.
 */
@Injectable()
export class UuidParamsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const names = (Reflect.getMetadata(UUID_PARAMS_KEY, context.getHandler()) ?? []) as string[];
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    for (const name of names) uuidParamValue(request, name);
    return true;
  }
}

/** Validated JSON body (zod, strict schemas → unknown fields are errors); documents the request body. */
export function ValidBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    bodyParam({ zodSchema: schema })(target, key, index);
    applyToMethod(target, key, ApiBody({ schema: toOpenApiSchema(schema, 'input') }));
  };
}

/** Validated query string (`filter[x]` keys folded into `filter`); documents each query parameter. */
export function ValidQuery(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    queryParam({ zodSchema: schema })(target, key, index);
    const json = toOpenApiSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const isObject = property.type === 'object';
      applyToMethod(
        target,
        key,
        ApiQuery({
          name,
          required: json.required?.includes(name) ?? false,
          schema: property,
          ...(isObject ? { style: 'deepObject', explode: true } : {}),
        }),
      );
    }
  };
}

/** A route param that must be a UUID (400 VALIDATION_ERROR otherwise); documented as `format: uuid`. */
export function IdParam(name = 'id'): ParameterDecorator {
  return (target, key, index) => {
    uuidParam(name)(target, key, index);
    applyToMethod(target, key, ApiParam({ name, required: true, schema: { type: 'string', format: 'uuid' } }));
    applyToMethod(target, key, (_target, _key, descriptor) => {
      const handler = descriptor.value as object;
      const names = (Reflect.getMetadata(UUID_PARAMS_KEY, handler) ?? []) as string[];
      Reflect.defineMetadata(UUID_PARAMS_KEY, [...names, name], handler);
      // Parameter decorators run before method decorators, so this guard precedes e.g. @Authorize's.
      if (names.length === 0) UseGuards(UuidParamsGuard)(_target, _key, descriptor);
    });
  };
}

export interface ApiResultOptions {
  status?: number;
  description?: string;
}

/**
 * Documents the success response and makes the route answer with that status (default 200, also for POST:
 * pass `{ status: 201 }` for creations), so the OpenAPI document and the wire always agree.
 */
export function ApiResult(schema: z.ZodType, options: ApiResultOptions = {}): MethodDecorator {
  const status = options.status ?? 200;
  return applyDecorators(
    HttpCode(status),
    ApiResponse({ status, description: options.description ?? 'Success', schema: toOpenApiSchema(schema, 'output') }),
  );
}

/** `{ data: T[], meta: { page, limit, total, totalPages, hasNext, hasPrev } }` */
export function paginatedSchema<T extends z.ZodType>(item: T) {
  return z
    .object({
      data: z.array(item),
      meta: z
        .object({
          page: z.number().int(),
          limit: z.number().int(),
          total: z.number().int(),
          totalPages: z.number().int(),
          hasNext: z.boolean(),
          hasPrev: z.boolean(),
        })
        .strict(),
    })
    .strict();
}

/** Documents a paginated list response of `itemSchema` (status 200). */
export function ApiPaginated(itemSchema: z.ZodType, options: Omit<ApiResultOptions, 'status'> = {}): MethodDecorator {
  return ApiResult(paginatedSchema(itemSchema), { status: 200, description: options.description ?? 'A page of results' });
}

/** A success without a body: 204, documented as such. */
export function ApiNoContent(description = 'Done'): MethodDecorator {
  return applyDecorators(HttpCode(204), ApiResponse({ status: 204, description }));
}
