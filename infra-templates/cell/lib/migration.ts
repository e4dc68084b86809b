import { CfnElement, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';

/**
 * The two handlers of the migration custom resource, as the inline source of one Lambda (CommonJS; the Node.js
 * runtime ships the AWS SDK v3). `onEvent` checks that the image is in ECR and starts the migration task;
 * `isComplete` (polled by the provider framework) succeeds once the task stopped with exit code 0 and fails the
 * deployment otherwise — before CloudFormation touches the services, which depend on this resource.
 */
export const MIGRATION_HANDLER_SOURCE = `
const { ECSClient, RunTaskCommand, DescribeTasksCommand } = require('@aws-sdk/client-ecs');
const { ECRClient, DescribeImagesCommand } = require('@aws-sdk/client-ecr');
const ecs = new ECSClient({});
const ecr = new ECRClient({});

exports.onEvent = async (event) => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const p = event.ResourceProperties;
  try {
    await ecr.send(new DescribeImagesCommand({ repositoryName: p.RepositoryName, imageIds: [{ imageTag: p.ImageTag }] }));
  } catch (error) {
    if (error.name !== 'ImageNotFoundException' && error.name !== 'RepositoryNotFoundException') throw error;
    throw new Error('Image ' + p.RepositoryName + ':' + p.ImageTag + ' is not in ECR: deploy with \`platform deploy\` (builds and pushes it) or push it and pass --context imageTag=<tag>');
  }
  const { tasks = [], failures = [] } = await ecs.send(new RunTaskCommand({
    cluster: p.Cluster,
    taskDefinition: p.TaskDefinition,
    launchType: 'FARGATE',
    count: 1,
    startedBy: 'cloudformation-migration',
    networkConfiguration: { awsvpcConfiguration: { subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
  }));
  if (tasks.length === 0) throw new Error('The migration task did not start: ' + JSON.stringify(failures));
  return { Data: { TaskArn: tasks[0].taskArn } };
};

exports.isComplete = async (event) => {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const p = event.ResourceProperties;
  const taskArn = event.Data.TaskArn;
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: p.Cluster, tasks: [taskArn] }));
  const task = tasks[0];
  if (task && task.lastStatus !== 'STOPPED') return { IsComplete: false };
  const container = task && (task.containers || []).find((c) => c.name === p.ContainerName);
  if (container && container.exitCode === 0) return { IsComplete: true };
  const code = container && container.exitCode !== undefined ? container.exitCode : 'none';
  const reason = (task && task.stoppedReason) || (container && container.reason) || 'task not found';
  throw new Error('Migration task ' + taskArn + ' failed (exit code ' + code + ', ' + reason + '); its output is in the log group ' + p.LogGroup + ', the services were not updated');
};
`;

export interface DatabaseMigrationProps {
  cluster: ecs.ICluster;
  task: ecs.FargateTaskDefinition;
  containerName: string;
  logGroup: logs.ILogGroup;
  subnets: ec2.ISubnet[];
  securityGroup: ec2.ISecurityGroup;
  repository: ecr.IRepository;
  imageTag: string;
  logRetention: logs.RetentionDays;
}

/**
 * Runs the migration task of the image being deployed, inside the CloudFormation deployment: the services depend on
 * this resource, so new task definitions roll out only after `node scripts/migrate.mjs` succeeded against the
 * database; a failed migration fails the deployment, which rolls back without having touched the services. Every
 * change of the migration task definition (a new image, new settings) runs it again.
 */
export class DatabaseMigration extends Construct {
  readonly resource: CustomResource;
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: DatabaseMigrationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention: props.logRetention });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts and watches the database migration task during a deployment',
    });
    handlerLogs.grantWrite(role);
    props.task.grantRun(role);
    props.repository.grant(role, 'ecr:DescribeImages');
    const tasksOfCluster = `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:task/${props.cluster.clusterName}/*`;
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [tasksOfCluster] }));

    const handler = (name: string, entry: string) =>
      new lambda.Function(this, name, {
        runtime: lambda.determineLatestNodeRuntime(this),
        code: lambda.Code.fromInline(MIGRATION_HANDLER_SOURCE),
        handler: `index.${entry}`,
        role,
        timeout: Duration.minutes(1),
        logGroup: handlerLogs,
        description: `Database migration of the cell (${entry})`,
      });
    this.handler = handler('OnEvent', 'onEvent');
    // The framework's own functions get roles without AWS managed policies: their log group, and what the framework grants.
    const frameworkRole = (name: string) => {
      const frameworkRole = new iam.Role(this, name, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'CDK provider framework of the database migration',
      });
      handlerLogs.grantWrite(frameworkRole);
      return frameworkRole;
    };
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole'),
      frameworkCompleteAndTimeoutRole: frameworkRole('FrameworkWaiterRole'),
      isCompleteHandler: handler('IsComplete', 'isComplete'),
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.hours(1),
      logGroup: handlerLogs,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogs', { retention: props.logRetention }),
        level: sfn.LogLevel.ALL,
      },
    });

    this.resource = new CustomResource(this, 'Run', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseMigration',
      properties: {
        Cluster: props.cluster.clusterArn,
        TaskDefinition: props.task.taskDefinitionArn,
        ContainerName: props.containerName,
        Subnets: props.subnets.map((s) => s.subnetId),
        SecurityGroups: [props.securityGroup.securityGroupId],
        RepositoryName: props.repository.repositoryName,
        ImageTag: props.imageTag,
        LogGroup: props.logGroup.logGroupName,
      },
    });

    // How cdk-nag spells the account and region in a finding: literal, or the pseudo parameter of an env-agnostic stack.
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    acknowledge(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The handler watches the migration task it started; task ids are only known at run time, and the scope is this cluster.',
        appliesTo: [`Resource::arn:<AWS::Partition>:ecs:${region}:${account}:task/<${stack.getLogicalId(props.cluster.node.defaultChild as CfnElement)}>/*`],
      },
    ]);
    const functions = this.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
    acknowledge(this, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The provider framework and its waiter state machine invoke these functions by ARN including any version or alias (`:*`), nothing else.',
        appliesTo: functions.map((f) => `Resource::<${stack.getLogicalId(f)}.Arn>:*`),
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Step Functions logging to CloudWatch Logs uses the log-delivery actions (logs:CreateLogDelivery, ...), which support no resource-level permission.',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-SF2',
        reason: 'The waiter state machine only polls one Lambda function every 15 s during a deployment; its executions are logged (ALL), tracing adds nothing.',
      },
    ]);
  }
}
