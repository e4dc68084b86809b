import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { EventBus } from '../events/event-bus.js';
import { RequestContext } from '../context/request-context.js';
import { ConflictError, LockedError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../errors/domain-errors.js';
import { MembershipReader } from '../organizations/membership.reader.js';
import { OrganizationsService, toOrganizationDto } from '../organizations/organizations.service.js';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { toUserDto } from '../users/users.schemas.js';
import { AccessTokenService } from './access-token.service.js';
import type { LoginRequest, MessageDto, RegisterRequest, ResetPasswordRequest, SessionDto } from './auth.schemas.js';
import { Mailer } from './mailer.service.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';
import { PasswordHasher } from './password-hasher.js';
import { passwordViolations } from './password-policy.js';
import { RefreshTokenService } from './refresh-token.service.js';

const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
const INVALID_CREDENTIALS = 'Invalid email or password';
export const FORGOT_PASSWORD_MESSAGE = 'If an account exists for this email, a password reset link has been sent.';

const normalizeEmail = (email: string) => email.trim().toLowerCase();
const isUniqueViolation = (error: unknown) => !!error && typeof error === 'object' && (error as { code?: unknown }).code === 'P2002';

/** Registration, login with lockout, token refresh with rotation, logout, password reset and org switching. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('AuthService');

  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly organizations: OrganizationsService,
    private readonly memberships: MembershipReader,
    private readonly mailer: Mailer,
    private readonly events: EventBus,
    private readonly limits: RateLimitService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  /** A user, their personal org (they own it) and a session in it. */
  async register(input: RegisterRequest): Promise<SessionDto> {
    const violations = passwordViolations(input.password, this.config.auth.passwordPolicy);
    if (violations.length > 0) throw new ValidationError(violations);
    const email = normalizeEmail(input.email);
    const passwordHash = await this.hasher.hash(input.password);
    const userId = randomUUID();
    const orgId = randomUUID();
    const firstName = input.first_name ?? '';
    const orgName = input.org_name ?? `${firstName || email.split('@')[0]}'s workspace`;
    try {
      await this.prisma.tenant(
        async (tx) => {
          await tx.user.create({
            data: { id: userId, email, passwordHash, firstName, lastName: input.last_name ?? '', passwordChangedAt: new Date() },
          });
          await this.organizations.createWithOwner(tx, { id: orgId, name: orgName.slice(0, 200), personal: true }, userId);
          await this.events.publish(tx, 'user.registered', { userId, orgId });
        },
        { orgId, userId },
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('An account with this email already exists');
      throw error;
    }
    return this.startSession(userId, orgId);
  }

  /**
   * Unknown emails cost the same bcrypt comparison as known ones. Each failure counts; reaching the limit locks the
   * account (423) for the configured time (it expires by itself), even for the right password. Success resets the count.
   * Failures also count per client IP, which is refused (429) beyond LOGIN_IP_MAX_FAILURES.
   */
  async login(input: LoginRequest): Promise<SessionDto> {
    // Per IP: failed logins of one address are capped (LOGIN_IP_MAX_FAILURES per LOGIN_IP_WINDOW_SECONDS), whatever
    // accounts they aim at; the block hits that address (429), not the accounts, so a victim signs in from elsewhere.
    const ip = RequestContext.find()?.ip ?? 'unknown';
    const ipFailures = await this.limits.peek('login-ip', ip);
    if (ipFailures && !ipFailures.allowed) {
      throw new TooManyRequestsError(Math.max(1, Math.ceil(ipFailures.resetMs / 1000)), 'Too many failed sign-in attempts from this address');
    }
    const failed = async (error: Error): Promise<never> => {
      await this.limits.consume('login-ip', ip);
      throw error;
    };
    const email = normalizeEmail(input.email);
    const user = await this.prisma.user.findUnique({ where: { email } });
    if (!user || user.deletedAt) {
      // Answered exactly like an account: same hashing work, and locked (423) after the same number of failures.
      const before = await this.limits.peek('login-email', email);
      if (before && !before.allowed) throw this.lockedError();
      await this.hasher.verifyAgainstDummy(input.password);
      const after = await this.limits.consume('login-email', email);
      return failed(after.remaining === 0 ? this.lockedError() : new UnauthorizedError(INVALID_CREDENTIALS));
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) throw this.lockedError();

    if (!(await this.hasher.verify(input.password, user.passwordHash))) {
      const { maxAttempts, durationSeconds } = this.config.auth.lockout;
      // One statement, so concurrent failures cannot lose counts.
      const [row] = await this.prisma.$queryRaw<{ locked_until: Date | null }[]>`
        update users set
          failed_login_count = case when failed_login_count + 1 >= ${maxAttempts}::int then 0 else failed_login_count + 1 end,
          locked_until = case when failed_login_count + 1 >= ${maxAttempts}::int
                              then now() + make_interval(secs => ${durationSeconds}::int) else locked_until end
        where id = ${user.id}::uuid
        returning locked_until`;
      if (row?.locked_until && row.locked_until.getTime() > Date.now()) {
        this.logger.warn({ msg: 'account locked after repeated login failures', userId: user.id });
        return failed(this.lockedError());
      }
      return failed(new UnauthorizedError(INVALID_CREDENTIALS));
    }

    await this.prisma.user.update({
      where: { id: user.id },
      data: {
        failedLoginCount: 0,
        lockedUntil: null,
        lastLoginAt: new Date(),
        loginCount: { increment: 1 },
        ...(this.hasher.needsRehash(user.passwordHash) ? { passwordHash: await this.hasher.hash(input.password) } : {}),
      },
    });
    const orgId = await this.defaultOrgOf(user.id);
    if (!orgId) throw new UnauthorizedError('The account belongs to no organization');
    return this.startSession(user.id, orgId);
  }

  async refresh(refreshToken: string): Promise<SessionDto> {
    const rotated = await this.refreshTokens.rotate(refreshToken);
    const { userId, orgId } = rotated.session;
    const membership = await this.memberships.find(userId, orgId);
    if (!membership) {
      await this.refreshTokens.revoke(rotated.refreshToken);
      throw new UnauthorizedError('Invalid refresh token');
    }
    return this.sessionDto(userId, orgId, membership.role, rotated);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.refreshTokens.revoke(refreshToken);
  }

  async logoutAll(userId: string): Promise<void> {
    await this.refreshTokens.revokeAllForUser(userId);
  }

  async switchOrg(userId: string, orgId: string): Promise<SessionDto> {
    if (!(await this.memberships.find(userId, orgId))) throw new NotFoundError('Organization');
    return this.startSession(userId, orgId);
  }

  /**
   * Always the same answer, at once: the lookup, token and email happen after the response, so neither the body nor
   * the timing tells whether the account exists.
   */
  forgotPassword(email: string): MessageDto {
    void this.sendResetLink(normalizeEmail(email)).catch((error: unknown) =>
      this.logger.error(error instanceof Error ? error : { msg: String(error) }),
    );
    return { message: FORGOT_PASSWORD_MESSAGE };
  }

  /** Single-use, 1-hour token; sets the password, clears the lockout and ends every session. */
  async resetPassword(input: ResetPasswordRequest): Promise<MessageDto> {
    const violations = passwordViolations(input.new_password, this.config.auth.passwordPolicy, 'new_password');
    if (violations.length > 0) throw new ValidationError(violations);
    const invalid = () => new ValidationError([{ field: 'token', message: 'Invalid or expired reset token' }]);
    const reset = await this.prisma.passwordResetToken.findUnique({ where: { tokenHash: hashOpaqueToken(input.token) } });
    if (!reset || reset.usedAt || reset.expiresAt.getTime() <= Date.now()) throw invalid();
    const passwordHash = await this.hasher.hash(input.new_password);
    await this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const claimed = await tx.passwordResetToken.updateMany({ where: { id: reset.id, usedAt: null }, data: { usedAt: now } });
      if (claimed.count !== 1) throw invalid();
      await tx.passwordResetToken.updateMany({ where: { userId: reset.userId, usedAt: null }, data: { usedAt: now } });
      await tx.user.update({
        where: { id: reset.userId },
        data: { passwordHash, passwordChangedAt: now, failedLoginCount: 0, lockedUntil: null },
      });
      await tx.refreshToken.updateMany({ where: { userId: reset.userId, revokedAt: null }, data: { revokedAt: now } });
    });
    this.refreshTokens.forgetSessions();
    this.memberships.forget(reset.userId);
    return { message: 'Your password has been reset. Sign in with the new password.' };
  }

  private async sendResetLink(email: string): Promise<void> {
    const user = await this.prisma.user.findUnique({ where: { email } });
    if (!user || user.deletedAt) return;
    const { token, hash } = newOpaqueToken();
    await this.prisma.passwordResetToken.create({
      data: { userId: user.id, tokenHash: hash, expiresAt: new Date(Date.now() + RESET_TOKEN_TTL_MS) },
    });
    const base = (process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
    const link = `${base}/reset-password?token=${encodeURIComponent(token)}`;
    await this.mailer.send({
      to: user.email,
      subject: `Reset your ${this.config.product.displayName} password`,
      text:
        `Someone asked to reset the password of your ${this.config.product.displayName} account.\n\n` +
        `Open this link within one hour to choose a new password:\n${link}\n\n` +
        `If it was not you, ignore this email: your password stays the same.\n`,
    });
  }

  /** The org a login lands in: the user's oldest membership of an org that still exists. */
  private async defaultOrgOf(userId: string): Promise<string | undefined> {
    const membership = await this.prisma.tenant(
      (tx) =>
        tx.orgMember.findFirst({
          where: { userId, org: { deletedAt: null } },
          orderBy: { createdAt: 'asc' },
          select: { orgId: true },
        }),
      { userId },
    );
    return membership?.orgId;
  }

  private async startSession(userId: string, orgId: string): Promise<SessionDto> {
    const membership = await this.memberships.find(userId, orgId);
    if (!membership) throw new UnauthorizedError();
    const issued = await this.refreshTokens.issue({ userId, orgId });
    return this.sessionDto(userId, orgId, membership.role, issued);
  }

  private async sessionDto(
    userId: string,
    orgId: string,
    role: string,
    issued: { refreshToken: string; familyId: string },
  ): Promise<SessionDto> {
    const [user, org] = await Promise.all([
      this.prisma.user.findUniqueOrThrow({ where: { id: userId } }),
      this.prisma.tenant((tx) => tx.organization.findUniqueOrThrow({ where: { id: orgId } }), { orgId, userId }),
    ]);
    const accessToken = await this.accessTokens.sign({ userId, orgId, roles: [role], sessionId: issued.familyId });
    return {
      user: toUserDto(user),
      org: toOrganizationDto(org, role),
      tokens: { access_token: accessToken, refresh_token: issued.refreshToken, expires_in: this.accessTokens.ttlSeconds },
    };
  }

  private lockedError(): LockedError {
    const minutes = Math.ceil(this.config.auth.lockout.durationSeconds / 60);
    return new LockedError(`Too many failed sign-in attempts: the account is locked for up to ${minutes} minutes`);
  }
}
