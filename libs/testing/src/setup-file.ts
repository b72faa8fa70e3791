import { localEndpoints, useEmulatorEnvironment } from './endpoints.ts';

// Runs before each test file is imported, so handlers create their SDK clients against the emulators.
useEmulatorEnvironment(localEndpoints());
