/** Errors services throw; the global ExceptionEnvelopeFilter maps them to the standard envelope. */
export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(entity = 'Resource') {
    super('NOT_FOUND', 404, `${entity} not found`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to perform this action') {
    super('FORBIDDEN', 403, message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', 401, message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', 409, message);
  }
}

export class ValidationError extends DomainError {
  constructor(details: FieldError[], message = 'Request validation failed') {
    super('VALIDATION_ERROR', 400, message, details);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'Too many requests') {
    super('RATE_LIMITED', 429, message);
  }
}

export class LockedError extends DomainError {
  constructor(message: string) {
    super('ACCOUNT_LOCKED', 423, message);
  }
}
