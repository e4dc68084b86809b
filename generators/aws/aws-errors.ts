import { PlatformError } from '../errors.js';

/** The AWS error name (`AccessDeniedException`, ...) of an SDK error, or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; $metadata?: unknown };
  return typeof candidate.name === 'string' && candidate.$metadata !== undefined ? candidate.name : undefined;
}

/** Turns what the SDK throws into an error a user can act on; PlatformErrors pass through. */
export function toAwsPlatformError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  const err = error as Error & { name?: string };
  const name = awsErrorName(error);
  const aws = (code: string, message: string, suggestions: string[], exitCode: 1 | 2 = 1) =>
    new PlatformError({ code, message, exitCode, suggestions, cause: error });
  switch (name) {
    case 'AccessDeniedException':
      return aws('AWS_ACCESS_DENIED', `AWS Organizations denied the call: ${err.message}`, [
        'Run with credentials of the organization\'s management account (or a delegated administrator), e.g. AWS_PROFILE=management.',
      ]);
    case 'AWSOrganizationsNotInUseException':
      return aws('ORGANIZATIONS_NOT_IN_USE', 'These credentials belong to an account that is not in an AWS Organization', [
        'Create an organization (aws organizations create-organization --feature-set ALL) or use the management account\'s credentials.',
      ]);
    case 'ConcurrentModificationException':
    case 'TooManyRequestsException':
      return aws('ORGANIZATIONS_BUSY', `AWS Organizations kept answering ${name} after several retries`, ['Re-run the same command in a few minutes; it resumes where it stopped.']);
    case 'ConstraintViolationException':
      return aws('ORGANIZATIONS_CONSTRAINT', `AWS Organizations refused the change: ${err.message}${(error as { Reason?: string }).Reason ? ` (${(error as { Reason?: string }).Reason})` : ''}`, [
        'See the AWS Organizations quotas and constraints for the reason shown.',
      ]);
    case undefined:
      break;
    default:
      return aws('AWS_ERROR', `AWS Organizations: ${name}: ${err.message}`, ['Re-run with DEBUG=1 for the stack trace.']);
  }
  if (err?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(err?.message ?? '')) {
    return aws('AWS_CREDENTIALS_MISSING', `No AWS credentials: ${err.message}`, [
      'Sign in to the management account first: `aws sso login --profile management` and AWS_PROFILE=management, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
    ]);
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET'].includes((error as { code?: string }).code ?? '')) {
    return aws('AWS_UNREACHABLE', `Cannot reach AWS Organizations: ${err.message}`, ['Check the network, or PLATFORM_ORGANIZATIONS_ENDPOINT when set.']);
  }
  return new PlatformError({ code: 'INTERNAL', message: err?.message ?? String(error), exitCode: 1, cause: error, suggestions: ['Re-run with DEBUG=1 for the stack trace.'] });
}
