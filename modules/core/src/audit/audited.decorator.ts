import { SetMetadata } from '@nestjs/common';

export const AUDIT_KEY = 'platform:audit';

export interface AuditMetadata {
  /** e.g. `task.moved`; default `<entity_type>.<create|update|delete>` from the route. */
  action?: string;
  entityType?: string;
  /** `false`: this mutation is not recorded (e.g. it records itself or carries nothing worth keeping). */
  skip?: boolean;
}

/** Names what the audit trail records for a route; mutations are recorded without it too. */
export const Audited = (metadata: AuditMetadata): MethodDecorator & ClassDecorator => SetMetadata(AUDIT_KEY, metadata);
