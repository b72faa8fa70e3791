import { inject } from 'vitest';
import { useEmulatorEnvironment } from './emulators.ts';

// Runs before each test file is imported, so handlers create their SDK clients against the emulators.
useEmulatorEnvironment(inject('localEndpoints'));
