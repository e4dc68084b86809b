import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListCreateAccountStatusCommand,
  ListParentsCommand,
  ListRootsCommand,
  MoveAccountCommand,
  paginateListAccounts,
  paginateListOrganizationalUnitsForParent,
  paginateListTagsForResource,
  TagResourceCommand,
  type Account,
  type CreateAccountStatus,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { PlatformError } from '../errors.js';
import type { ProductSpec } from '../spec/product-spec.js';
import { ACCOUNT_STATE_FILE, readAccountState, writeAccountState, type AccountState, type EnvironmentRecord } from './account-state.js';
import { awsErrorName, toAwsPlatformError } from './aws-errors.js';
import { backoffDelay, DEFAULT_BACKOFF, realSleep, type BackoffPolicy, type Sleep } from './backoff.js';
import { writeAccountIdsToSpec } from './spec-accounts.js';

export const TAG_PRODUCT = 'product';
export const TAG_ENV = 'env';
export const DEFAULT_ENVS = ['dev', 'staging', 'prod'] as const;
export const DEFAULT_OU = 'Workloads';
export const DEFAULT_EMAIL_PATTERN = 'aws+{product}-{env}@example.com';
export const ENV_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
/** The role Organizations creates in every new account, assumable from the management account. */
export const ACCESS_ROLE = 'OrganizationAccountAccessRole';

export interface VendingOptions {
  dir: string;
  spec: ProductSpec;
  envs: readonly string[];
  ouName: string;
  emailPattern: string;
  region: string;
  /** Account the CI/CD pipeline deploys from; printed as `cdk bootstrap --trust`. */
  ciAccount?: string;
  /** Only read: no CreateAccount, no OU, no move, no file written. */
  dryRun?: boolean;
  client: OrganizationsClient;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  backoff?: BackoffPolicy;
  /** Longest wait for one account (default 30 minutes); the request id is kept so a re-run resumes. */
  maxWaitMs?: number;
  /** Attempts after ConcurrentModificationException / CONCURRENT_ACCOUNT_MODIFICATION / throttling (default 6). */
  maxAttempts?: number;
}

/** What happened to an environment's account in this run. */
export type AccountAction = 'created' | 'resumed' | 'adopted' | 'existing' | 'would-create' | 'would-resume';
/** Where the account sits: moved into the OU now, already there, would be moved (dry run), or left in another OU. */
export type PlacementAction = 'moved' | 'in-ou' | 'would-move' | 'other-ou';

export interface VendedAccount {
  env: string;
  accountName: string;
  email: string;
  accountId?: string;
  action: AccountAction;
  placement?: PlacementAction;
  parentId?: string;
  createAccountRequestId?: string;
  notes: string[];
}

export interface VendingResult {
  product: string;
  region: string;
  dryRun: boolean;
  ou: { name: string; id?: string; action: 'created' | 'existing' | 'would-create' };
  accounts: VendedAccount[];
  /** platform.yaml got new account ids (never in a dry run). */
  specUpdated: boolean;
  stateFile: string;
  nextCommands: string[];
}

export interface VendingStep {
  title: string;
  /** Runs the step; `report` receives progress lines (for a spinner). Returns the step's final title. */
  run(report: (status: string) => void): Promise<string>;
}

const QUOTA_HINT =
  'Ask for a higher "Default maximum number of accounts" in Service Quotas (console: Service Quotas → AWS Organizations, or ' +
  '`aws service-quotas list-service-quotas --service-code organizations --region us-east-1` then `aws service-quotas request-service-quota-increase`), ' +
  'or open an AWS Support case; then re-run the same command: accounts already created are kept.';

/** Every CreateAccount failure reason that stops the run, with what to do about it. */
const FAILURE_HELP: Record<string, { exitCode: 1 | 2; explanation: string; fix: string }> = {
  ACCOUNT_LIMIT_EXCEEDED: { exitCode: 1, explanation: 'the organization has reached its account quota', fix: QUOTA_HINT },
  CONCURRENT_ACCOUNT_MODIFICATION: { exitCode: 1, explanation: 'other changes to the organization kept conflicting with it, retries exhausted', fix: 'Re-run the same command once the other change (another account creation, a Control Tower enrollment) finished.' },
  INVALID_EMAIL: { exitCode: 2, explanation: 'AWS rejected the email address', fix: 'Use a valid, deliverable address: --email-pattern "aws+{product}-{env}@yourcompany.com".' },
  INVALID_ADDRESS: { exitCode: 1, explanation: "AWS rejected the contact address copied from the management account", fix: 'Fix the contact information of the management account (Billing → Account settings), then re-run.' },
  INTERNAL_FAILURE: { exitCode: 1, explanation: 'AWS had an internal failure', fix: 'Re-run the same command in a few minutes.' },
  GOVCLOUD_ACCOUNT_ALREADY_EXISTS: { exitCode: 1, explanation: 'a GovCloud account already exists for this account', fix: 'Adopt or close the existing GovCloud account, then re-run.' },
  MISSING_BUSINESS_VALIDATION: { exitCode: 1, explanation: 'the management account has not completed business validation', fix: 'Complete business validation of the management account (AWS console or AWS Support), then re-run.' },
  FAILED_BUSINESS_VALIDATION: { exitCode: 1, explanation: 'business validation of the management account failed', fix: 'Contact AWS Support about the business validation, then re-run.' },
  PENDING_BUSINESS_VALIDATION: { exitCode: 1, explanation: 'business validation of the management account is still pending', fix: 'Wait for AWS to finish the validation (usually an email arrives), then re-run.' },
  INVALID_IDENTITY_FOR_BUSINESS_VALIDATION: { exitCode: 1, explanation: 'the identity used for business validation is invalid', fix: 'Update the management account identity for business validation, then re-run.' },
  UNKNOWN_BUSINESS_VALIDATION: { exitCode: 1, explanation: 'business validation failed for an unknown reason', fix: 'Contact AWS Support, then re-run.' },
  MISSING_PAYMENT_INSTRUMENT: { exitCode: 1, explanation: 'the management account has no valid payment method', fix: 'Add a payment method to the management account (Billing → Payment preferences), then re-run.' },
  INVALID_PAYMENT_INSTRUMENT: { exitCode: 1, explanation: 'the payment method of the management account was rejected', fix: 'Update the payment method of the management account, then re-run.' },
  UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED: { exitCode: 1, explanation: 'the organization resource policy cannot be updated with tags', fix: 'Create the account without the tag policy conflict (see AWS Organizations resource policy), then re-run.' },
};

export function accountNameFor(product: string, env: string): string {
  return `${product}-${env}`;
}

export function emailFor(pattern: string, product: string, env: string): string {
  return pattern.replaceAll('{product}', product).replaceAll('{env}', env);
}

/**
 * `platform account create`: one AWS account per environment of a product, in an OU, tagged
 * product/env, recorded in `.platform/accounts.json` (resumable) and in platform.yaml `aws.accounts`.
 */
export class AccountVending {
  private readonly client: OrganizationsClient;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly maxWaitMs: number;
  private readonly maxAttempts: number;
  private readonly dryRun: boolean;
  private readonly product: string;
  private ou: VendingResult['ou'];
  private readonly accounts = new Map<string, VendedAccount>();
  private accountCache?: Account[];
  private specUpdated = false;

  private constructor(
    private readonly options: VendingOptions,
    private readonly state: AccountState,
  ) {
    this.client = options.client;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxWaitMs = options.maxWaitMs ?? 30 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.dryRun = options.dryRun ?? false;
    this.product = options.spec.name;
    this.ou = { name: options.ouName, action: 'existing' };
  }

  static async open(options: VendingOptions): Promise<AccountVending> {
    validateVendingOptions(options);
    return new AccountVending(options, await readAccountState(options.dir));
  }

  /** The OU first, then one step per environment, in order. */
  steps(): VendingStep[] {
    const guard = (fn: (report: (status: string) => void) => Promise<string>) => async (report: (status: string) => void) => {
      try {
        return await fn(report);
      } catch (error) {
        throw toAwsPlatformError(error);
      }
    };
    return [
      { title: `Organizational unit ${this.options.ouName}`, run: guard(() => this.ensureOu()) },
      ...this.options.envs.map((env) => ({
        title: `Account ${accountNameFor(this.product, env)}`,
        run: guard(async (report) => describeOutcome(await this.vendEnvironment(env, report))),
      })),
    ];
  }

  /** Records what was vended in platform.yaml (not in a dry run) and returns the outcome. Call it even after a failed step. */
  async finish(): Promise<VendingResult> {
    const ids = Object.fromEntries([...this.accounts.values()].filter((a) => a.accountId && !a.action.startsWith('would')).map((a) => [a.env, a.accountId!]));
    if (!this.dryRun && Object.keys(ids).length > 0) this.specUpdated = await writeAccountIdsToSpec(this.options.dir, ids, this.options.region);
    const accounts = this.options.envs.flatMap((env) => (this.accounts.has(env) ? [this.accounts.get(env)!] : []));
    return {
      product: this.product,
      region: this.options.region,
      dryRun: this.dryRun,
      ou: this.ou,
      accounts,
      specUpdated: this.specUpdated,
      stateFile: ACCOUNT_STATE_FILE,
      nextCommands: this.dryRun ? [] : nextCommands(this.product, this.options.region, accounts, this.options.ciAccount),
    };
  }

  private async ensureOu(): Promise<string> {
    const { ouName } = this.options;
    const rootId = await this.rootId();
    const existing = await this.findOu(rootId, ouName);
    if (existing) {
      this.ou = { name: ouName, id: existing, action: 'existing' };
      await this.saveOu(existing);
      return `Organizational unit ${ouName} (${existing})`;
    }
    if (this.dryRun) {
      this.ou = { name: ouName, action: 'would-create' };
      return `Organizational unit ${ouName} would be created under ${rootId}`;
    }
    let id: string;
    try {
      const created = await this.send(() => this.client.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: ouName })));
      id = created.OrganizationalUnit!.Id!;
    } catch (error) {
      // Someone else created it between our look-up and our call.
      if (awsErrorName(error) !== 'DuplicateOrganizationalUnitException') throw error;
      id = (await this.findOu(rootId, ouName))!;
    }
    this.ou = { name: ouName, id, action: 'created' };
    await this.saveOu(id);
    return `Created organizational unit ${ouName} (${id})`;
  }

  private async saveOu(id: string): Promise<void> {
    if (this.dryRun || (this.state.ou?.id === id && this.state.ou.name === this.options.ouName)) return;
    this.state.ou = { name: this.options.ouName, id };
    await this.save();
  }

  private async rootId(): Promise<string> {
    const { Roots } = await this.send(() => this.client.send(new ListRootsCommand({})));
    const id = Roots?.[0]?.Id;
    if (!id) throw new PlatformError({ code: 'ORGANIZATIONS_NO_ROOT', message: 'The organization has no root (ListRoots returned none)', exitCode: 1 });
    return id;
  }

  private async findOu(parentId: string, name: string): Promise<string | undefined> {
    for await (const page of paginateListOrganizationalUnitsForParent({ client: this.client }, { ParentId: parentId })) {
      const match = page.OrganizationalUnits?.find((ou) => ou.Name === name);
      if (match?.Id) return match.Id;
    }
    return undefined;
  }

  private async vendEnvironment(env: string, report: (status: string) => void): Promise<VendedAccount> {
    const accountName = accountNameFor(this.product, env);
    const email = emailFor(this.options.emailPattern, this.product, env);
    const outcome: VendedAccount = { env, accountName, email, action: 'existing', notes: [] };
    this.accounts.set(env, outcome);
    const record: EnvironmentRecord = this.state.environments[env] ?? { accountName, email };

    // 1. An account in platform.yaml (the owner's word wins), or recorded by an earlier run.
    const inSpec = this.options.spec.aws?.accounts[env];
    const known = inSpec ?? record.accountId;
    if (known) {
      report(`checking account ${known}`);
      const account = await this.describeAccount(known);
      if (account) {
        await this.checkOwnTags(account, env, inSpec ? `platform.yaml aws.accounts.${env}` : ACCOUNT_STATE_FILE, outcome);
        outcome.accountId = known;
      } else if (!inSpec) {
        outcome.notes.push(`account ${known} recorded in ${ACCOUNT_STATE_FILE} is no longer in the organization; looking again`);
        delete record.accountId;
      } else {
        throw new PlatformError({
          code: 'ACCOUNT_NOT_IN_ORGANIZATION',
          message: `platform.yaml aws.accounts.${env} is ${known}, which is not an account of this organization`,
          exitCode: 2,
          suggestions: [`Remove aws.accounts.${env} from platform.yaml to create the account, or fix the id, then re-run \`platform account create ${this.product}\`.`],
        });
      }
    }

    // 2. A CreateAccount request of an interrupted run.
    let pending: CreateAccountStatus | undefined;
    let resumed = false;
    if (!outcome.accountId && record.createAccountRequestId) {
      report(`resuming request ${record.createAccountRequestId}`);
      pending = await this.describeRequest(record.createAccountRequestId);
      if (pending) resumed = true;
      else {
        outcome.notes.push(`request ${record.createAccountRequestId} is unknown to AWS (requests expire after 90 days); looking again`);
        delete record.createAccountRequestId;
      }
    }

    // 3. An account tagged for this product and environment, or a request still running under its name.
    if (!outcome.accountId && !pending) {
      report('looking for an existing account');
      const found = await this.findTaggedAccount(accountName, env, outcome);
      if (found) {
        outcome.accountId = found;
        outcome.action = 'adopted';
      } else {
        pending = await this.findRunningRequest(accountName);
        if (pending) {
          resumed = true;
          outcome.notes.push(`found CreateAccount request ${pending.Id} still running for ${accountName}`);
        }
      }
    }

    // 4. Create (or wait for) the account.
    for (let attempt = 1; !outcome.accountId; attempt += 1) {
      if (!pending) {
        if (this.dryRun) {
          outcome.action = 'would-create';
          break;
        }
        report(`CreateAccount ${accountName} <${email}>`);
        pending = await this.createAccount(accountName, email, env);
        record.createAccountRequestId = pending.Id!;
        outcome.createAccountRequestId = pending.Id!;
        await this.saveRecord(env, record);
      }
      outcome.createAccountRequestId = pending.Id;
      if (pending.State === 'IN_PROGRESS') {
        if (this.dryRun) {
          outcome.action = 'would-resume';
          break;
        }
        pending = await this.waitForRequest(pending.Id!, accountName, report);
      }
      if (pending.State === 'SUCCEEDED') {
        outcome.accountId = pending.AccountId!;
        outcome.action = resumed ? 'resumed' : 'created';
        delete record.createAccountRequestId;
        break;
      }
      const reason = pending.FailureReason ?? 'UNKNOWN';
      delete record.createAccountRequestId;
      await this.saveRecord(env, record);
      if (reason === 'CONCURRENT_ACCOUNT_MODIFICATION' && attempt < this.maxAttempts) {
        outcome.notes.push(`CreateAccount failed with CONCURRENT_ACCOUNT_MODIFICATION; retried (attempt ${attempt + 1})`);
        report('another change to the organization is running; retrying');
        await this.sleep(backoffDelay(this.backoff, attempt - 1, this.random));
        pending = undefined;
        resumed = false;
        continue;
      }
      if (reason === 'EMAIL_ALREADY_EXISTS') {
        outcome.accountId = await this.adoptByEmail(email, env, accountName);
        outcome.action = 'adopted';
        outcome.notes.push(`${email} already belonged to account ${outcome.accountId}, tagged ${TAG_PRODUCT}=${this.product} ${TAG_ENV}=${env}: adopted`);
        break;
      }
      throw creationFailure(reason, accountName, email, this.product);
    }

    if (outcome.accountId && !outcome.action.startsWith('would')) {
      record.accountId = outcome.accountId;
      await this.saveRecord(env, record);
    }
    if (outcome.accountId || outcome.action === 'would-create' || outcome.action === 'would-resume') await this.place(outcome, report);
    return outcome;
  }

  private async createAccount(accountName: string, email: string, env: string): Promise<CreateAccountStatus> {
    try {
      const { CreateAccountStatus: status } = await this.send(() =>
        this.client.send(
          new CreateAccountCommand({
            AccountName: accountName,
            Email: email,
            RoleName: ACCESS_ROLE,
            Tags: [
              { Key: TAG_PRODUCT, Value: this.product },
              { Key: TAG_ENV, Value: env },
            ],
          }),
        ),
      );
      return status!;
    } catch (error) {
      const reason = (error as { Reason?: string }).Reason;
      if (awsErrorName(error) === 'ConstraintViolationException' && reason === 'ACCOUNT_NUMBER_LIMIT_EXCEEDED') {
        throw creationFailure('ACCOUNT_LIMIT_EXCEEDED', accountName, email, this.product);
      }
      throw error;
    }
  }

  private async waitForRequest(requestId: string, accountName: string, report: (status: string) => void): Promise<CreateAccountStatus> {
    const started = this.now();
    for (let attempt = 0; ; attempt += 1) {
      const status = await this.describeRequest(requestId);
      if (!status) {
        throw new PlatformError({ code: 'ACCOUNT_REQUEST_NOT_FOUND', message: `CreateAccount request ${requestId} for ${accountName} disappeared`, exitCode: 1 });
      }
      if (status.State !== 'IN_PROGRESS') return status;
      if (this.now() - started >= this.maxWaitMs) {
        throw new PlatformError({
          code: 'ACCOUNT_CREATION_TIMEOUT',
          message: `${accountName} is still being created after ${Math.round(this.maxWaitMs / 60_000)} minutes (request ${requestId})`,
          exitCode: 1,
          suggestions: [`Re-run \`platform account create ${this.product}\` later: it resumes from the request id recorded in ${ACCOUNT_STATE_FILE}.`],
        });
      }
      const delay = backoffDelay(this.backoff, attempt, this.random);
      report(`${accountName}: IN_PROGRESS (request ${requestId}); next check in ${Math.ceil(delay / 1000)}s`);
      await this.sleep(delay);
    }
  }

  private async describeRequest(requestId: string): Promise<CreateAccountStatus | undefined> {
    try {
      const { CreateAccountStatus: status } = await this.send(() =>
        this.client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId })),
      );
      return status;
    } catch (error) {
      if (awsErrorName(error) === 'CreateAccountStatusNotFoundException') return undefined;
      throw error;
    }
  }

  private async findRunningRequest(accountName: string): Promise<CreateAccountStatus | undefined> {
    const { CreateAccountStatuses } = await this.send(() => this.client.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] })));
    return CreateAccountStatuses?.find((status) => status.AccountName === accountName);
  }

  private async describeAccount(id: string): Promise<Account | undefined> {
    try {
      const { Account: account } = await this.send(() => this.client.send(new DescribeAccountCommand({ AccountId: id })));
      return account;
    } catch (error) {
      if (awsErrorName(error) === 'AccountNotFoundException') return undefined;
      throw error;
    }
  }

  private async listAccounts(refresh = false): Promise<Account[]> {
    if (!this.accountCache || refresh) {
      const accounts: Account[] = [];
      for await (const page of paginateListAccounts({ client: this.client }, {})) accounts.push(...(page.Accounts ?? []));
      this.accountCache = accounts;
    }
    return this.accountCache;
  }

  async tagsOf(accountId: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    for await (const page of paginateListTagsForResource({ client: this.client }, { ResourceId: accountId })) {
      for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    }
    return tags;
  }

  /** Accounts named `<product>-<env>` are candidates; only one whose tags say this product and env is ours. */
  private async findTaggedAccount(accountName: string, env: string, outcome: VendedAccount): Promise<string | undefined> {
    for (const account of (await this.listAccounts()).filter((a) => a.Name === accountName)) {
      const tags = await this.tagsOf(account.Id!);
      if (tags[TAG_PRODUCT] === this.product && tags[TAG_ENV] === env && isUsable(account)) return account.Id;
      outcome.notes.push(`account ${account.Id} is named ${accountName} but is not tagged ${TAG_PRODUCT}=${this.product} ${TAG_ENV}=${env} (or is not active); not adopted`);
    }
    return undefined;
  }

  private async adoptByEmail(email: string, env: string, accountName: string): Promise<string> {
    const owner = (await this.listAccounts(true)).find((a) => a.Email?.toLowerCase() === email.toLowerCase());
    if (!owner) {
      throw new PlatformError({
        code: 'ACCOUNT_EMAIL_IN_USE',
        message: `CreateAccount ${accountName} failed: EMAIL_ALREADY_EXISTS — ${email} belongs to an AWS account outside this organization`,
        exitCode: 2,
        suggestions: [`Use another address: platform account create ${this.product} --email-pattern "aws+{product}-{env}@yourcompany.com"`],
      });
    }
    const tags = await this.tagsOf(owner.Id!);
    if (tags[TAG_PRODUCT] !== this.product || tags[TAG_ENV] !== env) {
      const seen = `${TAG_PRODUCT}=${tags[TAG_PRODUCT] ?? '(none)'} ${TAG_ENV}=${tags[TAG_ENV] ?? '(none)'}`;
      throw new PlatformError({
        code: 'ACCOUNT_EMAIL_IN_USE',
        message: `CreateAccount ${accountName} failed: EMAIL_ALREADY_EXISTS — ${email} belongs to account ${owner.Id} (${owner.Name}), tagged ${seen}, not ${TAG_PRODUCT}=${this.product} ${TAG_ENV}=${env}; not adopted`,
        exitCode: 2,
        suggestions: [
          `If that account is meant to be ${accountName}: aws organizations tag-resource --resource-id ${owner.Id} --tags Key=${TAG_PRODUCT},Value=${this.product} Key=${TAG_ENV},Value=${env} — then re-run.`,
          `Otherwise use another address: --email-pattern "aws+{product}-{env}@yourcompany.com"`,
        ],
      });
    }
    if (!isUsable(owner)) {
      throw new PlatformError({
        code: 'ACCOUNT_NOT_ACTIVE',
        message: `${email} belongs to account ${owner.Id}, tagged for ${accountName}, but its status is ${owner.State ?? owner.Status}`,
        exitCode: 1,
        suggestions: ['Reopen the account (AWS Support) or use another --email-pattern.'],
      });
    }
    return owner.Id!;
  }

  /** Accounts given by id (state file, platform.yaml) keep their tags; untagged ones get ours, foreign ones stop the run. */
  private async checkOwnTags(account: Account, env: string, source: string, outcome: VendedAccount): Promise<void> {
    const tags = await this.tagsOf(account.Id!);
    if (tags[TAG_PRODUCT] === this.product && tags[TAG_ENV] === env) return;
    if (tags[TAG_PRODUCT] === undefined && tags[TAG_ENV] === undefined) {
      if (this.dryRun) {
        outcome.notes.push(`would tag ${account.Id} ${TAG_PRODUCT}=${this.product} ${TAG_ENV}=${env}`);
        return;
      }
      await this.send(() =>
        this.client.send(
          new TagResourceCommand({
            ResourceId: account.Id!,
            Tags: [
              { Key: TAG_PRODUCT, Value: this.product },
              { Key: TAG_ENV, Value: env },
            ],
          }),
        ),
      );
      outcome.notes.push(`tagged ${account.Id} ${TAG_PRODUCT}=${this.product} ${TAG_ENV}=${env}`);
      return;
    }
    throw new PlatformError({
      code: 'ACCOUNT_TAG_MISMATCH',
      message: `Account ${account.Id} (${source}) is tagged ${TAG_PRODUCT}=${tags[TAG_PRODUCT] ?? '(none)'} ${TAG_ENV}=${tags[TAG_ENV] ?? '(none)'}, not ${TAG_PRODUCT}=${this.product} ${TAG_ENV}=${env}`,
      exitCode: 2,
      suggestions: [`Fix ${source} (or the account's tags), then re-run \`platform account create ${this.product}\`.`],
    });
  }

  private async place(outcome: VendedAccount, report: (status: string) => void): Promise<void> {
    const ouId = this.ou.id;
    if (!outcome.accountId || !ouId) {
      outcome.placement = 'would-move';
      return;
    }
    report(`checking where ${outcome.accountId} sits`);
    const { Parents } = await this.send(() => this.client.send(new ListParentsCommand({ ChildId: outcome.accountId! })));
    const parent = Parents?.[0];
    outcome.parentId = parent?.Id;
    if (parent?.Id === ouId) {
      outcome.placement = 'in-ou';
      return;
    }
    if (parent?.Type !== 'ROOT') {
      outcome.placement = 'other-ou';
      outcome.notes.push(`account ${outcome.accountId} is in ${parent?.Id ?? 'an unknown parent'}, not the root: left there (move it by hand if ${this.ou.name} is where it belongs)`);
      return;
    }
    if (this.dryRun) {
      outcome.placement = 'would-move';
      return;
    }
    report(`moving ${outcome.accountId} into ${this.ou.name}`);
    try {
      await this.send(() =>
        this.client.send(new MoveAccountCommand({ AccountId: outcome.accountId!, SourceParentId: parent.Id!, DestinationParentId: ouId })),
      );
    } catch (error) {
      // Moved by a concurrent run between ListParents and MoveAccount.
      if (awsErrorName(error) !== 'DuplicateAccountException') throw error;
    }
    outcome.placement = 'moved';
    outcome.parentId = ouId;
  }

  /** Retries what AWS asks to retry: ConcurrentModificationException and throttling, with backoff and jitter. */
  private async send<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const name = awsErrorName(error);
        const retryable = name === 'ConcurrentModificationException' || name === 'TooManyRequestsException';
        if (!retryable || attempt >= this.maxAttempts) throw error;
        await this.sleep(backoffDelay(this.backoff, attempt - 1, this.random));
      }
    }
  }

  private async saveRecord(env: string, record: EnvironmentRecord): Promise<void> {
    if (this.dryRun) return;
    this.state.environments[env] = record;
    await this.save();
  }

  private async save(): Promise<void> {
    await writeAccountState(this.options.dir, this.state);
  }
}

/** Runs every step in order; platform.yaml still records what succeeded when a step fails. */
export async function vendAccounts(options: VendingOptions, onStatus?: (step: string, status: string) => void): Promise<VendingResult> {
  const vending = await AccountVending.open(options);
  let failure: unknown;
  try {
    for (const step of vending.steps()) await step.run((status) => onStatus?.(step.title, status));
  } catch (error) {
    failure = error;
  }
  const result = await vending.finish();
  if (failure) throw failure;
  return result;
}

function isUsable(account: Account): boolean {
  return (account.State ?? account.Status) === 'ACTIVE';
}

function validateVendingOptions(options: VendingOptions): void {
  const usage = (message: string, suggestion: string) => new PlatformError({ code: 'USAGE', message, exitCode: 2, suggestions: [suggestion] });
  if (options.envs.length === 0) throw usage('--envs lists no environment', '--envs dev,staging,prod');
  const bad = options.envs.find((env) => !ENV_NAME_PATTERN.test(env));
  if (bad) throw usage(`--envs: "${bad}" is not an environment name (lowercase letters, digits, dashes)`, '--envs dev,staging,prod');
  if (!options.emailPattern.includes('{env}')) {
    throw usage(`--email-pattern "${options.emailPattern}" has no {env}: every account needs its own address`, '--email-pattern "aws+{product}-{env}@yourcompany.com"');
  }
  for (const env of options.envs) {
    const email = emailFor(options.emailPattern, options.spec.name, env);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 64) {
      throw usage(`--email-pattern gives "${email}", which is not a valid email address (at most 64 characters)`, '--email-pattern "aws+{product}-{env}@yourcompany.com"');
    }
    if (accountNameFor(options.spec.name, env).length > 50) throw usage(`account name ${accountNameFor(options.spec.name, env)} is longer than 50 characters`, 'Use shorter environment names.');
  }
  if (!/^[\s\S]{1,128}$/.test(options.ouName)) throw usage('--ou must be 1-128 characters', '--ou Workloads');
  if (options.ciAccount !== undefined && !/^[0-9]{12}$/.test(options.ciAccount)) throw usage(`--ci-account "${options.ciAccount}" is not a 12-digit account id`, '--ci-account 123456789012');
}

function creationFailure(reason: string, accountName: string, email: string, product: string): PlatformError {
  const help = FAILURE_HELP[reason];
  if (reason === 'ACCOUNT_LIMIT_EXCEEDED') {
    return new PlatformError({
      code: 'ACCOUNT_LIMIT_EXCEEDED',
      message: `CreateAccount ${accountName} failed: ACCOUNT_LIMIT_EXCEEDED — ${help!.explanation}`,
      exitCode: 1,
      suggestions: [help!.fix],
    });
  }
  return new PlatformError({
    code: 'ACCOUNT_CREATION_FAILED',
    message: `CreateAccount ${accountName} <${email}> failed: ${reason}${help ? ` — ${help.explanation}` : ''}`,
    exitCode: help?.exitCode ?? 1,
    suggestions: [help?.fix ?? `See the AWS Organizations documentation of CreateAccountStatus FailureReason ${reason}; then re-run \`platform account create ${product}\`.`],
  });
}

function describeOutcome(account: VendedAccount): string {
  const where = { moved: 'moved into the OU', 'in-ou': 'in the OU', 'would-move': 'would be moved into the OU', 'other-ou': 'left in another OU' }[account.placement ?? 'in-ou'];
  switch (account.action) {
    case 'would-create':
      return `${account.accountName}: would be created <${account.email}>`;
    case 'would-resume':
      return `${account.accountName}: request ${account.createAccountRequestId} still running; would wait for it`;
    default:
      return `${account.accountName}: ${account.action} ${account.accountId} (${where})`;
  }
}

function nextCommands(product: string, region: string, accounts: VendedAccount[], ciAccount?: string): string[] {
  const sourceProfile = process.env.AWS_PROFILE ?? 'default';
  const lines: string[] = [];
  for (const account of accounts) {
    if (!account.accountId) continue;
    const profile = `${product}-${account.env}`;
    lines.push(`aws configure set role_arn arn:aws:iam::${account.accountId}:role/${ACCESS_ROLE} --profile ${profile}`);
    lines.push(`aws configure set source_profile ${sourceProfile} --profile ${profile}`);
    lines.push(`aws configure set region ${region} --profile ${profile}`);
  }
  for (const account of accounts) {
    if (!account.accountId) continue;
    const trust = ciAccount
      ? ` --trust ${ciAccount} --trust-for-lookup ${ciAccount} --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess`
      : '';
    // Outside us-east-1 the cell's CloudFront web ACL is a separate us-east-1 stack: that region needs bootstrapping too.
    const targets = [region, ...(region === 'us-east-1' ? [] : ['us-east-1'])].map((r) => `aws://${account.accountId}/${r}`);
    lines.push(`(cd infra && npx cdk bootstrap ${targets.join(' ')} --profile ${product}-${account.env}${trust})`);
  }
  for (const account of accounts) if (account.accountId) lines.push(`platform deploy --env ${account.env}`);
  return lines;
}
