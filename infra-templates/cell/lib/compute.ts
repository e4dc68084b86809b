import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { APP_PORT, CACHE_PORT, DATABASE_PORT, type EnvironmentSettings } from './settings.js';

/** The header CloudFront adds to every origin request; the ALB forwards only requests that carry it. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

export interface ComputeProps {
  vpc: ec2.IVpc;
  product: string;
  environment: string;
  settings: EnvironmentSettings['compute'];
  /** ECR repository (created by the deploy workflow before the first push) and the tag to run. */
  repositoryName: string;
  imageTag: string;
  database: { host: string; port: string; name: string; ownerSecret: secretsmanager.ISecret; securityGroup: ec2.ISecurityGroup };
  runtimeDatabaseSecret: secretsmanager.ISecret;
  cache: { host: string; port: string; authToken: secretsmanager.ISecret; securityGroup: ec2.ISecurityGroup };
  buckets: s3.IBucket[];
  accessLogs: s3.IBucket;
  originVerifySecret: secretsmanager.ISecret;
}

/**
 * ECS Fargate: the API behind an ALB and a worker without one, both from the product image. Credentials reach the
 * containers as ECS secrets (resolved by the agent from Secrets Manager), never as plain environment values;
 * `docker-entrypoint.mjs` in the image assembles the connection URLs from them.
 */
export class Compute extends Construct {
  readonly cluster: ecs.Cluster;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly api: ecs.FargateService;
  readonly worker: ecs.FargateService;
  readonly apiTargetGroup: elbv2.ApplicationTargetGroup;
  readonly migrateTask: ecs.FargateTaskDefinition;
  readonly migrateSecurityGroup: ec2.SecurityGroup;
  readonly apiScaling: ecs.ScalableTaskCount;
  readonly logGroups: logs.LogGroup[] = [];

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { settings } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', props.repositoryName);
    const image = ecs.ContainerImage.fromEcrRepository(repository, props.imageTag);

    const environment = {
      NODE_ENV: 'production',
      PORT: String(APP_PORT),
      TRUST_PROXY: 'true',
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

    const taskDefinition = (name: string, size: { cpu: number; memoryMiB: number }, command: string[], secrets: Record<string, ecs.Secret>, port?: number) => {
      const task = new ecs.FargateTaskDefinition(this, `${name}Task`, {
        cpu: size.cpu,
        memoryLimitMiB: size.memoryMiB,
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: settings.logRetention });
      this.logGroups.push(logGroup);
      task.addContainer(name.toLowerCase(), {
        image,
        command,
        environment,
        secrets,
        readonlyRootFilesystem: false,
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: name.toLowerCase(), logGroup }),
        portMappings: port ? [{ containerPort: port }] : [],
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

    // API
    const apiTask = taskDefinition('Api', settings.api, ['node', '--enable-source-maps', 'docker-entrypoint.mjs', 'dist/main.js'], runtimeSecrets, APP_PORT);
    this.api = new ecs.FargateService(this, 'ApiService', {
      cluster: this.cluster,
      taskDefinition: apiTask.task,
      desiredCount: settings.api.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [securityGroup('Api')],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      enableExecuteCommand: false,
    });

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc: props.vpc, internetFacing: true, dropInvalidHeaderFields: true });
    this.alb.logAccessLogs(props.accessLogs, 'alb');
    acknowledge(this.alb, [
      {
        id: 'AwsSolutions-EC23',
        reason: 'CloudFront is the only intended client: the listener forwards only requests with the secret origin header and answers 403 otherwise.',
      },
    ]);
    const listener = this.alb.addListener('Http', {
      port: 80,
      open: true,
      defaultAction: elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' }),
    });
    this.apiTargetGroup = new elbv2.ApplicationTargetGroup(this, 'ApiTargets', {
      vpc: props.vpc,
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.api],
      deregistrationDelay: Duration.seconds(30),
      // Liveness, not readiness: on a first deploy the database has no runtime role until the migration task runs
      // (after `cdk deploy`), and a readiness check would make the circuit breaker roll the deployment back.
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

    // Worker: the same image without a load balancer (background processing of the outbox).
    const workerTask = taskDefinition('Worker', settings.worker, ['node', '--enable-source-maps', 'docker-entrypoint.mjs', 'dist/main.js'], runtimeSecrets);
    this.worker = new ecs.FargateService(this, 'WorkerService', {
      cluster: this.cluster,
      taskDefinition: workerTask.task,
      desiredCount: settings.worker.minTasks,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      securityGroups: [securityGroup('Worker')],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    this.worker.autoScaleTaskCount({ minCapacity: settings.worker.minTasks, maxCapacity: settings.worker.maxTasks })
      .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });

    this.migrateSecurityGroup = securityGroup('Migrate');
    // One-off migration task (owner credentials): `aws ecs run-task` from the deploy workflow before services roll.
    this.migrateTask = taskDefinition('Migrate', { cpu: 256, memoryMiB: 512 }, ['node', 'docker-entrypoint.mjs', 'scripts/migrate.mjs'], {
      ...runtimeSecrets,
      DB_OWNER_USER: ecs.Secret.fromSecretsManager(props.database.ownerSecret, 'username'),
      DB_OWNER_PASSWORD: ecs.Secret.fromSecretsManager(props.database.ownerSecret, 'password'),
    }).task;

    for (const task of [apiTask.task, workerTask.task, this.migrateTask]) {
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
