import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import type { EnvironmentSettings } from './settings.js';

export interface NetworkingProps {
  settings: EnvironmentSettings['network'];
  removalPolicy: RemovalPolicy;
  /** Named explicitly so that synthesis needs no AZ lookup (no credentials); default `<region>a..c`. */
  availabilityZones: string[];
}

/** The VPC's address range; the internal ALB admits CloudFront's VPC-origin traffic from inside it. */
export const VPC_CIDR = '10.0.0.0/16';

/**
 * A VPC over three AZs: public subnets for the NAT gateways only, private subnets for the tasks and the internal ALB,
 * isolated ones for data.
 */
export class Networking extends Construct {
  readonly vpc: ec2.Vpc;
  readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NetworkingProps) {
    super(scope, id);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: props.settings.flowLogRetention, removalPolicy: props.removalPolicy });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      availabilityZones: props.availabilityZones.slice(0, props.settings.maxAzs),
      natGateways: props.settings.natGateways,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });
    // Secrets Manager through the VPC, so that the rotation function in isolated subnets reaches the API.
    const endpoint = this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    acknowledge(endpoint, [
      { id: 'AwsSolutions-EC23', reason: 'The endpoint accepts HTTPS from the VPC CIDR only (a token at synth time, which the rule cannot evaluate).' },
    ]);
  }
}
