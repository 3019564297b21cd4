// The API group and version every Migrascope resource lives in.

export const GROUP = 'migrascope.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
