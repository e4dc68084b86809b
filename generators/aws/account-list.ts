import {
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListParentsCommand,
  ListRootsCommand,
  paginateListAccounts,
  paginateListOrganizationalUnitsForParent,
  paginateListTagsForResource,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { ProductSpec } from '../spec/product-spec.js';
import { readAccountState } from './account-state.js';
import { TAG_ENV, TAG_PRODUCT } from './account-vending.js';
import { awsErrorName, toAwsPlatformError } from './aws-errors.js';

export interface ProductAccount {
  env: string;
  accountId?: string;
  name?: string;
  email?: string;
  /** ACTIVE, SUSPENDED, ... from Organizations; CREATING / FAILED for a recorded request; MISSING when nothing exists. */
  status: string;
  ou?: { id: string; name?: string };
  /** platform.yaml aws.accounts.<env> holds this id. */
  inSpec: boolean;
  /** The account carries product=<product> and env=<env>. */
  tagged: boolean;
  problems: string[];
}

export interface ProductAccounts {
  product: string;
  region?: string;
  accounts: ProductAccount[];
}

/**
 * `platform account list`: the product's accounts found in Organizations by their tags, joined with
 * platform.yaml `aws.accounts` and pending requests recorded in `.platform/accounts.json`. Read-only.
 */
export async function listProductAccounts(options: { dir: string; spec: ProductSpec; client: OrganizationsClient }): Promise<ProductAccounts> {
  try {
    return await collect(options);
  } catch (error) {
    throw toAwsPlatformError(error);
  }
}

async function collect({ dir, spec, client }: { dir: string; spec: ProductSpec; client: OrganizationsClient }): Promise<ProductAccounts> {
  const product = spec.name;
  const specAccounts = spec.aws?.accounts ?? {};
  const byEnv = new Map<string, ProductAccount>();
  const tagsOf = async (id: string) => {
    const tags: Record<string, string> = {};
    for await (const page of paginateListTagsForResource({ client }, { ResourceId: id })) for (const t of page.Tags ?? []) tags[t.Key!] = t.Value ?? '';
    return tags;
  };
  const row = (env: string, account: Account, tagged: boolean): ProductAccount => ({
    env,
    accountId: account.Id,
    name: account.Name,
    email: account.Email,
    status: String(account.State ?? account.Status ?? 'UNKNOWN'),
    inSpec: specAccounts[env] === account.Id,
    tagged,
    problems: [],
  });

  for await (const page of paginateListAccounts({ client }, {})) {
    for (const account of page.Accounts ?? []) {
      const tags = await tagsOf(account.Id!);
      if (tags[TAG_PRODUCT] !== product || !tags[TAG_ENV]) continue;
      const env = tags[TAG_ENV]!;
      const current = byEnv.get(env);
      if (current) {
        current.problems.push(`account ${account.Id} is tagged ${TAG_ENV}=${env} too`);
        continue;
      }
      byEnv.set(env, row(env, account, true));
    }
  }

  for (const [env, id] of Object.entries(specAccounts)) {
    const found = byEnv.get(env);
    if (found?.accountId === id) continue;
    let account: Account | undefined;
    try {
      account = (await client.send(new DescribeAccountCommand({ AccountId: id }))).Account;
    } catch (error) {
      if (awsErrorName(error) !== 'AccountNotFoundException') throw error;
    }
    if (found) {
      found.problems.push(`platform.yaml aws.accounts.${env} is ${id}, but the account tagged for ${env} is ${found.accountId}`);
      continue;
    }
    const listed: ProductAccount = account
      ? row(env, account, false)
      : { env, accountId: id, status: 'NOT_IN_ORGANIZATION', inSpec: true, tagged: false, problems: [] };
    listed.problems.push(account ? `not tagged ${TAG_PRODUCT}=${product} ${TAG_ENV}=${env}` : `aws.accounts.${env} ${id} is not an account of this organization`);
    byEnv.set(env, listed);
  }

  const state = await readAccountState(dir);
  for (const [env, record] of Object.entries(state.environments)) {
    if (byEnv.has(env) || !record.createAccountRequestId) continue;
    let status = 'CREATING';
    const problems: string[] = [];
    try {
      const { CreateAccountStatus: request } = await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: record.createAccountRequestId }));
      if (request?.State === 'FAILED') {
        status = 'FAILED';
        problems.push(`CreateAccount failed: ${request.FailureReason}`);
      } else if (request?.State === 'SUCCEEDED') {
        status = 'CREATED';
        problems.push(`created as ${request.AccountId}; run \`platform account create ${product}\` to finish (OU, platform.yaml)`);
      }
    } catch (error) {
      if (awsErrorName(error) !== 'CreateAccountStatusNotFoundException') throw error;
      status = 'UNKNOWN';
      problems.push(`request ${record.createAccountRequestId} is unknown to AWS`);
    }
    byEnv.set(env, { env, name: record.accountName, email: record.email, status, inSpec: false, tagged: false, problems });
  }

  // Where each account sits, with the OU's name when it hangs under the root.
  const rootId = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
  const ouNames = new Map<string, string>();
  if (rootId) {
    ouNames.set(rootId, 'Root');
    for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: rootId })) {
      for (const ou of page.OrganizationalUnits ?? []) ouNames.set(ou.Id!, ou.Name!);
    }
  }
  for (const account of byEnv.values()) {
    if (!account.accountId || account.status === 'NOT_IN_ORGANIZATION') continue;
    const parent = (await client.send(new ListParentsCommand({ ChildId: account.accountId }))).Parents?.[0];
    if (parent?.Id) account.ou = { id: parent.Id, ...(ouNames.has(parent.Id) ? { name: ouNames.get(parent.Id) } : {}) };
  }

  const order = ['dev', 'staging', 'prod'];
  const rank = (env: string) => (order.includes(env) ? order.indexOf(env) : order.length);
  const accounts = [...byEnv.values()].sort((a, b) => rank(a.env) - rank(b.env) || a.env.localeCompare(b.env));
  return { product, ...(spec.aws ? { region: spec.aws.region } : {}), accounts };
}
