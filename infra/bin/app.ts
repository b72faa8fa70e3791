#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../src/app.ts';

// `cdk synth -c stage=NAME`: NAME is test, prod, local or dev-<name>; the default is dev-<os user>.
buildApp(new App());
