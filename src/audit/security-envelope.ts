// An activity result that raised security events, as it crosses from the activity interceptor to the workflow
// interceptor (pure: workflow code imports it). The workflow unwraps it and has the audit worker append the
// events at once, so they show during the run. Results without events are never wrapped.
const RAISED = '__flywheelSecurityEventsRaised';

export interface RaisedEnvelope {
  [RAISED]: number;
  result: unknown;
}

export const wrapRaised = (count: number, result: unknown): RaisedEnvelope => ({ [RAISED]: count, result });

/** The activity's own result and how many events it raised, or null for a plain result. */
export function unwrapRaised(v: unknown): { count: number; result: unknown } | null {
  if (typeof v !== 'object' || v === null || !(RAISED in v)) return null;
  const e = v as RaisedEnvelope;
  return { count: e[RAISED], result: e.result };
}
