import { Controller, Get, Patch } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { ApiResult, ValidBody } from '../http/zod.js';
import { updateMeSchema, userSchema, type UpdateMeRequest, type UserDto } from './users.schemas.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiResult(userSchema, { description: 'The authenticated user' })
  me(): Promise<UserDto> {
    return this.users.me(RequestContext.actor().userId);
  }

  @Patch('me')
  @Audited({ action: 'user.updated', entityType: 'user' })
  @ApiResult(userSchema, { description: 'The updated profile' })
  update(@ValidBody(updateMeSchema) body: UpdateMeRequest): Promise<UserDto> {
    return this.users.updateMe(RequestContext.actor().userId, body);
  }
}
