/**
 * What a platform module declares (its `module.yaml`, generated into `src/platform.modules.ts`) and the
 * lifecycle hooks its Nest module class may implement. PlatformLifecycle calls the hooks at bootstrap.
 */

/** A namespace in the permission DSL: `viewer: 'user | team#member | org#member'`, `view: 'viewer + owner + org->admin'`. */
export interface NamespaceDefinition {
  relations: Record<string, string>;
  permissions?: Record<string, string>;
}

export interface PlatformModuleManifest {
  name: string;
  version: string;
  /** custom: the product's own module (`platform generate module`). */
  kind: 'core' | 'optional' | 'custom';
  dependencies: string[];
  permissions: Record<string, NamespaceDefinition>;
  events: { publishes: string[]; subscribes: string[] };
}

/** The part of the PermissionEngine a module needs at setup (implemented by permissions/PermissionEngine). */
export interface NamespaceRegistry {
  defineNamespace(name: string, definition: NamespaceDefinition): void;
}

/** The part of the EventBus a module needs at setup (implemented by events/EventBus). */
export interface EventSubscriber {
  subscribe(type: string, handler: EventHandler): void;
}

export interface PlatformEvent<P extends object = Record<string, unknown>> {
  id: string;
  type: string;
  orgId: string;
  actorId: string | null;
  correlationId: string | null;
  payload: P;
  occurredAt: Date;
}

export type EventHandler = (event: PlatformEvent) => Promise<void> | void;

export interface OnPlatformPermissions {
  onPermissionsSetup(engine: NamespaceRegistry): void | Promise<void>;
}

export interface OnPlatformEvents {
  onEventsSetup(bus: EventSubscriber): void | Promise<void>;
}

export interface OnPlatformReady {
  onPlatformReady(): Promise<void>;
}

export interface OnPlatformShutdown {
  onPlatformShutdown(): Promise<void>;
}
