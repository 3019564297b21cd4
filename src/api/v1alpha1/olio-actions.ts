// The user actions of the Olio workload and the Cloudstone SLA thresholds for them, as the study
// and Faban's Olio driver (max90th) state them: the defaults of an experiment on the built-in profile.

import { z } from 'zod';

export const OLIO_ACTIONS = ['HomePage', 'Login', 'TagSearch', 'EventDetail', 'PersonDetail', 'AddPerson', 'AddEvent'] as const;

export const OlioAction = z.enum(OLIO_ACTIONS);
export type OlioAction = z.infer<typeof OlioAction>;

/** Cloudstone: in any 5-minute window, the p90 (relaxed) or p99 (strict) must stay under these. */
export const CLOUDSTONE_THRESHOLDS: Readonly<Record<OlioAction, string>> = {
  HomePage: '1s',
  Login: '1s',
  TagSearch: '2s',
  EventDetail: '2s',
  PersonDetail: '2s',
  AddPerson: '3s',
  AddEvent: '4s',
};
