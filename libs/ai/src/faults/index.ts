export { withFaults, type FaultOptions } from './with-faults';
