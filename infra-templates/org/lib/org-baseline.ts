import { Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../lib/nag.js';

/** The organization-wide guardrails, as service control policy documents. */
export const SERVICE_CONTROL_POLICIES = {
  DenyLeavingOrganization: {
    description: 'Member accounts cannot leave the organization',
    statements: [{ Sid: 'DenyLeaveOrganization', Effect: 'Deny', Action: ['organizations:LeaveOrganization'], Resource: '*' }],
  },
  DenyDisablingSecurityServices: {
    description: 'Nobody stops or deletes CloudTrail, GuardDuty or AWS Config',
    statements: [
      {
        Sid: 'DenyCloudTrailTampering',
        Effect: 'Deny',
        Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'],
        Resource: '*',
      },
      {
        Sid: 'DenyGuardDutyTampering',
        Effect: 'Deny',
        Action: [
          'guardduty:DeleteDetector',
          'guardduty:UpdateDetector',
          'guardduty:DisassociateFromAdministratorAccount',
          'guardduty:DisassociateFromMasterAccount',
          'guardduty:DeleteMembers',
          'guardduty:StopMonitoringMembers',
        ],
        Resource: '*',
      },
      {
        Sid: 'DenyConfigTampering',
        Effect: 'Deny',
        Action: ['config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder', 'config:DeleteDeliveryChannel', 'config:DeleteConfigurationAggregator'],
        Resource: '*',
      },
    ],
  },
  DenyRootUser: {
    description: 'The root user of member accounts can do nothing',
    statements: [{ Sid: 'DenyRootUser', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } } }],
  },
} as const;

export const trailBucketName = (logArchiveAccount: string, region: string) => `org-trail-${logArchiveAccount}-${region}`;

export interface OrgBaselineProps extends StackProps {
  /** Organization id (o-...), from context `organizationId`; scopes the trail bucket policy. */
  organizationId?: string;
  logArchiveAccount: string;
  /** Root or OU ids the SCPs attach to; without any, the policies exist but are attached by hand. */
  targetIds: string[];
}

/** In the management account: the SCPs and the organization trail that writes to the log-archive bucket. */
export class OrgBaselineStack extends Stack {
  readonly policies: organizations.CfnPolicy[] = [];
  readonly trail: cloudtrail.CfnTrail;

  constructor(scope: Construct, id: string, props: OrgBaselineProps) {
    super(scope, id, props);
    Tags.of(this).add('platform:baseline', 'org');
    for (const [name, policy] of Object.entries(SERVICE_CONTROL_POLICIES)) {
      this.policies.push(
        new organizations.CfnPolicy(this, name, {
          name,
          description: policy.description,
          type: 'SERVICE_CONTROL_POLICY',
          content: { Version: '2012-10-17', Statement: policy.statements },
          targetIds: props.targetIds.length > 0 ? props.targetIds : undefined,
        }),
      );
    }
    this.trail = new cloudtrail.CfnTrail(this, 'OrganizationTrail', {
      trailName: 'organization-trail',
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      isLogging: true,
      s3BucketName: trailBucketName(props.logArchiveAccount, this.region),
    });
  }
}

export interface LogArchiveProps extends StackProps {
  managementAccount?: string;
  organizationId?: string;
  /** CloudWatch Logs destinations the cells stream to: `<product>-<env>` ← the account of that environment. */
  logDestinations?: { name: string; sourceAccount: string }[];
}

/** In the log-archive account: the bucket the organization trail writes to (private, TLS-only, versioned, logged). */
export class LogArchiveStack extends Stack {
  readonly trailBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id, props);
    Tags.of(this).add('platform:baseline', 'log-archive');
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(accessLogs, [{ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket of the trail bucket; logging it into itself would loop.' }]);
    this.trailBucket = new s3.Bucket(this, 'TrailBucket', {
      bucketName: trailBucketName(this.account, this.region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'trail-bucket/',
      lifecycleRules: [{ transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) }] }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudtrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const sourceTrail = props.managementAccount
      ? { StringEquals: { 'aws:SourceArn': `arn:${this.partition}:cloudtrail:${this.region}:${props.managementAccount}:trail/organization-trail` } }
      : undefined;
    this.trailBucket.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'TrailAclCheck', principals: [cloudtrailPrincipal], actions: ['s3:GetBucketAcl'], resources: [this.trailBucket.bucketArn], conditions: sourceTrail }),
    );
    const prefixes = [
      ...(props.managementAccount ? [`${this.trailBucket.bucketArn}/AWSLogs/${props.managementAccount}/*`] : []),
      ...(props.organizationId ? [`${this.trailBucket.bucketArn}/AWSLogs/${props.organizationId}/*`] : [`${this.trailBucket.bucketArn}/AWSLogs/*`]),
    ];
    this.trailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TrailWrite',
        principals: [cloudtrailPrincipal],
        actions: ['s3:PutObject'],
        resources: prefixes,
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...(sourceTrail?.StringEquals ?? {}) } },
      }),
    );

    const destinations = props.logDestinations ?? [];
    if (destinations.length > 0) this.addLogDestinations(destinations, accessLogs);
  }

  /** Cells' log groups → CloudWatch Logs destination → Firehose → the application-log bucket of this account. */
  private addLogDestinations(destinations: { name: string; sourceAccount: string }[], accessLogs: s3.Bucket): void {
    const appLogs = new s3.Bucket(this, 'ApplicationLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'application-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stream = new firehose.DeliveryStream(this, 'ApplicationLogStream', {
      destination: new firehose.S3Bucket(appLogs, { dataOutputPrefix: 'cells/', errorOutputPrefix: 'errors/' }),
      encryption: firehose.StreamEncryption.awsOwnedKey(),
    });
    acknowledge(stream, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Firehose writes objects under keys it chooses (prefix, date, id); the grant is limited to the application-log bucket.',
        appliesTo: [
          `Resource::<${this.getLogicalId(appLogs.node.defaultChild as s3.CfnBucket)}.Arn>/*`,
          'Action::s3:Abort*',
          'Action::s3:DeleteObject*',
          'Action::s3:GetBucket*',
          'Action::s3:GetObject*',
          'Action::s3:List*',
        ],
      },
    ]);
    const sources = [...new Set(destinations.map((d) => d.sourceAccount))];
    const role = new iam.Role(this, 'LogDestinationRole', {
      description: 'CloudWatch Logs puts the cells\' log events into the application-log stream',
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: { StringLike: { 'aws:SourceArn': [this.account, ...sources].map((account) => `arn:${this.partition}:logs:${this.region}:${account}:*`) } },
      }),
    });
    stream.grantPutRecords(role);
    for (const { name, sourceAccount } of destinations) {
      const arn = `arn:${this.partition}:logs:${this.region}:${this.account}:destination:${name}`;
      const destination = new logs.CfnDestination(this, `Destination-${name}`, {
        destinationName: name,
        targetArn: stream.deliveryStreamArn,
        roleArn: role.roleArn,
        destinationPolicy: this.toJsonString({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: sourceAccount }, Action: 'logs:PutSubscriptionFilter', Resource: arn }],
        }),
      });
      destination.node.addDependency(role);
    }
  }
}
