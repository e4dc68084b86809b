import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** Everything that differs between environments, in one typed table. */
export interface EnvironmentSettings {
  network: { maxAzs: number; natGateways: number; flowLogRetention: RetentionDays };
  database: {
    minAcu: number;
    maxAcu: number;
    /** Serverless v2 readers besides the writer. */
    readers: number;
    deletionProtection: boolean;
    backupRetention: Duration;
    removalPolicy: RemovalPolicy;
  };
  cache: { nodeType: string; replicas: number; multiAz: boolean; snapshotRetentionDays: number };
  compute: {
    api: { cpu: number; memoryMiB: number; minTasks: number; maxTasks: number };
    worker: { cpu: number; memoryMiB: number; minTasks: number; maxTasks: number };
    logRetention: RetentionDays;
  };
  storage: { removalPolicy: RemovalPolicy; noncurrentVersionExpiration: Duration };
}

export const ENVIRONMENT_SETTINGS: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  dev: {
    network: { maxAzs: 3, natGateways: 1, flowLogRetention: RetentionDays.ONE_MONTH },
    database: { minAcu: 0.5, maxAcu: 2, readers: 1, deletionProtection: false, backupRetention: Duration.days(1), removalPolicy: RemovalPolicy.DESTROY },
    cache: { nodeType: 'cache.t4g.micro', replicas: 0, multiAz: false, snapshotRetentionDays: 0 },
    compute: {
      api: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
      worker: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 1 },
      logRetention: RetentionDays.ONE_MONTH,
    },
    storage: { removalPolicy: RemovalPolicy.DESTROY, noncurrentVersionExpiration: Duration.days(7) },
  },
  staging: {
    network: { maxAzs: 3, natGateways: 1, flowLogRetention: RetentionDays.THREE_MONTHS },
    database: { minAcu: 0.5, maxAcu: 4, readers: 1, deletionProtection: false, backupRetention: Duration.days(7), removalPolicy: RemovalPolicy.SNAPSHOT },
    cache: { nodeType: 'cache.t4g.small', replicas: 1, multiAz: false, snapshotRetentionDays: 1 },
    compute: {
      api: { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 4 },
      worker: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
      logRetention: RetentionDays.THREE_MONTHS,
    },
    storage: { removalPolicy: RemovalPolicy.RETAIN, noncurrentVersionExpiration: Duration.days(30) },
  },
  prod: {
    network: { maxAzs: 3, natGateways: 3, flowLogRetention: RetentionDays.ONE_YEAR },
    database: { minAcu: 0.5, maxAcu: 16, readers: 1, deletionProtection: true, backupRetention: Duration.days(30), removalPolicy: RemovalPolicy.SNAPSHOT },
    cache: { nodeType: 'cache.r7g.large', replicas: 2, multiAz: true, snapshotRetentionDays: 7 },
    compute: {
      api: { cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 10 },
      worker: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 10 },
      logRetention: RetentionDays.ONE_YEAR,
    },
    storage: { removalPolicy: RemovalPolicy.RETAIN, noncurrentVersionExpiration: Duration.days(90) },
  },
};

/** Ports chosen away from the engines' defaults (cdk-nag RDS11, AEC5). */
export const DATABASE_PORT = 5532;
export const CACHE_PORT = 6380;
export const APP_PORT = 3000;
