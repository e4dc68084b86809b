import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GithubDeployRole, LogShipping } from './access.js';
import { Cache } from './cache.js';
import { Cdn } from './cdn.js';
import { Compute } from './compute.js';
import { Database } from './database.js';
import { acknowledge } from './nag.js';
import { Networking } from './networking.js';
import { Observability } from './observability.js';
import { defaultAvailabilityZones, type CellConfig } from './platform-config.js';
import { DATABASE_PORT, ENVIRONMENT_SETTINGS, type EnvironmentName } from './settings.js';
import { Storage } from './storage.js';
import { EdgeWebAcl } from './waf.js';

export interface CellStackProps extends StackProps {
  config: CellConfig;
  environment: EnvironmentName;
  /** The ECR repository of the environment (ImageRegistryStack, deployed first) and the image tag the services run. */
  imageRepositoryName: string;
  imageTag: string;
  githubRepository?: string;
  githubOidcProviderArn?: string;
  /** ARN of the CLOUDFRONT web ACL when it lives in a separate us-east-1 stack; otherwise the cell creates it. */
  webAclArn?: string;
  /** Default: three zones of the region named without a lookup (platform-config.ts); the `availabilityZones` context overrides. */
  availabilityZones?: string[];
}

/** One environment of a product: network, data stores, services, edge, observability and access. */
export class CellStack extends Stack {
  readonly networking: Networking;
  readonly database: Database;
  readonly cache: Cache;
  readonly storage: Storage;
  readonly compute: Compute;
  readonly cdn: Cdn;
  readonly observability: Observability;
  readonly deployRole?: GithubDeployRole;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: CellStackProps) {
    super(scope, id, props);
    const { config, environment } = props;
    this.zones = props.availabilityZones ?? defaultAvailabilityZones(config.region);
    const settings = ENVIRONMENT_SETTINGS[environment];
    Tags.of(this).add('platform:product', config.product);
    Tags.of(this).add('platform:environment', environment);

    this.networking = new Networking(this, 'Networking', {
      settings: settings.network,
      removalPolicy: settings.storage.removalPolicy,
      availabilityZones: this.zones,
    });
    const vpc = this.networking.vpc;
    this.database = new Database(this, 'Database', { vpc, product: config.product, settings: settings.database });
    this.cache = new Cache(this, 'Cache', { vpc, product: config.product, environment, settings: settings.cache });
    this.storage = new Storage(this, 'Storage', {
      settings: settings.storage,
      moduleBuckets: config.modules.flatMap((m) => m.infra.buckets.map((bucket) => ({ module: m.name, bucket }))),
    });

    // The runtime database login (NOBYPASSRLS); the migrator creates it with this password.
    const runtimeDatabaseSecret = new secretsmanager.Secret(this, 'RuntimeDatabaseCredentials', {
      description: `${config.product} ${environment}: runtime database role`,
      generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'app_runtime' }), generateStringKey: 'password', excludePunctuation: true, passwordLength: 40 },
    });
    const originVerifySecret = new secretsmanager.Secret(this, 'OriginVerify', {
      description: `${config.product} ${environment}: header value CloudFront sends to the ALB`,
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    acknowledge(runtimeDatabaseSecret, [
      { id: 'AwsSolutions-SMG4', reason: 'The runtime role password is applied by the migration task; rotate by re-running it with a new secret version (runbook), not a rotation Lambda.' },
    ]);
    acknowledge(originVerifySecret, [
      { id: 'AwsSolutions-SMG4', reason: 'Shared between CloudFront and the ALB listener rule, both updated by a CDK deploy; rotate by deploying a new secret version.' },
    ]);

    const bucketsForApp = [this.storage.files, ...this.storage.moduleBuckets.values()];
    const repository = ecr.Repository.fromRepositoryName(this, 'ImageRepository', props.imageRepositoryName);
    this.compute = new Compute(this, 'Compute', {
      vpc,
      product: config.product,
      environment,
      settings: settings.compute,
      repository,
      imageTag: props.imageTag,
      database: {
        host: this.database.cluster.clusterEndpoint.hostname,
        port: String(DATABASE_PORT),
        name: config.product.replace(/-/g, '_'),
        ownerSecret: this.database.cluster.secret!,
        securityGroup: this.database.securityGroup,
        available: this.database.cluster,
      },
      runtimeDatabaseSecret,
      cache: {
        host: this.cache.replicationGroup.attrPrimaryEndPointAddress,
        port: this.cache.replicationGroup.attrPrimaryEndPointPort,
        authToken: this.cache.authToken,
        securityGroup: this.cache.securityGroup,
      },
      buckets: bucketsForApp,
      accessLogs: this.storage.accessLogs,
      originVerifySecret,
    });

    const webAclArn = props.webAclArn ?? new EdgeWebAcl(this, 'EdgeWebAcl', { name: `${config.product}-${environment}` }).webAcl.attrArn;
    this.cdn = new Cdn(this, 'Cdn', { alb: this.compute.alb, webAclArn, originVerifySecret, accessLogs: this.storage.accessLogs });
    this.observability = new Observability(this, 'Observability', {
      product: config.product,
      environment,
      alb: this.compute.alb,
      targetGroup: this.compute.apiTargetGroup,
    });

    if (props.githubRepository) {
      this.deployRole = new GithubDeployRole(this, 'GithubDeploy', {
        product: config.product,
        environment,
        githubRepository: props.githubRepository,
        oidcProviderArn: props.githubOidcProviderArn,
        repository,
      });
      new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.role.roleArn, description: 'Set as AWS_DEPLOY_ROLE_ARN in the GitHub environment' });
    }
    if (config.logArchiveAccount) {
      new LogShipping(this, 'LogShipping', {
        product: config.product,
        environment,
        logArchiveAccount: config.logArchiveAccount,
        logGroups: [...this.compute.logGroups, this.networking.flowLogGroup],
      });
    }

    new CfnOutput(this, 'Url', { value: `https://${this.cdn.distribution.distributionDomainName}` });
    new CfnOutput(this, 'ClusterName', { value: this.compute.cluster.clusterName });
    new CfnOutput(this, 'ImageTag', { value: props.imageTag, description: 'The image the services run' });
    // For re-running the migration by hand (`aws ecs run-task`), e.g. after rotating the runtime role's password.
    new CfnOutput(this, 'MigrateTaskDefinition', { value: this.compute.migrateTask.taskDefinitionArn });
    new CfnOutput(this, 'MigrateSecurityGroup', { value: this.compute.migrateSecurityGroup.securityGroupId });
    new CfnOutput(this, 'AppSubnets', { value: vpc.privateSubnets.map((s) => s.subnetId).join(',') });
    new CfnOutput(this, 'FilesBucket', { value: this.storage.files.bucketName });
    new CfnOutput(this, 'BackupsBucket', { value: this.storage.backups.bucketName });
  }

  /** The configured zones, so that nothing in the cell triggers an availability-zone lookup (which needs credentials). */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}

/** The CLOUDFRONT web ACL in us-east-1, for cells in any other region (WAF requires that region for CloudFront). */
export class EdgeSecurityStack extends Stack {
  readonly webAcl: EdgeWebAcl;

  constructor(scope: Construct, id: string, props: StackProps & { product: string; environment: EnvironmentName }) {
    super(scope, id, props);
    Tags.of(this).add('platform:product', props.product);
    Tags.of(this).add('platform:environment', props.environment);
    this.webAcl = new EdgeWebAcl(this, 'EdgeWebAcl', { name: `${props.product}-${props.environment}` });
  }
}
