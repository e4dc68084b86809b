import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { CACHE_PORT, type EnvironmentSettings } from './settings.js';

export interface CacheProps {
  vpc: ec2.IVpc;
  product: string;
  environment: string;
  settings: EnvironmentSettings['cache'];
}

/** ElastiCache Redis (replication group): TLS in transit, encrypted at rest, AUTH token kept in Secrets Manager. */
export class Cache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authToken: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { settings } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: 'ElastiCache Redis', allowAllOutbound: false });
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: `Redis AUTH token of ${props.product} (${props.environment})`,
      // ElastiCache AUTH tokens: 16-128 printable characters without @, " or /.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(this.authToken, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'ElastiCache AUTH tokens rotate through ModifyReplicationGroup (ROTATE strategy), not a Secrets Manager rotation function; rotate with `platform` runbooks.',
      },
    ]);
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: `${props.product} ${props.environment} cache subnets`,
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: `${props.product} ${props.environment}`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: settings.nodeType,
      numCacheClusters: 1 + settings.replicas,
      automaticFailoverEnabled: settings.replicas > 0,
      multiAzEnabled: settings.multiAz,
      port: CACHE_PORT,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      snapshotRetentionLimit: settings.snapshotRetentionDays,
    });
    if (!settings.multiAz) {
      acknowledge(this.replicationGroup, [
        { id: 'AwsSolutions-AEC4', reason: 'Multi-AZ failover is on in prod; dev and staging accept a single-AZ cache (settings.ts).' },
      ]);
    }
  }

  /** `rediss://` endpoint (TLS); the token is injected separately as a secret. */
  get url(): string {
    return `rediss://${this.replicationGroup.attrPrimaryEndPointAddress}:${this.replicationGroup.attrPrimaryEndPointPort}`;
  }
}
