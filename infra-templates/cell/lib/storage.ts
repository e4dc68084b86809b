import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import type { ModuleBucket } from './platform-config.js';
import type { EnvironmentSettings } from './settings.js';

export interface StorageProps {
  settings: EnvironmentSettings['storage'];
  /** Buckets the product's modules declare in their manifests. */
  moduleBuckets: { module: string; bucket: ModuleBucket }[];
}

/** Private, encrypted, versioned, TLS-only buckets whose access is logged to one log bucket. */
export class Storage extends Construct {
  readonly accessLogs: s3.Bucket;
  readonly files: s3.Bucket;
  readonly backups: s3.Bucket;
  /** `<module>-<bucket>` → bucket. */
  readonly moduleBuckets = new Map<string, s3.Bucket>();

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { settings } = props;
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // CloudFront standard logging writes with ACLs; ALB and S3 server access logs use the bucket policy.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: settings.removalPolicy,
    });
    acknowledge(this.accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it into itself would loop.' },
    ]);

    const bucket = (name: string, versioned = true, expireAfterDays?: number) =>
      new s3.Bucket(this, name, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `s3/${name}/`,
        lifecycleRules: [
          {
            noncurrentVersionExpiration: versioned ? settings.noncurrentVersionExpiration : undefined,
            expiration: expireAfterDays ? Duration.days(expireAfterDays) : undefined,
            abortIncompleteMultipartUploadAfter: Duration.days(7),
          },
        ],
        removalPolicy: settings.removalPolicy,
      });
    this.files = bucket('Files');
    this.backups = bucket('Backups');
    for (const { module, bucket: declared } of props.moduleBuckets) {
      const id = `${module}-${declared.name}`;
      this.moduleBuckets.set(id, bucket(`Module-${id}`, declared.versioned, declared.expireAfterDays));
    }
  }
}
