import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local AWS Organizations endpoint for tests. It speaks the service's JSON 1.1 protocol as the real
 * SDK client sends it (POST /, `X-Amz-Target: AWSOrganizationsV20161128.<Op>`, JSON bodies, epoch-second
 * timestamps, `{ __type, message }` errors with HTTP 400) and accepts any SigV4 signature. It keeps an
 * organization in memory: a root, OUs, accounts with tags, and CreateAccount requests that complete
 * asynchronously after a number of DescribeCreateAccountStatus polls. Failures can be injected.
 */

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const MUTATING = new Set(['CreateAccount', 'CreateOrganizationalUnit', 'MoveAccount', 'TagResource', 'UntagResource']);

export interface RecordedCall {
  operation: string;
  input: Record<string, any>;
}

export interface ServerAccount {
  Id: string;
  Arn: string;
  Email: string;
  Name: string;
  Status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  JoinedMethod: 'CREATED' | 'INVITED';
  JoinedTimestamp: number;
  parentId: string;
  tags: Record<string, string>;
}

interface ServerOu {
  Id: string;
  Arn: string;
  Name: string;
  parentId: string;
}

interface CreateRequest {
  Id: string;
  AccountName: string;
  email: string;
  tags: Record<string, string>;
  RequestedTimestamp: number;
  pollsLeft: number;
  /** Decided at CreateAccount time, revealed when the request completes. */
  outcome: { accountId: string } | { failureReason: string };
  state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  CompletedTimestamp?: number;
}

/** An injected failure: thrown as an AWS error, or (CreateAccount only) the request's FailureReason. */
export interface InjectedFailure {
  operation: string;
  /** AWS error type thrown by the call, e.g. `ConcurrentModificationException`. */
  exception?: string;
  message?: string;
  /** Extra members of the error, e.g. `{ Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED' }`. */
  members?: Record<string, unknown>;
  /** CreateAccount: the request is accepted but completes FAILED with this reason. */
  failureReason?: string;
  /** How many calls it affects (default 1). */
  times?: number;
  /** Only calls whose input matches. */
  when?: (input: Record<string, any>) => boolean;
}

export interface OrganizationsServerOptions {
  /** DescribeCreateAccountStatus calls answered IN_PROGRESS before a request completes (default 2). */
  pollsUntilDone?: number;
  /** Accounts the organization may hold (management account included) before ACCOUNT_LIMIT_EXCEEDED. */
  accountLimit?: number;
  /** Page size of List* operations when the caller sets no MaxResults (default 20). */
  pageSize?: number;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class OrganizationsServer {
  readonly calls: RecordedCall[] = [];
  readonly organizationId = 'o-exampleorg1';
  readonly managementAccountId = '000000000000';
  readonly root = { Id: 'r-ex01', Arn: '', Name: 'Root' };
  readonly ous = new Map<string, ServerOu>();
  readonly accounts = new Map<string, ServerAccount>();
  readonly createRequests = new Map<string, CreateRequest>();
  pollsUntilDone: number;
  accountLimit: number;
  pageSize: number;
  /** Called before each operation is answered; an awaited promise delays the answer. */
  onCall?: (call: RecordedCall) => void | Promise<void>;

  private readonly failures: InjectedFailure[] = [];
  private server?: Server;
  private nextAccount = 100000000001;

  constructor(options: OrganizationsServerOptions = {}) {
    this.pollsUntilDone = options.pollsUntilDone ?? 2;
    this.accountLimit = options.accountLimit ?? 10;
    this.pageSize = options.pageSize ?? 20;
    this.root.Arn = `arn:aws:organizations::${this.managementAccountId}:root/${this.organizationId}/${this.root.Id}`;
    this.addAccount({ Id: this.managementAccountId, Name: 'management', Email: 'aws-management@example.com' });
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('OrganizationsServer is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  inject(failure: InjectedFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  operations(): string[] {
    return this.calls.map((c) => c.operation);
  }

  mutatingCalls(): RecordedCall[] {
    return this.calls.filter((c) => MUTATING.has(c.operation));
  }

  /** Seeds an account directly (as if created earlier, by hand or by another tool). */
  addAccount(account: { Id?: string; Name: string; Email: string; parentId?: string; tags?: Record<string, string> }): ServerAccount {
    const id = account.Id ?? this.newAccountId();
    const created: ServerAccount = {
      Id: id,
      Arn: `arn:aws:organizations::${this.managementAccountId}:account/${this.organizationId}/${id}`,
      Email: account.Email,
      Name: account.Name,
      Status: 'ACTIVE',
      JoinedMethod: 'CREATED',
      JoinedTimestamp: Math.floor(Date.now() / 1000),
      parentId: account.parentId ?? this.root.Id,
      tags: { ...account.tags },
    };
    this.accounts.set(id, created);
    return created;
  }

  addOu(name: string, parentId = this.root.Id): ServerOu {
    const id = `ou-${this.root.Id.slice(2)}-${randomBytes(4).toString('hex')}`;
    const ou = { Id: id, Name: name, parentId, Arn: `arn:aws:organizations::${this.managementAccountId}:ou/${this.organizationId}/${id}` };
    this.ous.set(id, ou);
    return ou;
  }

  private newAccountId(): string {
    while (this.accounts.has(String(this.nextAccount))) this.nextAccount += 1;
    return String(this.nextAccount++);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomBytes(16).toString('hex'),
        ...extra,
      });
      res.end(text);
    };
    const fail = (error: AwsError) => send(400, { __type: error.type, message: error.message, ...error.members });

    if (req.method !== 'POST' || req.url !== '/' || !target.startsWith(TARGET_PREFIX)) {
      return fail(new AwsError('UnknownOperationException', `Expected POST / with X-Amz-Target ${TARGET_PREFIX}<Operation>`));
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
      return fail(new AwsError('SerializationException', 'Content-Type must be application/x-amz-json-1.1'));
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return fail(new AwsError('MissingAuthenticationTokenException', 'Request is missing a SigV4 Authorization header'));
    }
    const operation = target.slice(TARGET_PREFIX.length);
    let input: Record<string, any>;
    try {
      input = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>);
    } catch {
      return fail(new AwsError('SerializationException', 'Body is not JSON'));
    }
    const call = { operation, input };
    this.calls.push(call);
    try {
      await this.onCall?.(call);
      send(200, this.dispatch(operation, input));
    } catch (error) {
      if (error instanceof AwsError) fail(error);
      else send(500, { __type: 'ServiceException', message: String(error) });
    }
  }

  private takeFailure(operation: string, input: Record<string, any>): InjectedFailure | undefined {
    const index = this.failures.findIndex((f) => f.operation === operation && (f.when?.(input) ?? true));
    if (index < 0) return undefined;
    const failure = this.failures[index]!;
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) this.failures.splice(index, 1);
    return failure;
  }

  private dispatch(operation: string, input: Record<string, any>): unknown {
    const failure = this.takeFailure(operation, input);
    if (failure?.exception) throw new AwsError(failure.exception, failure.message ?? `${failure.exception} (injected)`, failure.members);
    switch (operation) {
      case 'DescribeOrganization':
        return {
          Organization: {
            Id: this.organizationId,
            Arn: `arn:aws:organizations::${this.managementAccountId}:organization/${this.organizationId}`,
            FeatureSet: 'ALL',
            MasterAccountId: this.managementAccountId,
          },
        };
      case 'ListRoots':
        return { Roots: [{ ...this.root, PolicyTypes: [] }] };
      case 'ListOrganizationalUnitsForParent': {
        this.requireParent(input.ParentId);
        const ous = [...this.ous.values()].filter((ou) => ou.parentId === input.ParentId).map(({ Id, Arn, Name }) => ({ Id, Arn, Name }));
        return this.page(ous, input, 'OrganizationalUnits');
      }
      case 'CreateOrganizationalUnit': {
        this.requireParent(input.ParentId);
        if ([...this.ous.values()].some((ou) => ou.parentId === input.ParentId && ou.Name === input.Name)) {
          throw new AwsError('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');
        }
        const { Id, Arn, Name } = this.addOu(String(input.Name), input.ParentId);
        return { OrganizationalUnit: { Id, Arn, Name } };
      }
      case 'ListAccounts':
        return this.page([...this.accounts.values()].map(publicAccount), input, 'Accounts');
      case 'DescribeAccount':
        return { Account: publicAccount(this.requireAccount(input.AccountId)) };
      case 'ListTagsForResource': {
        const account = this.requireAccount(input.ResourceId);
        return this.page(Object.entries(account.tags).map(([Key, Value]) => ({ Key, Value })), input, 'Tags');
      }
      case 'TagResource': {
        const account = this.requireAccount(input.ResourceId);
        for (const tag of input.Tags ?? []) account.tags[tag.Key] = tag.Value;
        return {};
      }
      case 'ListParents': {
        const account = this.accounts.get(input.ChildId);
        const ou = this.ous.get(input.ChildId);
        const parentId = account?.parentId ?? ou?.parentId;
        if (!parentId) throw new AwsError('ChildNotFoundException', `We can't find an organizational unit (OU) or AWS account with the ChildId ${input.ChildId}.`);
        return { Parents: [{ Id: parentId, Type: parentId === this.root.Id ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
      }
      case 'MoveAccount': {
        const account = this.requireAccount(input.AccountId);
        this.requireParent(input.DestinationParentId);
        if (account.parentId !== input.SourceParentId) throw new AwsError('SourceParentNotFoundException', 'The account is not in the source parent.');
        if (input.SourceParentId === input.DestinationParentId) throw new AwsError('DuplicateAccountException', 'That account is already present in the specified destination.');
        account.parentId = input.DestinationParentId;
        return {};
      }
      case 'CreateAccount':
        return { CreateAccountStatus: this.createAccount(input, failure?.failureReason) };
      case 'DescribeCreateAccountStatus': {
        const request = this.createRequests.get(input.CreateAccountRequestId);
        if (!request) throw new AwsError('CreateAccountStatusNotFoundException', `We can't find a create account request with the ID ${input.CreateAccountRequestId}.`);
        this.advance(request);
        return { CreateAccountStatus: requestStatus(request) };
      }
      case 'ListCreateAccountStatus': {
        const states: string[] | undefined = input.States;
        const all = [...this.createRequests.values()].filter((r) => !states || states.includes(r.state)).map(requestStatus);
        return this.page(all, input, 'CreateAccountStatuses');
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${operation} is not supported by this test server`);
    }
  }

  private createAccount(input: Record<string, any>, injectedReason?: string): unknown {
    for (const key of ['Email', 'AccountName']) {
      if (typeof input[key] !== 'string' || input[key] === '') {
        throw new AwsError('ConstraintViolationException', `${key} is required`, { Reason: 'INVALID_INPUT' });
      }
    }
    const email = String(input.Email);
    const tags = Object.fromEntries((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    let outcome: CreateRequest['outcome'];
    if (injectedReason) outcome = { failureReason: injectedReason };
    else if ([...this.accounts.values()].some((a) => a.Email.toLowerCase() === email.toLowerCase())) outcome = { failureReason: 'EMAIL_ALREADY_EXISTS' };
    else if (this.accounts.size + this.pendingCreations() >= this.accountLimit) outcome = { failureReason: 'ACCOUNT_LIMIT_EXCEEDED' };
    else outcome = { accountId: this.reserveAccountId() };
    const request: CreateRequest = {
      Id: `car-${randomBytes(16).toString('hex')}`,
      AccountName: String(input.AccountName),
      email,
      tags,
      RequestedTimestamp: Math.floor(Date.now() / 1000),
      pollsLeft: this.pollsUntilDone,
      outcome,
      state: 'IN_PROGRESS',
    };
    this.createRequests.set(request.Id, request);
    if (request.pollsLeft <= 0) this.complete(request);
    return requestStatus(request);
  }

  private reserveAccountId(): string {
    const reserved = new Set([...this.createRequests.values()].flatMap((r) => ('accountId' in r.outcome ? [r.outcome.accountId] : [])));
    let id = this.newAccountId();
    while (reserved.has(id)) id = this.newAccountId();
    return id;
  }

  private pendingCreations(): number {
    return [...this.createRequests.values()].filter((r) => r.state === 'IN_PROGRESS' && 'accountId' in r.outcome).length;
  }

  private advance(request: CreateRequest): void {
    if (request.state !== 'IN_PROGRESS') return;
    request.pollsLeft -= 1;
    if (request.pollsLeft < 0) this.complete(request);
  }

  private complete(request: CreateRequest): void {
    request.CompletedTimestamp = Math.floor(Date.now() / 1000);
    if ('accountId' in request.outcome) {
      this.addAccount({ Id: request.outcome.accountId, Name: request.AccountName, Email: request.email, tags: request.tags });
      request.state = 'SUCCEEDED';
    } else {
      request.state = 'FAILED';
    }
  }

  private requireParent(id: unknown): void {
    if (id !== this.root.Id && !this.ous.has(String(id))) {
      throw new AwsError('ParentNotFoundException', `We can't find a root or OU with the ParentId ${String(id)}.`);
    }
  }

  private requireAccount(id: unknown): ServerAccount {
    const account = this.accounts.get(String(id));
    if (!account) throw new AwsError('AccountNotFoundException', `We can't find an AWS account with the AccountId ${String(id)}.`);
    return account;
  }

  private page<T>(items: T[], input: Record<string, any>, key: string): Record<string, unknown> {
    const size = Number(input.MaxResults ?? this.pageSize);
    const start = input.NextToken ? Number(Buffer.from(String(input.NextToken), 'base64url').toString()) : 0;
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
    return { [key]: slice, ...(next ? { NextToken: next } : {}) };
  }
}

function publicAccount(account: ServerAccount): Record<string, unknown> {
  const { Id, Arn, Email, Name, Status, JoinedMethod, JoinedTimestamp } = account;
  return { Id, Arn, Email, Name, Status, State: Status, JoinedMethod, JoinedTimestamp };
}

function requestStatus(request: CreateRequest): Record<string, unknown> {
  return {
    Id: request.Id,
    AccountName: request.AccountName,
    State: request.state,
    RequestedTimestamp: request.RequestedTimestamp,
    ...(request.CompletedTimestamp ? { CompletedTimestamp: request.CompletedTimestamp } : {}),
    ...(request.state === 'SUCCEEDED' && 'accountId' in request.outcome ? { AccountId: request.outcome.accountId } : {}),
    ...(request.state === 'FAILED' && 'failureReason' in request.outcome ? { FailureReason: request.outcome.failureReason } : {}),
  };
}
