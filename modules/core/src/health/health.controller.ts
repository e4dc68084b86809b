import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from '../auth/public.decorator.js';
import { PrismaService } from '../database/prisma.service.js';
import { ApiResult } from '../http/zod.js';

export const livenessSchema = z.object({ status: z.literal('ok'), uptime: z.number() }).strict();
export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'degraded']),
    checks: z.object({ database: z.enum(['up', 'down']) }).strict(),
  })
  .strict();

const DATABASE_CHECK_TIMEOUT_MS = 2_000;

/** Liveness: the process serves. Readiness: it can serve traffic (database reachable as the runtime role) — 503 if not. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly prisma: PrismaService) {}

  @Get('live')
  @ApiResult(livenessSchema, { description: 'The process is alive' })
  live(): z.infer<typeof livenessSchema> {
    return { status: 'ok', uptime: process.uptime() };
  }

  @Get('ready')
  @ApiResult(readinessSchema, { description: 'Ready to serve traffic (503 with status degraded when not)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<z.infer<typeof readinessSchema>> {
    const database = await this.databaseUp();
    if (!database) void reply.status(503);
    return { status: database ? 'ready' : 'degraded', checks: { database: database ? 'up' : 'down' } };
  }

  private async databaseUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), DATABASE_CHECK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.prisma.ping().then(() => true as const), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
