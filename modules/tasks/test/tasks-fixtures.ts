import { expect } from 'vitest';
import type { ApiClient } from '../../sdk/index.js';

/** What every failed call must answer: the standard envelope, never a stack or database text. */
export function expectEnvelope(
  result: { error?: unknown; response: Response },
  status: number,
  code: string,
): { code: string; message: string; details?: { field: string; message: string }[] } {
  expect(result.response.status, JSON.stringify(result.error)).toBe(status);
  const body = result.error as { error: { code: string; message: string; details?: { field: string; message: string }[] } };
  expect(body.error).toMatchObject({ code, message: expect.any(String), correlationId: expect.any(String), timestamp: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/prisma|postgres|select |syntax error|at \w+ \(/i);
  return body.error;
}

/** Fails the test with the response body when a call did not succeed. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }, status = 200): T {
  expect(result.response.status, JSON.stringify(result.error)).toBe(status);
  return result.data as T;
}

export async function createBoard(api: ApiClient, name: string, columns: string[] = ['To do', 'Doing', 'Done']) {
  return ok(await api.POST('/api/v1/boards', { body: { name, view_type: 'kanban', columns: columns.map((c) => ({ name: c })) } }), 201);
}

export async function createTask(api: ApiClient, body: { title: string; board_id?: string; column_id?: string; [key: string]: unknown }) {
  return ok(await api.POST('/api/v1/tasks', { body: body as never }), 201);
}

/** GET /tasks answers a page or the kanban view; narrows to the page (view=list). */
export function okPage<T>(result: { data?: T; error?: unknown; response: Response }): Extract<T, { meta: unknown }> {
  const data = ok(result);
  expect(data).toHaveProperty('meta');
  return data as Extract<T, { meta: unknown }>;
}
