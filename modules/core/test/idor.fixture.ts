import type { IdorFixture } from './support/idor.js';

/** The kernel's routes with an id, for the IDOR matrix (idor.e2e.test.ts). */
export const idorFixture: IdorFixture = {
  async ids(owner) {
    return { '/api/v1/organizations/{id}': { id: owner.org.id, userId: owner.user.id } };
  },
  bodies: {
    'POST /api/v1/organizations/{id}/members': { email: 'someone@example.test', role: 'admin' },
  },
};
