import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IDependable } from 'constructs';
import { DatabaseMigration } from './migration.js';
import { acknowledge } from './nag.js';
import { VPC_CIDR } from './networking.js';
import { APP_PORT, CACHE_PORT, DATABASE_PORT, type EnvironmentSettings } from './settings.js';

/** The header CloudFront adds to every origin request; the ALB forwards only requests that carry it. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/**
 * Proxies between a client and the API: CloudFront, then the ALB. Each appends the address it received the request
 * from to X-Forwarded-For, so the client's address is the entry this many hops from the socket; entries further left
 * are whatever the client sent and must not be trusted (the app's TRUST_PROXY is this hop count).
 */
export const TRUSTED_PROXY_HOPS = 2;

/** The worker's event loop touches this file every few seconds (docker-entrypoint.mjs); its health check reads it. */
export const WORKER_HEARTBEAT_FILE = '/tmp/worker.heartbeat';
/** A heartbeat older than this makes the worker container unhealthy (and ECS replaces the task). */
export const WORKER_HEARTBEAT_MAX_AGE_SECONDS = 30;

export interface ComputeProps {
  vpc: ec2.IVpc;
  product: string;
  environment: string;
  settings: EnvironmentSettings['compute'];
  /** The product image's repository (ImageRegistryStack) and the tag to run. */
  repository: ecr.IRepository;
  imageTag: string;
  database: {
    host: string;
    port: string;
    name: string;
    ownerSecret: secretsmanager.ISecret;
    securityGroup: ec2.ISecurityGroup;
    /** Ready to accept connections once this is created (the cluster and its instances). */
    available: IDependable;
  };
  runtimeDatabaseSecret: secretsmanager.ISecret;
  cache: { host: string; port: string; authToken: secretsmanager.ISecret; securityGroup: ec2.ISecurityGroup };
  buckets: s3.IBucket[];
  accessLogs: s3.IBucket;
  originVerifySecret: secretsmanager.ISecret;
}

/**
 * ECS Fargate: the API behind an internal ALB (CloudFront reaches it as a VPC origin), the worker without one, and
 * the migration task, all from the product image. Credentials reach the containers as ECS secrets (resolved by the
 * agent from Secrets Manager), never as plain environment values; `docker-entrypoint.mjs` in the image assembles the
 * connection URLs from them. Each deployment runs the migration task of the new image before the services roll.
 */
export class Compute extends Construct {
  readonly cluster: ecs.Cluster;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly api: ecs.FargateService;
  readonly worker: ecs.FargateService;
  readonly apiTargetGroup: elbv2.ApplicationTargetGroup;
  readonly apiTask: ecs.FargateTaskDefinition;
  readonly workerTask: ecs.FargateTaskDefinition;
  readonly migrateTask: ecs.FargateTaskDefinition;
  readonly migrateSecurityGroup: ec2.SecurityGroup;
  readonly migration: DatabaseMigration;
  readonly apiScaling: ecs.ScalableTaskCount;
  readonly logGroups: logs.LogGroup[] = [];

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { settings } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
    const image = ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag);

    const environment = {
      NODE_ENV: 'production',
      DB_HOST: props.database.host,
      DB_PORT: props.database.port,
      DB_NAME: props.database.name,
      REDIS_HOST: props.cache.host,
      REDIS_PORT: props.cache.port,
      FILES_BUCKET: props.buckets[0]?.bucketName ?? '',
    };
    const runtimeSecrets = {
      APP_DB_USER: ecs.Secret.fromSecretsManager(props.runtimeDatabaseSecret, 'username'),
      APP_DB_PASSWORD: ecs.Secret.fromSecretsManager(props.runtimeDatabaseSecret, 'password'),
      REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(props.cache.authToken),
    };

    interface Container {
      size: { cpu: number; memoryMiB: number };
      /** Script run through docker-entrypoint.mjs. */
      script: string;
      environment?: Record<string, string>;
      secrets: Record<string, ecs.Secret>;
      port?: number;
      healthCheck?: ecs.HealthCheck;
    }
    const taskDefinition = (name: string, container: Container) => {
      const task = new ecs.FargateTaskDefinition(this, `${name}Task`, {
        cpu: container.size.cpu,
        memoryLimitMiB: container.size.memoryMiB,
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: settings.logRetention });
      this.logGroups.push(logGroup);
      task.addContainer(name.toLowerCase(), {
        image,
        command: ['node', '--enable-source-maps', 'docker-entrypoint.mjs', container.script],
        environment: { ...environment, ...container.environment },
        secrets: container.secrets,
        readonlyRootFilesystem: false,
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: name.toLowerCase(), logGroup }),
        portMappings: container.port ? [{ containerPort: container.port }] : [],
        // ECS ignores the image's HEALTHCHECK: a container health check exists only when the task definition has one.
        healthCheck: container.healthCheck,
      });
      for (const bucket of props.buckets) bucket.grantReadWrite(task.taskRole);
      acknowledge(task, [
        { id: 'AwsSolutions-ECS2', reason: 'Only non-secret configuration (hosts, ports, names) is plain environment; credentials are ECS secrets from Secrets Manager.' },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'The execution role pulls the image: ecr:GetAuthorizationToken is account-wide and supports no resource-level permission.',
          appliesTo: ['Resource::*'],
        },
      ]);
      return { task, logGroup };
    };

    const securityGroup = (name: string) => {
      const group = new ec2.SecurityGroup(this, `${name}SecurityGroup`, { vpc: props.vpc, description: `${props.product} ${name}` });
      props.database.securityGroup.addIngressRule(group, ec2.Port.tcp(DATABASE_PORT), `${name} to Aurora`);
      props.cache.securityGroup.addIngressRule(group, ec2.Port.tcp(CACHE_PORT), `${name} to Redis`);
      return group;
    };

    // Migration: a one-off task with the owner credentials, run by the deployment before the services update.
    this.migrateSecurityGroup = securityGroup('Migrate');
    const migrate = taskDefinition('Migrate', {
      size: { cpu: 256, memoryMiB: 512 },
      script: 'scripts/migrate.mjs',
      secrets: {
        ...runtimeSecrets,
        DB_OWNER_USER: ecs.Secret.fromSecretsManager(props.database.ownerSecret, 'username'),
        DB_OWNER_PASSWORD: ecs.Secret.fromSecretsManager(props.database.ownerSecret, 'password'),
      },
    });
    this.migrateTask = migrate.task;
    const appSubnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.migration = new DatabaseMigration(this, 'Migration', {
      cluster: this.cluster,
      task: this.migrateTask,
      containerName: 'migrate',
      logGroup: migrate.logGroup,
      subnets: appSubnets.subnets,
      securityGroup: this.migrateSecurityGroup,
      repository: props.repository,
      imageTag: props.imageTag,
      logRetention: settings.logRetention,
    });
    // The task must reach the database (and ECR through the NAT) before it starts.
    this.migration.resource.node.addDependency(props.database.available, props.database.securityGroup, appSubnets.internetConnectivityEstablished);

    // API
    this.apiTask = taskDefinition('Api', {
      size: settings.api,
      script: 'dist/main.js',
      // The worker service relays the outbox; the API only delivers what it publishes itself (EVENTS_RELAY=off).
      environment: { PORT: String(APP_PORT), TRUST_PROXY: String(TRUSTED_PROXY_HOPS), EVENTS_RELAY: 'off' },
      secrets: runtimeSecrets,
      port: APP_PORT,
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${APP_PORT}/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
    }).task;
    this.api = new ecs.FargateService(this, 'ApiService', {
      cluster: this.cluster,
      taskDefinition: this.apiTask,
      desiredCount: settings.api.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [securityGroup('Api')],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      enableExecuteCommand: false,
    });

    // Internal: nothing on the internet reaches it. CloudFront connects through a VPC origin, from inside the VPC.
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      dropInvalidHeaderFields: true,
    });
    this.alb.logAccessLogs(props.accessLogs, 'alb');
    const listener = this.alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' }),
    });
    this.alb.connections.allowFrom(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(80), 'CloudFront VPC origin (inside the VPC)');
    this.apiTargetGroup = new elbv2.ApplicationTargetGroup(this, 'ApiTargets', {
      vpc: props.vpc,
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.api],
      deregistrationDelay: Duration.seconds(30),
      // Liveness, not readiness: a database blip must not take every task out of the target group at once.
      healthCheck: { path: '/health/live', healthyHttpCodes: '200', interval: Duration.seconds(15) },
    });
    listener.addAction('FromCloudFront', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [props.originVerifySecret.secretValue.unsafeUnwrap()])],
      action: elbv2.ListenerAction.forward([this.apiTargetGroup]),
    });

    this.apiScaling = this.api.autoScaleTaskCount({ minCapacity: settings.api.minTasks, maxCapacity: settings.api.maxTasks });
    this.apiScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    this.apiScaling.scaleOnRequestCount('Requests', { requestsPerTarget: 500, targetGroup: this.apiTargetGroup });

    // Worker: the product's worker entry point (outbox dispatch, jobs); no port, no load balancer. It is healthy while
    // its event loop turns (heartbeat file); on a fatal error it exits non-zero and ECS starts a new task.
    this.workerTask = taskDefinition('Worker', {
      size: settings.worker,
      script: 'dist/worker.js',
      environment: { HEARTBEAT_FILE: WORKER_HEARTBEAT_FILE },
      secrets: runtimeSecrets,
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `const s = require('node:fs').statSync(process.env.HEARTBEAT_FILE); process.exit(Date.now() - s.mtimeMs < ${WORKER_HEARTBEAT_MAX_AGE_SECONDS * 1000} ? 0 : 1)`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
    }).task;
    this.worker = new ecs.FargateService(this, 'WorkerService', {
      cluster: this.cluster,
      taskDefinition: this.workerTask,
      desiredCount: settings.worker.minTasks,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      securityGroups: [securityGroup('Worker')],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    this.worker.autoScaleTaskCount({ minCapacity: settings.worker.minTasks, maxCapacity: settings.worker.maxTasks })
      .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });

    // New code meets the schema it was written for: the services roll only after the migration succeeded.
    this.api.node.addDependency(this.migration.resource);
    this.worker.node.addDependency(this.migration.resource);

    for (const task of [this.apiTask, this.workerTask, this.migrateTask]) {
      acknowledge(task, [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Object-level access to the product buckets (the object keys are chosen by the app at runtime); bucket-level ARNs stay exact.',
          appliesTo: [...new Set(props.buckets.map((b) => `Resource::<${Stack.of(this).getLogicalId(b.node.defaultChild as s3.CfnBucket)}.Arn>/*`))],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'bucket.grantReadWrite: the action families cover multipart uploads and object versions (Abort*, DeleteObject*, GetObject*, GetBucket*, List*) on the product buckets only.',
          appliesTo: ['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*'],
        },
      ]);
    }
  }
}
