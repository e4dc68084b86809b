import { Module } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { platformConfig } from '../platform.config.js';
import { PLATFORM_MODULES } from '../platform.modules.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ExceptionEnvelopeFilter } from './errors/exception-envelope.filter.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { PermissionsModule } from './permissions/permissions.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { UsersModule } from './users/users.module.js';

/** The kernel every product has: database, context, errors, events, health, OpenAPI and IAM. */
@Module({
  imports: [
    DiscoveryModule,
    PlatformModule.forRoot(platformConfig, PLATFORM_MODULES),
    DatabaseModule,
    EventsModule,
    HealthModule,
    PermissionsModule,
    AuthModule,
    UsersModule,
    OrganizationsModule,
    AuditModule,
    // After AuthModule: its global guard runs after authentication, so limits know the user and the tenant.
    RateLimitModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ExceptionEnvelopeFilter }],
})
export class CoreModule {}
