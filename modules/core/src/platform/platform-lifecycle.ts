import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import { EventBus } from '../events/event-bus.js';
import { PermissionEngine } from '../permissions/permission-engine.js';
import type {
  NamespaceDefinition,
  OnPlatformEvents,
  OnPlatformPermissions,
  OnPlatformReady,
  OnPlatformShutdown,
  PlatformModuleManifest,
} from './platform-module.js';
import { PLATFORM_MODULE_MANIFESTS } from './platform-config.js';

function implementsHook<K extends string>(instance: unknown, hook: K): instance is Record<K, (...args: unknown[]) => unknown> {
  return !!instance && typeof (instance as Record<string, unknown>)[hook] === 'function';
}

/**
 * The platform's module lifecycle in Nest form. At bootstrap: the permission namespaces every manifest declares
 * are registered (and cross-checked) in the PermissionEngine, then each Nest module (or provider) implementing
 * OnPlatformPermissions / OnPlatformEvents / OnPlatformReady is called in that order. At shutdown:
 * OnPlatformShutdown, then pending event deliveries are drained.
 */
@Injectable()
export class PlatformLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PlatformLifecycle');

  constructor(
    @Inject(PLATFORM_MODULE_MANIFESTS) private readonly manifests: PlatformModuleManifest[],
    private readonly modules: ModulesContainer,
    private readonly moduleRef: ModuleRef,
    private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const engine = this.moduleRef.get(PermissionEngine, { strict: false });
    engine.defineNamespaces(this.declaredNamespaces());
    for (const participant of this.participants()) {
      if (implementsHook<keyof OnPlatformPermissions>(participant, 'onPermissionsSetup')) await participant.onPermissionsSetup(engine);
    }
    engine.validate();
    for (const participant of this.participants()) {
      if (implementsHook<keyof OnPlatformEvents>(participant, 'onEventsSetup')) await participant.onEventsSetup(this.events);
    }
    for (const participant of this.participants()) {
      if (implementsHook<keyof OnPlatformReady>(participant, 'onPlatformReady')) await participant.onPlatformReady();
    }
    this.logger.log({
      msg: 'platform ready',
      modules: this.manifests.map((m) => `${m.name}@${m.version}`),
      namespaces: engine.namespaces(),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const participant of this.participants().reverse()) {
      if (implementsHook<keyof OnPlatformShutdown>(participant, 'onPlatformShutdown')) {
        try {
          await participant.onPlatformShutdown();
        } catch (error) {
          this.logger.error(error instanceof Error ? error : { msg: String(error) });
        }
      }
    }
    await this.events.drain();
  }

  /** Every namespace of every manifest; a name declared twice is a build error of the product. */
  private declaredNamespaces(): Record<string, NamespaceDefinition> {
    const namespaces: Record<string, NamespaceDefinition> = {};
    const owner: Record<string, string> = {};
    for (const manifest of this.manifests) {
      for (const [name, definition] of Object.entries(manifest.permissions ?? {})) {
        if (owner[name]) throw new Error(`Permission namespace '${name}' is declared by both ${owner[name]} and ${manifest.name}`);
        owner[name] = manifest.name;
        namespaces[name] = definition;
      }
    }
    return namespaces;
  }

  /** Nest module instances, then providers, each once (module classes first: that is where modules declare hooks). */
  private participants(): object[] {
    const seen = new Set<object>();
    const modules: object[] = [];
    const providers: object[] = [];
    for (const module of this.modules.values()) {
      let instance: object | undefined;
      try {
        instance = module.instance;
      } catch {
        continue; // Nest's internal modules have no instance
      }
      if (instance && !seen.has(instance)) {
        seen.add(instance);
        modules.push(instance);
      }
    }
    for (const module of this.modules.values()) {
      for (const wrapper of module.providers.values()) {
        const instance = wrapper.isDependencyTreeStatic() && !wrapper.isTransient ? (wrapper.instance as object | undefined) : undefined;
        if (instance && typeof instance === 'object' && !seen.has(instance) && instance !== this) {
          seen.add(instance);
          providers.push(instance);
        }
      }
    }
    return [...modules, ...providers];
  }
}
