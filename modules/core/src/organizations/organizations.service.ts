import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService, type TenantTx } from '../database/prisma.service.js';
import { EventBus } from '../events/event-bus.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { defineListQuery, type ListQueryBase, type Paginated } from '../list-query/list-query.js';
import { PermissionService } from '../permissions/permission.service.js';
import { MembershipReader } from './membership.reader.js';
import { isOrgRole, ORG_ROLE_RELATIONS, type OrgRole } from './org-roles.js';
import type { AddMemberRequest, CreateOrganizationRequest, MemberDto, OrganizationDto } from './organizations.schemas.js';

export const organizationListQuery = defineListQuery({
  sortable: ['name', 'created_at'],
  defaultSort: 'created_at:asc',
  searchable: ['name'],
  filterable: { personal: { field: 'personal', type: 'boolean' } },
});

export const memberListQuery = defineListQuery({
  sortable: ['joined_at', 'role'],
  sortFields: { joined_at: 'createdAt' },
  defaultSort: 'joined_at:asc',
  searchable: [],
  filterable: { role: { field: 'role', type: 'string' } },
});

interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  personal: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toOrganizationDto(org: OrganizationRow, role: string): OrganizationDto {
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    personal: org.personal,
    role: isOrgRole(role) ? role : 'member',
    created_at: org.createdAt.toISOString(),
    updated_at: org.updatedAt.toISOString(),
  };
}

function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return `${base || 'org'}-${randomBytes(4).toString('hex')}`;
}

const isUniqueViolation = (error: unknown): boolean =>
  !!error && typeof error === 'object' && (error as { code?: unknown }).code === 'P2002';

/** Organizations (tenants) and their members; org roles are mirrored as `org` permission tuples. */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly permissions: PermissionService,
    private readonly memberships: MembershipReader,
    private readonly events: EventBus,
  ) {}

  /**
   * Creates an org with its owner inside `tx`, which must be a tenant transaction scoped to `org.id`
   * (organizations' RLS only lets the current org be written).
   */
  async createWithOwner(
    tx: TenantTx,
    org: { id: string; name: string; slug?: string; personal: boolean },
    ownerId: string,
  ): Promise<OrganizationDto> {
    const created = await tx.organization.create({
      data: { id: org.id, name: org.name, slug: org.slug ?? slugify(org.name), personal: org.personal, createdBy: ownerId },
    });
    await tx.orgMember.create({ data: { orgId: org.id, userId: ownerId, role: 'owner' } });
    await this.grantRole(tx, org.id, ownerId, 'owner');
    await this.events.publish(tx, 'org.created', { orgId: org.id, ownerId, personal: org.personal });
    return toOrganizationDto(created, 'owner');
  }

  async create(ownerId: string, input: CreateOrganizationRequest): Promise<OrganizationDto> {
    const id = randomUUID();
    try {
      return await this.prisma.tenant((tx) => this.createWithOwner(tx, { id, name: input.name, slug: input.slug, personal: false }, ownerId), {
        orgId: id,
        userId: ownerId,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('An organization with this slug already exists');
      throw error;
    }
  }

  /** The orgs the user is a member of (RLS shows the user's own memberships and those orgs). */
  async listMine(userId: string, query: ListQueryBase): Promise<Paginated<OrganizationDto>> {
    const args = organizationListQuery.toPrisma(query);
    const where = { AND: [args.where, { deletedAt: null, members: { some: { userId } } }] };
    const [rows, total] = await this.prisma.tenant(
      (tx) =>
        Promise.all([
          tx.organization.findMany({
            where,
            orderBy: args.orderBy,
            skip: args.skip,
            take: args.take,
            include: { members: { where: { userId }, select: { role: true } } },
          }),
          tx.organization.count({ where }),
        ]),
      { userId },
    );
    return organizationListQuery.paginate(
      rows.map((row) => toOrganizationDto(row, row.members[0]?.role ?? 'member')),
      total,
      query,
    );
  }

  async get(orgId: string, userId: string): Promise<OrganizationDto> {
    const row = await this.prisma.tenant(
      (tx) =>
        tx.organization.findFirst({
          where: { id: orgId, deletedAt: null },
          include: { members: { where: { userId }, select: { role: true } } },
        }),
      { orgId, userId },
    );
    const role = row?.members[0]?.role;
    if (!row || !role) throw new NotFoundError('Organization');
    return toOrganizationDto(row, role);
  }

  async listMembers(orgId: string, query: ListQueryBase): Promise<Paginated<MemberDto>> {
    const args = memberListQuery.toPrisma(query);
    const search = query.search?.trim();
    const where = {
      AND: [
        args.where,
        { orgId, user: { deletedAt: null } },
        ...(search
          ? [
              {
                user: {
                  OR: [
                    { email: { contains: search, mode: 'insensitive' as const } },
                    { firstName: { contains: search, mode: 'insensitive' as const } },
                    { lastName: { contains: search, mode: 'insensitive' as const } },
                  ],
                },
              },
            ]
          : []),
      ],
    };
    const [rows, total] = await this.prisma.tenant(
      (tx) =>
        Promise.all([
          tx.orgMember.findMany({
            where,
            orderBy: args.orderBy,
            skip: args.skip,
            take: args.take,
            include: { user: { select: { email: true, firstName: true, lastName: true } } },
          }),
          tx.orgMember.count({ where }),
        ]),
      { orgId },
    );
    return memberListQuery.paginate(
      rows.map((row) => ({
        user_id: row.userId,
        email: row.user.email,
        first_name: row.user.firstName,
        last_name: row.user.lastName,
        role: isOrgRole(row.role) ? row.role : 'member',
        joined_at: row.createdAt.toISOString(),
      })),
      total,
      query,
    );
  }

  /** Adds an existing user (by email) as admin or member (ownership is never granted this way). */
  async addMember(orgId: string, input: AddMemberRequest): Promise<MemberDto> {
    const email = input.email.trim().toLowerCase();
    return this.prisma.tenant(
      async (tx) => {
        const user = await tx.user.findFirst({ where: { email, deletedAt: null } });
        if (!user) throw new NotFoundError('User');
        const existing = await tx.orgMember.findUnique({ where: { orgId_userId: { orgId, userId: user.id } } });
        if (existing) throw new ConflictError('The user is already a member of this organization');
        const member = await tx.orgMember.create({ data: { orgId, userId: user.id, role: input.role } });
        await this.grantRole(tx, orgId, user.id, input.role);
        await this.events.publish(tx, 'org.member_added', { orgId, userId: user.id, role: input.role });
        this.memberships.forget(user.id, orgId);
        return {
          user_id: user.id,
          email: user.email,
          first_name: user.firstName,
          last_name: user.lastName,
          role: input.role,
          joined_at: member.createdAt.toISOString(),
        };
      },
      { orgId },
    );
  }

  /**
   * Removes a member and every tuple the user holds in the org. Admins and owners remove others (only an owner removes
   * an owner); anyone may leave; the last owner cannot.
   */
  async removeMember(orgId: string, userId: string, actorId: string): Promise<void> {
    await this.prisma.tenant(
      async (tx) => {
        const members = await tx.orgMember.findMany({ where: { orgId, userId: { in: [userId, actorId] } } });
        const target = members.find((m) => m.userId === userId);
        const actor = members.find((m) => m.userId === actorId);
        if (!target || !actor) throw new NotFoundError('Member');
        if (userId !== actorId) {
          if (actor.role === 'member') throw new ForbiddenError('Only admins and owners can remove members');
          if (target.role === 'owner' && actor.role !== 'owner') throw new ForbiddenError('Only an owner can remove an owner');
        }
        if (target.role === 'owner') {
          const owners = await tx.orgMember.count({ where: { orgId, role: 'owner' } });
          if (owners <= 1) throw new ValidationError([{ field: 'userId', message: 'The last owner cannot be removed' }]);
        }
        await tx.orgMember.delete({ where: { id: target.id } });
        await this.permissions.revokeSubject(tx, { type: 'user', id: userId });
      },
      { orgId },
    );
    this.memberships.forget(userId, orgId);
  }

  /** The role-derived `org` tuples of a member. */
  private async grantRole(tx: TenantTx, orgId: string, userId: string, role: OrgRole): Promise<void> {
    for (const relation of ORG_ROLE_RELATIONS[role]) {
      await this.permissions.grant(tx, { namespace: 'org', objectId: orgId, relation, subject: { type: 'user', id: userId } });
    }
  }
}
