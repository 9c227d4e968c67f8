/** Why a process-fleet run could not produce a report; the message is one line, ready to print. */
export type FleetErrorCode =
  | 'FLEET_BAD_OPTIONS'    // processes outside 2..8, a lock phase without a Redis URL
  | 'FLEET_LEARNER_ERROR'  // a child could not load or run the file under test
  | 'FLEET_CHILD_EXITED'   // a child died without saying why (its last stderr line is quoted)
  | 'FLEET_DEADLINE';      // a child never answered within the phase's deadline

export class FleetError extends Error {
  readonly code: FleetErrorCode;
  /** The instance that failed or never answered, when one did. */
  readonly instance: string | undefined;

  constructor(code: FleetErrorCode, message: string, instance?: string) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    this.instance = instance;
  }
}
