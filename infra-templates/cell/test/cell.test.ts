import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { addCells, cellStackName, type CellAppOptions } from '../lib/cell-app.js';
import { CellConfigError, environmentsToSynthesize, loadCellConfig, type CellConfig } from '../lib/platform-config.js';
import { ENVIRONMENTS, ENVIRONMENT_SETTINGS, type EnvironmentName } from '../lib/settings.js';
import { RATE_LIMIT_PER_5_MIN } from '../lib/waf.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const platformFile = path.resolve(here, '../../platform.yaml');
const modulesFile = path.resolve(here, '../modules.json');

/** The product's own platform.yaml when it has an aws block (it does after `platform account create`); otherwise a fixture. */
function productConfig(): CellConfig {
  try {
    if (existsSync(platformFile)) return loadCellConfig(platformFile, modulesFile);
  } catch (error) {
    if (!(error instanceof CellConfigError) || !/aws\.region/.test(error.message)) throw error;
  }
  return { product: 'example', displayName: 'Example', region: 'us-east-1', accounts: { dev: '111111111111', staging: '222222222222', prod: '333333333333' }, modules: [] };
}

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
const { app, stacks } = synth(config);

describe.each(ENVIRONMENTS)('the %s cell', (environment: EnvironmentName) => {
  const settings = ENVIRONMENT_SETTINGS[environment];
  const stack = stacks.get(environment)!.cell;
  const template = Template.fromStack(stack);

  it('is named <product>-<env> and pinned to the account and region of platform.yaml', () => {
    expect(stack.stackName).toBe(cellStackName(config.product, environment));
    expect(stack.region).toBe(config.region);
    if (config.accounts[environment]) expect(stack.account).toBe(config.accounts[environment]);
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
    const { cell } = agnostic.stacks.get('staging')!;
    expect(cell.account).toMatch(/^\$\{Token/);
    expect(nagErrors(agnostic.app, cell)).toEqual([]);
  });

  it('is refused outside us-east-1, where the web ACL needs its own us-east-1 stack', () => {
    expect(() => synth({ ...config, region: 'eu-west-1', accounts: {} }, { environments: ['dev'] })).toThrow(/aws\.accounts\.dev is required/);
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
