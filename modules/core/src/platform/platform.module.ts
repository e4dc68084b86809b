import { type DynamicModule, Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG, PLATFORM_MODULE_MANIFESTS, type PlatformConfig } from './platform-config.js';
import { PlatformLifecycle } from './platform-lifecycle.js';
import type { PlatformModuleManifest } from './platform-module.js';

/** Provides the product's configuration and module manifests (PLATFORM_CONFIG, PLATFORM_MODULE_MANIFESTS) and runs the lifecycle. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig, manifests: PlatformModuleManifest[]): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: PLATFORM_CONFIG, useValue: config },
        { provide: PLATFORM_MODULE_MANIFESTS, useValue: manifests },
        PlatformLifecycle,
      ],
      exports: [PLATFORM_CONFIG, PLATFORM_MODULE_MANIFESTS],
    };
  }
}
