import type { IdorFixture } from '../core/support/idor.js';

/**
 * A real row of org A behind every route of this module with an id, for the product's IDOR matrix
 * (test/core/idor.e2e.test.ts). Add your new routes' bodies here, and ids for any new route prefix.
 */
export const idorFixture: IdorFixture = {
  async ids(_owner, api) {
    const created = await api.POST('/api/v1/sample-items', { body: { name: 'A private sample item' } });
    if (!created.data) throw new Error(`creating the IDOR fixture failed: ${JSON.stringify(created.error)}`);
    return { '/api/v1/sample-items/{id}': { id: created.data.id } };
  },
  bodies: {
    'PATCH /api/v1/sample-items/{id}': { name: 'taken over' },
  },
};
