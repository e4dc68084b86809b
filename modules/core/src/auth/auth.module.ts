import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthenticationGuard } from './authentication.guard.js';
import { Mailer } from './mailer.service.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshTokenService } from './refresh-token.service.js';

/** Authentication for the whole app: the global guard (every route unless `@Public()`) and the /auth routes. */
@Module({
  imports: [OrganizationsModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokenService,
    RefreshTokenService,
    PasswordHasher,
    Mailer,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
  ],
  exports: [AccessTokenService, RefreshTokenService, Mailer],
})
export class AuthModule {}
