#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildBootstrapApp } from '../src/bootstrap-app.ts';

// The GitHub deploy role of each account, deployed once per account with its own credentials:
//   npm run bootstrap-github -- GitHubDeploy-test     (and GitHubDeploy-prod)
buildBootstrapApp(new App());
