import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { addCells, cellStackName, IMAGE_TAG_NOT_GIVEN, registryStackName, type CellAppOptions } from '../lib/cell-app.js';
import { TRUSTED_PROXY_HOPS, WORKER_HEARTBEAT_FILE } from '../lib/compute.js';
import { MIGRATION_HANDLER_SOURCE } from '../lib/migration.js';
import { VPC_CIDR } from '../lib/networking.js';
import { DEFAULT_REGION, defaultAvailabilityZones, environmentsToSynthesize, loadCellConfig, type CellConfig } from '../lib/platform-config.js';
import { imageRepositoryName } from '../lib/registry.js';
import { ENVIRONMENTS, ENVIRONMENT_SETTINGS, type EnvironmentName } from '../lib/settings.js';
import { RATE_LIMIT_PER_5_MIN } from '../lib/waf.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const platformFile = path.resolve(here, '../../platform.yaml');
const modulesFile = path.resolve(here, '../modules.json');

/**
 * The product's own platform.yaml (with or without an aws block: before `platform account create` the cell is
 * account-agnostic in the default region); a fixture when these tests run outside a product.
 */
function productConfig(): CellConfig {
  if (existsSync(platformFile)) return loadCellConfig(platformFile, modulesFile);
  return { product: 'example', displayName: 'Example', region: 'us-east-1', accounts: { dev: '111111111111', staging: '222222222222', prod: '333333333333' }, modules: [] };
}
const FIXTURE_ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };

function synth(config: CellConfig, options: Partial<CellAppOptions> = {}) {
  const app = new App();
  const stacks = addCells(app, { config, environments: [...ENVIRONMENTS], ...options });
  // Synthesis runs the cdk-nag validation plugin; it throws on any finding that is not acknowledged.
  app.synth();
  return { app, stacks };
}

/** Findings the AwsSolutions pack still reports as errors after acknowledgements. */
function nagErrors(app: App, stack: Stack): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  return report.violations
    .filter((v) => (v.severity ?? 'error').toLowerCase() === 'error')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
}

const config = productConfig();
const IMAGE_TAG = '0123456789abcdef0123456789abcdef01234567';
const { app, stacks } = synth(config, { imageTag: IMAGE_TAG });

type Resource = { Type: string; Properties: any; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const containers = (template: Template) =>
  Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap((t) => t.Properties.ContainerDefinitions as any[]);
const container = (template: Template, name: string) => containers(template).find((c) => c.Name === name)!;
const env = (definition: { Environment: { Name: string; Value: unknown }[] }) => Object.fromEntries(definition.Environment.map((e) => [e.Name, e.Value]));
const logicalIds = (template: Template, type: string) => Object.keys(template.findResources(type));

describe.each(ENVIRONMENTS)('the %s cell', (environment: EnvironmentName) => {
  const settings = ENVIRONMENT_SETTINGS[environment];
  const stack = stacks.get(environment)!.cell;
  const template = Template.fromStack(stack);

  it('is named <product>-<env> and pinned to the account and region of platform.yaml', () => {
    expect(stack.stackName).toBe(cellStackName(config.product, environment));
    expect(stack.region).toBe(config.region);
    if (config.accounts[environment]) expect(stack.account).toBe(config.accounts[environment]);
  });

  it('runs images of a repository its own registry stack owns: deployed first, immutable tags, kept on delete', () => {
    const { registry } = stacks.get(environment)!;
    expect(registry.stackName).toBe(registryStackName(config.product, environment));
    expect(stack.dependencies).toContain(registry);
    expect(nagErrors(app, registry)).toEqual([]);
    const repositories = Object.values(Template.fromStack(registry).findResources('AWS::ECR::Repository')) as Resource[];
    expect(repositories).toHaveLength(1);
    expect(repositories[0]!.Properties).toMatchObject({
      RepositoryName: imageRepositoryName(config.product, environment),
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS' },
    });
    expect([repositories[0]!.DeletionPolicy, repositories[0]!.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    // The cell imports it, never creates one; every container runs the given tag of it.
    template.resourceCountIs('AWS::ECR::Repository', 0);
    for (const definition of containers(template)) {
      expect(JSON.stringify(definition.Image)).toContain(`/${imageRepositoryName(config.product, environment)}:${IMAGE_TAG}`);
    }
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged error', () => {
    expect(nagErrors(app, stack)).toEqual([]);
  });

  it('acknowledges cdk-nag findings only with a written reason, and IAM5 wildcard by wildcard', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(5);
    for (const [id, reason] of acknowledged) {
      expect(reason.length, id).toBeGreaterThanOrEqual(20);
      if (id.includes('AwsSolutions-IAM5')) expect(id).toMatch(/AwsSolutions-IAM5\[(Action|Resource)::.+\]$/);
    }
  });

  it('spreads the VPC over three AZs with private subnets, NAT and flow logs', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.resourceCountIs('AWS::EC2::NatGateway', settings.network.natGateways);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', ResourceType: 'VPC' });
    const zones = new Set(Object.values(template.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone));
    expect(zones.size).toBe(3);
  });

  it('runs Aurora PostgreSQL Serverless v2 (writer + reader, 0.5 ACU floor), encrypted, off the default port', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      Port: 5532,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: settings.database.maxAcu },
      DeletionProtection: environment === 'prod',
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 1 + settings.database.readers);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PromotionTier: 0 });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
  });

  it('turns deletion protection on in prod only', () => {
    const clusters = Object.values(template.findResources('AWS::RDS::DBCluster'));
    expect(clusters.map((c) => c.Properties.DeletionProtection)).toEqual([environment === 'prod']);
    expect(stack.terminationProtection).toBe(environment === 'prod');
  });

  it('runs Redis with TLS, an AUTH token from Secrets Manager and Multi-AZ in prod', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      AuthToken: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])]) }),
      MultiAZEnabled: environment === 'prod',
      NumCacheClusters: 1 + settings.cache.replicas,
      Port: 6380,
    });
  });

  it('runs the API and a worker on Fargate with Container Insights, scaling within the environment bounds', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
    template.resourceCountIs('AWS::ECS::Service', 2);
    const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).map((t) => [t.Properties.MinCapacity, t.Properties.MaxCapacity]);
    expect(targets).toContainEqual([settings.compute.api.minTasks, settings.compute.api.maxTasks]);
    if (environment === 'prod') expect(targets).toContainEqual([2, 10]);
  });

  it('gives the API a container health check on /health/live and the client address from the 2nd X-Forwarded-For hop', () => {
    const api = container(template, 'api');
    expect(api.Command).toEqual(['node', '--enable-source-maps', 'docker-entrypoint.mjs', 'dist/main.js']);
    expect(api.HealthCheck).toMatchObject({ Command: ['CMD', 'node', '-e', expect.stringContaining('/health/live')], StartPeriod: expect.any(Number) });
    // CloudFront, then the ALB: the client is 2 hops from the socket; entries further left are the client's own.
    expect(env(api).TRUST_PROXY).toBe('2');
    expect(TRUSTED_PROXY_HOPS).toBe(2);
    // The worker service relays the outbox; the API tasks do not poll it as well.
    expect(env(api).EVENTS_RELAY).toBe('off');
  });

  it('runs the worker entry point without a port or load balancer, healthy while its heartbeat is fresh', () => {
    const worker = container(template, 'worker');
    expect(worker.Command).toEqual(['node', '--enable-source-maps', 'docker-entrypoint.mjs', 'dist/worker.js']);
    expect(worker.PortMappings ?? []).toEqual([]);
    expect(env(worker)).toMatchObject({ HEARTBEAT_FILE: WORKER_HEARTBEAT_FILE });
    expect(env(worker)).not.toHaveProperty('TRUST_PROXY');
    expect(env(worker)).not.toHaveProperty('EVENTS_RELAY');
    expect(worker.HealthCheck.Command.join(' ')).toContain('HEARTBEAT_FILE');
    const services = Object.values(template.findResources('AWS::ECS::Service')) as Resource[];
    expect(services.filter((s) => s.Properties.LoadBalancers?.length)).toHaveLength(1);
    // The migration task runs to completion: no health check.
    expect(container(template, 'migrate').HealthCheck).toBeUndefined();
  });

  it('migrates the database with the new image before the services roll, once the database is up', () => {
    const migrations = Object.entries(template.findResources('Custom::DatabaseMigration')) as [string, Resource][];
    expect(migrations).toHaveLength(1);
    const [migrationId, migration] = migrations[0]!;
    const [migrateTaskId] = Object.entries(template.findResources('AWS::ECS::TaskDefinition')).find(([, t]) => t.Properties.ContainerDefinitions[0].Name === 'migrate')!;
    expect(migration.Properties).toMatchObject({
      TaskDefinition: { Ref: migrateTaskId },
      ContainerName: 'migrate',
      RepositoryName: imageRepositoryName(config.product, environment),
      ImageTag: IMAGE_TAG,
    });
    expect(container(template, 'migrate').Command).toEqual(['node', '--enable-source-maps', 'docker-entrypoint.mjs', 'scripts/migrate.mjs']);
    for (const service of Object.values(template.findResources('AWS::ECS::Service')) as Resource[]) expect(service.DependsOn).toContain(migrationId);
    const writer = logicalIds(template, 'AWS::RDS::DBInstance').find((id) => id.includes('writer'))!;
    expect(migration.DependsOn).toEqual(expect.arrayContaining([writer, ...logicalIds(template, 'AWS::EC2::Route').filter((id) => id.includes('app'))]));
  });

  it('injects credentials as ECS secrets from Secrets Manager, never as plain environment values', () => {
    const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap((t) => t.Properties.ContainerDefinitions);
    expect(definitions.length).toBe(3);
    for (const definition of definitions) {
      const secretNames = definition.Secrets.map((s: { Name: string }) => s.Name);
      expect(secretNames).toEqual(expect.arrayContaining(['APP_DB_USER', 'APP_DB_PASSWORD', 'REDIS_AUTH_TOKEN']));
      for (const variable of definition.Environment) expect(variable.Name).not.toMatch(/PASSWORD|TOKEN|SECRET|DATABASE_URL/);
    }
  });

  it('keeps every bucket private, encrypted, versioned, logged and TLS-only', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets).length).toBeGreaterThanOrEqual(3);
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, id).toBe('AES256');
      expect(bucket.Properties.VersioningConfiguration?.Status, id).toBe('Enabled');
    }
    const logged = Object.values(buckets).filter((b) => b.Properties.LoggingConfiguration);
    expect(logged.length).toBe(Object.keys(buckets).length - 1);
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies.length).toBe(Object.keys(buckets).length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('fronts the ALB with CloudFront and a WAF web ACL: AWS managed rules and 2000 requests / 5 min per IP', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: RATE_LIMIT_PER_5_MIN, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } } }),
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } }),
      ]),
    });
    expect(RATE_LIMIT_PER_5_MIN).toBe(2000);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EdgeWebAcl'), 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [Match.objectLike({ Field: 'http-header', HttpHeaderConfig: Match.objectLike({ HttpHeaderName: 'X-Origin-Verify' }) })],
    });
  });

  it('reaches the ALB through a CloudFront VPC origin: the ALB is internal and open to the VPC only', () => {
    const [albId, alb] = Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0]!;
    expect(alb.Properties.Scheme).toBe('internal');
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', { VpcOriginEndpointConfig: Match.objectLike({ Arn: { Ref: albId } }) });
    const origins = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.Origins as any[];
    expect(origins).toHaveLength(1);
    expect(origins[0].VpcOriginConfig).toBeDefined();
    expect(origins[0].CustomOriginConfig).toBeUndefined();
    // Public subnets hold only the NAT gateways; nothing admits the internet on the ALB.
    const albGroups = alb.Properties.SecurityGroups.map((g: { 'Fn::GetAtt': [string] }) => g['Fn::GetAtt'][0]);
    for (const id of albGroups) {
      const ingress = template.findResources('AWS::EC2::SecurityGroup')[id]!.Properties.SecurityGroupIngress as { CidrIp?: string; FromPort: number }[];
      expect(ingress).toEqual([expect.objectContaining({ CidrIp: VPC_CIDR, FromPort: 80, ToPort: 80 })]);
    }
  });

  it('alarms on the SLOs: availability 99.9 %, p99 < 500 ms, p50 < 100 ms, and has a dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 99.9, ComparisonOperator: 'LessThanThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 0.5, ExtendedStatistic: 'p99', MetricName: 'TargetResponseTime' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 0.1, ExtendedStatistic: 'p50', MetricName: 'TargetResponseTime' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('cells with optional parts', () => {
  const moduleConfig: CellConfig = {
    ...config,
    accounts: FIXTURE_ACCOUNTS,
    region: 'eu-west-1',
    logArchiveAccount: '999999999999',
    modules: [...config.modules, { name: 'documents', version: '1.0.0', infra: { buckets: [{ name: 'uploads', versioned: true, expireAfterDays: 365 }] } }],
  };
  const variant = synth(moduleConfig, { environments: ['prod'], githubRepository: 'acme/acme-crm' } as Partial<CellAppOptions>);
  const { cell, edge } = variant.stacks.get('prod')!;
  const template = Template.fromStack(cell);

  it('puts the CLOUDFRONT web ACL in a us-east-1 stack when the cell lives elsewhere', () => {
    expect(edge).toBeDefined();
    expect(edge!.region).toBe('us-east-1');
    Template.fromStack(edge!).hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(nagErrors(variant.app, cell)).toEqual([]);
    expect(nagErrors(variant.app, edge!)).toEqual([]);
  });

  it('lets GitHub Actions of one repository and environment assume the deploy role through OIDC', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/acme-crm:environment:production' } },
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  it('lets the deploy role push to the environment\'s repository, and no longer create one', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('GithubDeployRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['ecr:PutImage', 'ecr:DescribeImages', 'ecr:GetAuthorizationToken']));
    expect(actions).not.toContain('ecr:CreateRepository');
    expect(actions).not.toContain('ecs:RunTask');
    const push = statements.find((s) => [s.Action].flat().includes('ecr:PutImage'))!;
    expect(JSON.stringify(push.Resource)).toContain(`repository/${imageRepositoryName(config.product, 'prod')}`);
  });

  it('ships logs to the log-archive account', () => {
    const filters = Object.values(template.findResources('AWS::Logs::SubscriptionFilter'));
    expect(filters.length).toBe(4);
    for (const filter of filters) {
      expect(JSON.stringify(filter.Properties.DestinationArn)).toContain(`:logs:eu-west-1:999999999999:destination:${config.product}-prod`);
    }
  });

  it('adds the buckets modules declare, with the same guarantees', () => {
    const buckets = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id.includes('documentsuploads'));
    expect(buckets.length).toBe(1);
    expect(buckets[0]![1].Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(365);
  });
});

describe('an environment without an account id in platform.yaml', () => {
  it('synthesizes an environment-agnostic cell that is still cdk-nag clean', () => {
    const agnostic = synth({ ...config, region: 'us-east-1', accounts: {} }, { environments: ['staging'], githubRepository: 'acme/acme-crm' });
    const { cell, registry } = agnostic.stacks.get('staging')!;
    expect(cell.account).toMatch(/^\$\{Token/);
    expect(nagErrors(agnostic.app, cell)).toEqual([]);
    expect(nagErrors(agnostic.app, registry)).toEqual([]);
  });

  it('synthesizes outside us-east-1 too, with the web ACL in an account-agnostic us-east-1 stack', () => {
    const agnostic = synth({ ...config, region: 'eu-west-1', accounts: {} }, { environments: ['dev'] });
    const { cell, edge } = agnostic.stacks.get('dev')!;
    expect(edge!.region).toBe('us-east-1');
    expect(nagErrors(agnostic.app, cell)).toEqual([]);
    expect(nagErrors(agnostic.app, edge!)).toEqual([]);
  });

  it('runs a tag nothing is pushed under when no imageTag is given (the migration step then stops the deploy)', () => {
    const untagged = synth({ ...config, accounts: {} }, { environments: ['dev'] });
    const cell = Template.fromStack(untagged.stacks.get('dev')!.cell);
    cell.hasResourceProperties('Custom::DatabaseMigration', { ImageTag: IMAGE_TAG_NOT_GIVEN });
    for (const definition of containers(cell)) expect(JSON.stringify(definition.Image)).toContain(`:${IMAGE_TAG_NOT_GIVEN}`);
  });
});

describe('the migration handler (inline Lambda source, run against a stand-in ECS/ECR SDK)', () => {
  type Call = { command: string; input: any };
  function load(respond: (call: Call) => unknown) {
    const calls: Call[] = [];
    const command = (name: string) => class { constructor(readonly input: unknown) { (this as any).command = name; } };
    const client = class {
      async send(request: { command: string; input: unknown }) {
        const call = { command: request.command, input: request.input };
        calls.push(call);
        const result = respond(call);
        if (result instanceof Error) throw result;
        return result;
      }
    };
    const sdk: Record<string, unknown> = {
      '@aws-sdk/client-ecs': { ECSClient: client, RunTaskCommand: command('RunTask'), DescribeTasksCommand: command('DescribeTasks') },
      '@aws-sdk/client-ecr': { ECRClient: client, DescribeImagesCommand: command('DescribeImages') },
    };
    const module = { exports: {} as Record<string, (event: unknown) => Promise<any>> };
    vm.runInNewContext(MIGRATION_HANDLER_SOURCE, { require: (name: string) => sdk[name], module, exports: module.exports, JSON });
    return { handler: module.exports, calls };
  }
  const properties = {
    Cluster: 'arn:cluster', TaskDefinition: 'arn:task-definition:7', ContainerName: 'migrate', Subnets: ['subnet-1'], SecurityGroups: ['sg-1'],
    RepositoryName: 'acme-crm-dev', ImageTag: 'abc123', LogGroup: 'migrate-logs',
  };
  const notFound = Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });

  it('starts the migration task of the deployed task definition in the app subnets', async () => {
    const { handler, calls } = load((call) => (call.command === 'RunTask' ? { tasks: [{ taskArn: 'arn:task/1' }] } : {}));
    const result = await handler.onEvent!({ RequestType: 'Update', PhysicalResourceId: 'migration', ResourceProperties: properties });
    expect(result).toEqual({ Data: { TaskArn: 'arn:task/1' } });
    expect(calls.map((c) => c.command)).toEqual(['DescribeImages', 'RunTask']);
    expect(calls[0]!.input).toEqual({ repositoryName: 'acme-crm-dev', imageIds: [{ imageTag: 'abc123' }] });
    expect(calls[1]!.input).toMatchObject({
      cluster: 'arn:cluster', taskDefinition: 'arn:task-definition:7', launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
    });
  });

  it('refuses an image tag that is not in ECR, before starting anything', async () => {
    const { handler, calls } = load((call) => (call.command === 'DescribeImages' ? notFound : {}));
    await expect(handler.onEvent!({ RequestType: 'Create', ResourceProperties: properties })).rejects.toThrow(/acme-crm-dev:abc123 is not in ECR.*platform deploy/);
    expect(calls.map((c) => c.command)).toEqual(['DescribeImages']);
  });

  it('waits for the task, succeeds on exit code 0 and fails the deployment otherwise', async () => {
    const event = { RequestType: 'Update', PhysicalResourceId: 'migration', ResourceProperties: properties, Data: { TaskArn: 'arn:task/1' } };
    const task = (lastStatus: string, exitCode?: number) => () => ({ tasks: [{ lastStatus, stoppedReason: 'Essential container in task exited', containers: [{ name: 'migrate', exitCode }] }] });
    expect(await load(task('RUNNING')).handler.isComplete!(event)).toEqual({ IsComplete: false });
    expect(await load(task('STOPPED', 0)).handler.isComplete!(event)).toEqual({ IsComplete: true });
    await expect(load(task('STOPPED', 1)).handler.isComplete!(event)).rejects.toThrow(/exit code 1.*migrate-logs.*services were not updated/);
  });

  it('does nothing when the stack is deleted (the schema stays with the database)', async () => {
    const { handler, calls } = load(() => ({}));
    expect(await handler.onEvent!({ RequestType: 'Delete', PhysicalResourceId: 'migration', ResourceProperties: properties })).toEqual({ PhysicalResourceId: 'migration' });
    expect(await handler.isComplete!({ RequestType: 'Delete', PhysicalResourceId: 'migration', ResourceProperties: properties })).toEqual({ IsComplete: true });
    expect(calls).toEqual([]);
  });
});

describe('the cdk-nag check itself', () => {
  it('reports an unacknowledged finding (so that a clean result means something)', () => {
    const probeApp = new App();
    const probe = new Stack(probeApp, 'Probe');
    new s3.Bucket(probe, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });
    expect(nagErrors(probeApp, probe).join('\n')).toMatch(/AwsSolutions-S1[\s\S]*AwsSolutions-S10|AwsSolutions-S10[\s\S]*AwsSolutions-S1/);
    Validations.of(probeApp).addPlugins(new AwsSolutionsChecks(probeApp));
    expect(() => probeApp.synth()).toThrow(/AwsSolutions-S1/);
  });
});

describe('platform.yaml', () => {
  const write = (spec: string, modules: object) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cell-config-'));
    writeFileSync(path.join(dir, 'platform.yaml'), spec);
    writeFileSync(path.join(dir, 'modules.json'), JSON.stringify(modules));
    return [path.join(dir, 'platform.yaml'), path.join(dir, 'modules.json')] as const;
  };

  it('reads product, region, accounts and the log-archive account', () => {
    const files = write(
      'name: shop\nmodules: [tasks]\naws:\n  region: eu-central-1\n  accounts: { dev: "111111111111", prod: "333333333333", log-archive: "999999999999" }\n',
      { modules: [{ name: 'core', version: '1.0.0', infra: { buckets: [] } }, { name: 'tasks', version: '1.0.0', infra: { buckets: [] } }] },
    );
    expect(loadCellConfig(...files)).toMatchObject({ product: 'shop', region: 'eu-central-1', accounts: { dev: '111111111111', prod: '333333333333' }, logArchiveAccount: '999999999999' });
  });

  it('defaults the region (no aws block before `platform account create`) and names three zones without a lookup', () => {
    const files = write('name: shop\nmodules: [tasks]\n', { modules: [{ name: 'tasks', version: '1.0.0', infra: { buckets: [] } }] });
    expect(loadCellConfig(...files)).toMatchObject({ product: 'shop', region: DEFAULT_REGION, accounts: {} });
    expect(DEFAULT_REGION).toBe('us-east-1');
    expect(defaultAvailabilityZones('eu-west-1')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(defaultAvailabilityZones('ap-northeast-1')).toEqual(['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']);
  });

  it('asks for `platform sync` when a module of platform.yaml has no infra entry', () => {
    const files = write('name: shop\nmodules: [tasks]\naws: { region: us-east-1 }\n', { modules: [] });
    expect(() => loadCellConfig(...files)).toThrow(/platform sync/);
  });

  it('refuses an unknown environment', () => {
    expect(environmentsToSynthesize('prod')).toEqual(['prod']);
    expect(environmentsToSynthesize(undefined)).toEqual(['dev', 'staging', 'prod']);
    expect(() => environmentsToSynthesize('qa')).toThrow(/not one of dev, staging, prod/);
  });
});
