/** Where in a file an error points (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** Key path inside the document, e.g. `auth.lockout.maxAttempts` or `modules[1]`. */
  path?: string;
}

export interface PlatformErrorDetail {
  message: string;
  location?: SourceLocation;
}

export interface PlatformErrorOptions {
  code: string;
  message: string;
  /** 2 for a bad spec or bad usage (the caller can fix the input), 1 for everything else. */
  exitCode?: 1 | 2;
  suggestions?: string[];
  location?: SourceLocation;
  /** Further problems of the same kind (a spec usually has more than one). */
  details?: PlatformErrorDetail[];
  cause?: unknown;
}

/**
 * The one error type the engine throws for anything a user can act on. It carries a stable code,
 * where the problem is and how to fix it; only the CLI layer turns it into text and an exit code.
 */
export class PlatformError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;
  readonly suggestions: string[];
  readonly location?: SourceLocation;
  readonly details: PlatformErrorDetail[];

  constructor(options: PlatformErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlatformError';
    this.code = options.code;
    this.exitCode = options.exitCode ?? 1;
    this.suggestions = options.suggestions ?? [];
    this.location = options.location;
    this.details = options.details ?? [];
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      ...(this.location ? { location: this.location } : {}),
      suggestions: this.suggestions,
      ...(this.details.length > 0 ? { details: this.details } : {}),
    };
  }
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
