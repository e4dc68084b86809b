export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** Org roles are materialized as `org` tuples, each role holding the relations of the roles below it. */
export const ORG_ROLE_RELATIONS: Record<OrgRole, OrgRole[]> = {
  owner: ['owner', 'admin', 'member'],
  admin: ['admin', 'member'],
  member: ['member'],
};

export const isOrgRole = (value: string): value is OrgRole => (ORG_ROLES as readonly string[]).includes(value);
