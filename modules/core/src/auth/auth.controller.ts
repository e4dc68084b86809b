import { Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { ApiNoContent, ApiResult, ValidBody } from '../http/zod.js';
import {
  forgotPasswordSchema,
  loginSchema,
  messageSchema,
  refreshTokenSchema,
  registerSchema,
  resetPasswordSchema,
  sessionSchema,
  switchOrgSchema,
  type ForgotPasswordRequest,
  type LoginRequest,
  type MessageDto,
  type RefreshTokenRequest,
  type RegisterRequest,
  type ResetPasswordRequest,
  type SessionDto,
  type SwitchOrgRequest,
} from './auth.schemas.js';
import { AuthService } from './auth.service.js';
import { Public } from './public.decorator.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @Audited({ action: 'user.registered', entityType: 'user' })
  @ApiResult(sessionSchema, { status: 201, description: 'The user, their personal org (owned) and a session in it' })
  register(@ValidBody(registerSchema) body: RegisterRequest): Promise<SessionDto> {
    return this.auth.register(body);
  }

  @Public()
  @Post('login')
  @Audited({ action: 'user.logged_in', entityType: 'user' })
  @ApiResult(sessionSchema, { description: 'A new session (401 on bad credentials, 423 ACCOUNT_LOCKED after repeated failures)' })
  login(@ValidBody(loginSchema) body: LoginRequest): Promise<SessionDto> {
    return this.auth.login(body);
  }

  @Public()
  @Post('refresh')
  @Audited({ skip: true })
  @ApiResult(sessionSchema, { description: 'Rotated tokens; reusing a rotated refresh token revokes the whole session' })
  refresh(@ValidBody(refreshTokenSchema) body: RefreshTokenRequest): Promise<SessionDto> {
    return this.auth.refresh(body.refresh_token);
  }

  @Public()
  @Post('logout')
  @ApiNoContent('The session of this refresh token has ended')
  async logout(@ValidBody(refreshTokenSchema) body: RefreshTokenRequest): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }

  @Post('logout-all')
  @Audited({ action: 'user.logged_out_everywhere', entityType: 'user' })
  @ApiNoContent("Every session of the caller has ended")
  async logoutAll(): Promise<void> {
    await this.auth.logoutAll(RequestContext.actor().userId);
  }

  @Public()
  @Post('forgot-password')
  @ApiResult(messageSchema, { description: 'Always the same answer, whether or not the account exists' })
  forgotPassword(@ValidBody(forgotPasswordSchema) body: ForgotPasswordRequest): MessageDto {
    return this.auth.forgotPassword(body.email);
  }

  @Public()
  @Post('reset-password')
  @ApiResult(messageSchema, { description: 'Password changed; every session is ended' })
  resetPassword(@ValidBody(resetPasswordSchema) body: ResetPasswordRequest): Promise<MessageDto> {
    return this.auth.resetPassword(body);
  }

  @Post('switch-org')
  @Audited({ action: 'user.switched_org', entityType: 'organization' })
  @ApiResult(sessionSchema, { description: 'A new session in another org the caller is a member of (404 otherwise)' })
  switchOrg(@ValidBody(switchOrgSchema) body: SwitchOrgRequest): Promise<SessionDto> {
    return this.auth.switchOrg(RequestContext.actor().userId, body.org_id);
  }
}
