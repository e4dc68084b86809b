import { Global, Module } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { PermissionEngine } from './permission-engine.js';
import { PermissionGuard } from './permission.guard.js';
import { PermissionService } from './permission.service.js';
import { PermissionsController } from './permissions.controller.js';
import { PrismaTupleStore } from './prisma-tuple-store.js';

/**
 * The permission engine for every module: global, so `@Authorize` (whose guard needs PermissionService) works in any
 * feature module. Module namespaces are registered by PlatformLifecycle from the manifests at bootstrap.
 */
@Global()
@Module({
  controllers: [PermissionsController],
  providers: [
    {
      provide: PermissionEngine,
      useFactory: (prisma: PrismaService) =>
        new PermissionEngine(new PrismaTupleStore(prisma), { cacheTtlMs: Number(process.env.PERMISSION_CACHE_TTL_MS ?? 5_000) }),
      inject: [PrismaService],
    },
    PermissionService,
    PermissionGuard,
  ],
  exports: [PermissionEngine, PermissionService, PermissionGuard],
})
export class PermissionsModule {}
