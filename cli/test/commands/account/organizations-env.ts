import { OrganizationsServer, type OrganizationsServerOptions } from '../../../../generators/aws/testing/organizations-server.js';

/** Starts the local Organizations endpoint and returns the environment that points the CLI (its real SDK client) at it. */
export async function startOrganizations(options: OrganizationsServerOptions = {}): Promise<{ server: OrganizationsServer; env: Record<string, string> }> {
  const server = await new OrganizationsServer({ pollsUntilDone: 2, ...options }).start();
  return {
    server,
    env: {
      PLATFORM_ORGANIZATIONS_ENDPOINT: server.url,
      PLATFORM_ORGANIZATIONS_POLL_MS: '20',
      AWS_ACCESS_KEY_ID: 'AKIDPLATFORMTEST',
      AWS_SECRET_ACCESS_KEY: 'platform-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  };
}
