import { OrganizationsClient, type OrganizationsClientConfig } from '@aws-sdk/client-organizations';

/** Overrides the Organizations endpoint (tests point it at a local server); AWS_ENDPOINT_URL_ORGANIZATIONS also works. */
export const ORGANIZATIONS_ENDPOINT_ENV = 'PLATFORM_ORGANIZATIONS_ENDPOINT';

/**
 * The real SDK client with AWS's normal configuration (credential chain, AWS_PROFILE, ...).
 * Organizations is a global service served from us-east-1 in the commercial partition, so the
 * client's region only matters for other partitions.
 */
export function createOrganizationsClient(config: OrganizationsClientConfig = {}, env: NodeJS.ProcessEnv = process.env): OrganizationsClient {
  // The SDK is pinned; its Node 20 warning is about releases after January 2027, not this one.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = env[ORGANIZATIONS_ENDPOINT_ENV];
  return new OrganizationsClient({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...config,
  });
}
