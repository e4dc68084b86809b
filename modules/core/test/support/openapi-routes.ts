import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiUrl } from './api.js';

/** One operation of the app's OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: Record<string, any> }[];
  /** Properties of the JSON request body, when the operation documents one. */
  bodyProperties?: Record<string, Record<string, any>>;
  isPublic: boolean;
}

/**
 * Every operation the app documents: from sdk/openapi.json (what `npm run sdk` emitted) or, when it was not
 * emitted, from the running app's /api/docs-json. Tests that iterate over it cover new routes automatically.
 */
export async function operations(): Promise<Operation[]> {
  const file = join(process.cwd(), 'sdk', 'openapi.json');
  const doc = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : await (await fetch(`${apiUrl()}/api/docs-json`)).json();
  const resolve = (schema: any): any =>
    schema?.$ref ? resolve(schema.$ref.split('/').slice(1).reduce((node: any, key: string) => node?.[key], doc)) : schema;
  const result: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters: any[] = (op.parameters ?? []).map(resolve);
      const body = resolve(op.requestBody?.content?.['application/json']?.schema);
      result.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        bodyProperties: body ? (body.properties ?? {}) : undefined,
        isPublic: !(op.security ?? doc.security ?? []).length,
      });
    }
  }
  return result;
}

/** `path` with each `{param}` replaced by `values[param]` (URL-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}
