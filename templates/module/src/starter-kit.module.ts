import { Module } from '@nestjs/common';
import { SampleItemsController } from './sample-items/sample-items.controller.js';
import { SampleItemsService } from './sample-items/sample-items.service.js';

/**
 * A module of this product (kind `custom` in ./module.yaml). `platform sync` and `platform upgrade` wire it into
 * app.module.ts and register the permission namespaces of its manifest, but never write its files: they are yours.
 * PrismaService, EventBus and PermissionService are global.
 */
@Module({
  controllers: [SampleItemsController],
  providers: [SampleItemsService],
})
export class StarterKitModule {}
