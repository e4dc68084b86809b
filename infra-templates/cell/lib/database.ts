import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { DATABASE_PORT, type EnvironmentSettings } from './settings.js';

export interface DatabaseProps {
  vpc: ec2.IVpc;
  product: string;
  settings: EnvironmentSettings['database'];
}

/** Aurora PostgreSQL Serverless v2: a writer and scaled-with-writer readers, encrypted, owner credentials rotated. */
export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { settings } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: 'Aurora PostgreSQL', allowAllOutbound: false });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_13 }),
      credentials: rds.Credentials.fromGeneratedSecret('platform_owner'),
      defaultDatabaseName: props.product.replace(/-/g, '_'),
      port: DATABASE_PORT,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      writer: rds.ClusterInstance.serverlessV2('writer', { enablePerformanceInsights: true }),
      readers: Array.from({ length: settings.readers }, (_, i) =>
        rds.ClusterInstance.serverlessV2(`reader${i + 1}`, { scaleWithWriter: true, enablePerformanceInsights: true }),
      ),
      serverlessV2MinCapacity: settings.minAcu,
      serverlessV2MaxCapacity: settings.maxAcu,
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: settings.deletionProtection,
      backup: { retention: settings.backupRetention },
      cloudwatchLogsExports: ['postgresql'],
      removalPolicy: settings.removalPolicy,
    });
    // The rotation function runs in the isolated subnets and reaches Secrets Manager through the VPC endpoint.
    this.cluster.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    if (!settings.deletionProtection) {
      acknowledge(this.cluster, [
        { id: 'AwsSolutions-RDS10', reason: 'Deletion protection is on in prod only; dev and staging clusters are disposable (prod: settings.ts).' },
      ]);
    }
  }
}
