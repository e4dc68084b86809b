import type { z } from 'zod';
import { PlatformError } from '../errors.js';
import { parseSpecDocument } from './load-spec.js';

/** Parses YAML text against a zod schema, with errors that carry key path and line:column. */
export function parseYamlWithSchema<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  error: { code: string; exitCode: 1 | 2; suggestions: string[] },
): z.output<S> {
  try {
    return parseSpecDocument(text, file, schema).value;
  } catch (cause) {
    if (cause instanceof PlatformError) {
      throw new PlatformError({
        code: error.code,
        message: cause.message,
        exitCode: error.exitCode,
        location: cause.location,
        details: cause.details,
        suggestions: error.suggestions,
      });
    }
    throw cause;
  }
}
