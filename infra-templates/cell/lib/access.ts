import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';

export interface DeployRoleProps {
  product: string;
  environment: string;
  /** `owner/repo` allowed to assume the role, from the `githubRepository` context. */
  githubRepository: string;
  /** ARN of the account's GitHub OIDC provider when it already exists (one per account); otherwise it is created here. */
  oidcProviderArn?: string;
  /** The environment's image repository, which the workflow pushes to (the migration runs inside `cdk deploy`). */
  repository: ecr.IRepository;
}

/**
 * The role GitHub Actions assumes through OIDC to deploy this cell: only workflows of one repository running for this
 * GitHub environment. It may assume the CDK bootstrap roles and push the product image.
 */
export class GithubDeployRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = props.oidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GithubOidc', props.oidcProviderArn)
      : new iam.OidcProviderNative(this, 'GithubOidc', { url: GITHUB_OIDC_URL, clientIds: ['sts.amazonaws.com'] });
    const githubEnvironment = props.environment === 'prod' ? 'production' : props.environment;
    this.role = new iam.Role(this, 'Role', {
      roleName: `${props.product}-${props.environment}-github-deploy`,
      description: `GitHub Actions (${props.githubRepository}, environment ${githubEnvironment}) deploys ${props.product}`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `repo:${props.githubRepository}:environment:${githubEnvironment}`,
        },
      }),
    });
    const cdkRoles = `arn:${stack.partition}:iam::${stack.account}:role/cdk-hnb659fds-*-${stack.account}-${stack.region}`;
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [cdkRoles] }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    // Push (and check whether a tag is already there); the repository itself belongs to the registry stack.
    props.repository.grant(this.role, 'ecr:BatchCheckLayerAvailability', 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart', 'ecr:BatchGetImage', 'ecr:DescribeImages');
    // How cdk-nag spells the account and region in a finding: literal, or the pseudo parameter of an env-agnostic stack.
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    acknowledge(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'CDK deploys through the bootstrap roles (deploy, file-publishing, image-publishing, lookup) whose names share this qualifier prefix.',
        appliesTo: [`Resource::arn:<AWS::Partition>:iam::${account}:role/cdk-hnb659fds-*-${account}-${region}`],
      },
      { id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken is account-wide; AWS does not support resource-level permissions for it.', appliesTo: ['Resource::*'] },
    ]);
  }
}

export interface LogShippingProps {
  product: string;
  environment: string;
  logArchiveAccount: string;
  logGroups: logs.ILogGroup[];
}

/**
 * Streams the cell's log groups to the log-archive account: a CloudWatch Logs destination named
 * `<product>-<environment>` in that account (stack `org-log-archive` of infra/org) receives every event.
 */
export class LogShipping extends Construct {
  readonly destinationArn: string;

  constructor(scope: Construct, id: string, props: LogShippingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.destinationArn = `arn:${stack.partition}:logs:${stack.region}:${props.logArchiveAccount}:destination:${props.product}-${props.environment}`;
    props.logGroups.forEach((logGroup, i) => {
      new logs.CfnSubscriptionFilter(this, `Filter${i}`, { logGroupName: logGroup.logGroupName, filterPattern: '', destinationArn: this.destinationArn });
    });
  }
}
