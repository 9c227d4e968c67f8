/** Real-process fleets: N Node processes, one HTTP origin, one Redis; measured from the origin's log. */
export {
  runProcessFleet,
  type ProcessFleetOptions,
  type FleetRunReport,
  type FleetBoundary,
  type FleetFiles,
} from './process-fleet.js';
export { FleetError, type FleetErrorCode } from './fleet-error.js';
