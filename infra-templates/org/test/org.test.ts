import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LogArchiveStack, OrgBaselineStack, trailBucketName } from '../lib/org-baseline.js';

const app = new App();
const logArchive = new LogArchiveStack(app, 'org-log-archive', {
  env: { account: '999999999999', region: 'us-east-1' },
  managementAccount: '000000000000',
  organizationId: 'o-abc123defg',
  logDestinations: [
    { name: 'acme-crm-dev', sourceAccount: '111111111111' },
    { name: 'acme-crm-prod', sourceAccount: '333333333333' },
  ],
});
const baseline = new OrgBaselineStack(app, 'org-baseline', {
  env: { account: '000000000000', region: 'us-east-1' },
  logArchiveAccount: '999999999999',
  organizationId: 'o-abc123defg',
  targetIds: ['r-ab12'],
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
// Throws on any unacknowledged cdk-nag finding.
app.synth();
const template = Template.fromStack(baseline);

const scp = (name: string) => {
  const policies = Object.values(template.findResources('AWS::Organizations::Policy')).filter((p) => p.Properties.Name === name);
  expect(policies.length).toBe(1);
  return policies[0]!.Properties;
};

describe('the organization baseline', () => {
  it('passes cdk-nag AwsSolutions in both stacks', () => {
    for (const stack of [baseline, logArchive]) {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(report.violations.filter((v) => (v.severity ?? 'error').toLowerCase() === 'error').map((v) => v.ruleName)).toEqual([]);
    }
  });

  it('denies leaving the organization', () => {
    const policy = scp('DenyLeavingOrganization');
    expect(policy.Type).toBe('SERVICE_CONTROL_POLICY');
    expect(policy.TargetIds).toEqual(['r-ab12']);
    expect(policy.Content.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: ['organizations:LeaveOrganization'] }));
  });

  it('denies disabling CloudTrail, GuardDuty and Config', () => {
    const actions = scp('DenyDisablingSecurityServices').Content.Statement.flatMap((s: { Effect: string; Action: string[] }) => (s.Effect === 'Deny' ? s.Action : []));
    expect(actions).toEqual(expect.arrayContaining(['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'guardduty:DeleteDetector', 'config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder']));
  });

  it('denies every action of the root user', () => {
    expect(scp('DenyRootUser').Content.Statement).toContainEqual({
      Sid: 'DenyRootUser',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } },
    });
  });

  it('receives the cells\' logs: one CloudWatch Logs destination per environment, open to that account only, into Firehose → S3', () => {
    const archive = Template.fromStack(logArchive);
    const destinations = Object.values(archive.findResources('AWS::Logs::Destination'));
    expect(destinations.map((d) => d.Properties.DestinationName).sort()).toEqual(['acme-crm-dev', 'acme-crm-prod']);
    for (const destination of destinations) {
      const policy = JSON.stringify(destination.Properties.DestinationPolicy);
      const account = destination.Properties.DestinationName === 'acme-crm-dev' ? '111111111111' : '333333333333';
      expect(policy).toContain(`\\"AWS\\":\\"${account}\\"`);
      expect(policy).toContain('logs:PutSubscriptionFilter');
    }
    archive.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    archive.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', { DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' } });
  });

  it('logs the whole organization, every region, to the log-archive bucket', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      S3BucketName: trailBucketName('999999999999', 'us-east-1'),
    });
    const archive = Template.fromStack(logArchive);
    archive.hasResourceProperties('AWS::S3::Bucket', { BucketName: trailBucketName('999999999999', 'us-east-1'), VersioningConfiguration: { Status: 'Enabled' } });
    archive.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'TrailWrite', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });
});
