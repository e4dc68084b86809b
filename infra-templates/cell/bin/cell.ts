#!/usr/bin/env node
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addCells } from '../lib/cell-app.js';
import { CellConfigError, environmentsToSynthesize, loadCellConfig } from '../lib/platform-config.js';

// `cdk synth -c environment=prod` builds one environment; without it, every environment (dev, staging, prod).
const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key) as unknown;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

try {
  const config = loadCellConfig(path.resolve(context('platformFile') ?? '../platform.yaml'), path.resolve(context('modulesFile') ?? 'modules.json'));
  addCells(app, {
    config,
    environments: environmentsToSynthesize(context('environment')),
    imageTag: context('imageTag'),
    githubRepository: context('githubRepository'),
    githubOidcProviderArn: context('githubOidcProviderArn'),
    availabilityZones: context('availabilityZones')?.split(',').map((az) => az.trim()),
  });
  app.synth();
} catch (error) {
  if (error instanceof CellConfigError) {
    console.error(`infra: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
