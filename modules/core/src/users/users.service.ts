import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { toUserDto, type UpdateMeRequest, type UserDto } from './users.schemas.js';

/** Users are global identities (not tenant rows): reached by the authenticated caller's id only. */
@Injectable()
export class UsersService {
  constructor(private readonly prisma: PrismaService) {}

  async me(userId: string): Promise<UserDto> {
    const user = await this.prisma.user.findFirst({ where: { id: userId, deletedAt: null } });
    if (!user) throw new NotFoundError('User');
    return toUserDto(user);
  }

  async updateMe(userId: string, input: UpdateMeRequest): Promise<UserDto> {
    const result = await this.prisma.user.updateMany({
      where: { id: userId, deletedAt: null },
      data: {
        ...(input.first_name !== undefined ? { firstName: input.first_name } : {}),
        ...(input.last_name !== undefined ? { lastName: input.last_name } : {}),
        ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
        ...(input.locale !== undefined ? { locale: input.locale } : {}),
        updatedAt: new Date(),
      },
    });
    if (result.count === 0) throw new NotFoundError('User');
    return this.me(userId);
  }
}
